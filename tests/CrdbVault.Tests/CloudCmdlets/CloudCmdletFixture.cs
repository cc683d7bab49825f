using System.Management.Automation;
using CrdbVault.Sandbox.Cloud;
using CrdbVault.Tests.Cloud;
using Microsoft.Extensions.Time.Testing;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>
/// Three Cloud API doubles for one test class: Fast (the double's short default transition delays),
/// Slow (changes stay PENDING / ENABLING for a minute: for timeouts and Ctrl+C) and Manual (its
/// clock stands still until the test moves it: for tests that must see a state before it changes,
/// e.g. the progress shown while PENDING, which on a busy machine may be over before the first poll
/// of a real-time double). Each test uses its own cluster IDs, so tests in a class do not see each
/// other's state. Polls are made fast through CRDBVAULT_POLL_INTERVAL_MS, which the cmdlets' client
/// reads as its default.
/// </summary>
public sealed class CloudCmdletFixture : IAsyncLifetime
{
    static CloudCmdletFixture()
    {
        Environment.SetEnvironmentVariable("CRDBVAULT_POLL_INTERVAL_MS", "25");
        Environment.SetEnvironmentVariable("CRDBVAULT_RETRY_DELAY_MS", "20");
    }

    public CloudApiDouble Fast { get; private set; } = null!;
    public CloudApiDouble Slow { get; private set; } = null!;
    public CloudApiDouble Manual { get; private set; } = null!;

    /// <summary>Manual's clock. Its rate limit is off: a clock that stands still would count every request in one second.</summary>
    public FakeTimeProvider ManualClock { get; } = new(DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        Fast = await CloudApiDouble.StartAsync(new CloudDoubleOptions());
        Slow = await CloudApiDouble.StartAsync(new CloudDoubleOptions { TransitionDelay = TimeSpan.FromMinutes(1) });
        Manual = await CloudApiDouble.StartAsync(new CloudDoubleOptions { Clock = ManualClock, RateLimitPerSecond = 0 });
    }

    public async Task DisposeAsync()
    {
        await Fast.DisposeAsync();
        await Slow.DisposeAsync();
        await Manual.DisposeAsync();
    }

    /// <summary>
    /// Runs a script that changes something on <see cref="Manual"/> and waits for it: holds the clock
    /// until the change is in and the wait has read the in-progress state <paramref name="polls"/>
    /// times, then moves the clock past every transition so the wait ends. States, not delays.
    /// </summary>
    public ScriptResult RunThroughTransition(PowerShellSession session, string script, string clusterId, int polls = 1)
    {
        Task<ScriptResult> run = Task.Run(() => session.Run(script));
        // Generous: only a hung run takes this long; the condition is normally met within milliseconds.
        bool seen = SpinWait.SpinUntil(() => PollsAfterChange(Manual, clusterId) >= polls || run.IsCompleted, TimeSpan.FromMinutes(2));
        ManualClock.Advance(TimeSpan.FromHours(1));
        ScriptResult result = run.GetAwaiter().GetResult();
        Assert.True(seen, "the wait never polled the in-progress state");
        return result;
    }

    /// <summary>GETs of a cluster answered after its last change request (reads of the in-progress state).</summary>
    public static int PollsAfterChange(CloudApiDouble server, string clusterId)
    {
        List<CloudRequestRecord> mine = server.Requests.Where(r => r.Path.Contains(clusterId, StringComparison.Ordinal)).ToList();
        int lastChange = mine.FindLastIndex(r => r.Method != "GET" && r.Status is >= 200 and < 300);
        return lastChange < 0 ? 0 : mine.Skip(lastChange + 1).Count(r => r.Method == "GET" && r.Status == 200);
    }

    /// <summary>A new AWS ADVANCED cluster on <paramref name="server"/> with the three regions of <see cref="CloudTestKit.AwsRegions"/>.</summary>
    public static string NewAwsCluster(CloudApiDouble server, params string[] regions)
    {
        string id = Guid.NewGuid().ToString();
        server.AddCluster(id, "c-" + id[..8], "AWS", "ADVANCED", regions.Length > 0 ? regions : CloudTestKit.AwsRegions);
        return id;
    }

    /// <summary>A hosted engine with the module imported and connected to <paramref name="server"/>.</summary>
    public static PowerShellSession Connected(CloudApiDouble server)
    {
        var session = new PowerShellSession(new Dictionary<string, object?>
        {
            ["CloudServer"] = server.BaseAddress.ToString(),
            ["CloudApiKey"] = server.ApiKey,
        });
        session.Run("$null = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword)").AssertSuccess();
        return session;
    }

    /// <summary>Changing requests (anything but GET) the double received for a cluster.</summary>
    /// <summary>
    /// Change requests the Cloud accepted for processing. A 429 did nothing (the rate limiter answers
    /// before any work) and the client rightly retries it: tests in one class share an API key, so the
    /// previous test's requests can still count against this second.
    /// </summary>
    public static List<CloudRequestRecord> Changes(CloudApiDouble server, string clusterId) =>
        Sent(server, clusterId).Where(r => r.Status != 429).ToList();

    /// <summary>Every change request sent at all, rejected or not (for "nothing was sent" checks).</summary>
    public static List<CloudRequestRecord> Sent(CloudApiDouble server, string clusterId) =>
        server.Requests.Where(r => r.Method != "GET" && r.Path.Contains(clusterId, StringComparison.Ordinal)).ToList();

    public static string Text(ErrorRecord e) => e.Exception.Message + " " + e.ErrorDetails?.Message;
}
