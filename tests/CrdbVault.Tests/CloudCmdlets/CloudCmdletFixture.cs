using System.Management.Automation;
using CrdbVault.Sandbox.Cloud;
using CrdbVault.Tests.Cloud;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>
/// Two Cloud API doubles for one test class: Fast (the double's short default transition delays)
/// and Slow (changes stay PENDING / ENABLING for a minute: for timeouts and Ctrl+C). Each test
/// uses its own cluster IDs, so tests in a class do not see each other's state. Polls are made
/// fast through CRDBVAULT_POLL_INTERVAL_MS, which the cmdlets' client reads as its default.
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

    public async Task InitializeAsync()
    {
        Fast = await CloudApiDouble.StartAsync(new CloudDoubleOptions());
        Slow = await CloudApiDouble.StartAsync(new CloudDoubleOptions { TransitionDelay = TimeSpan.FromMinutes(1) });
    }

    public async Task DisposeAsync()
    {
        await Fast.DisposeAsync();
        await Slow.DisposeAsync();
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
    public static List<CloudRequestRecord> Changes(CloudApiDouble server, string clusterId) =>
        server.Requests.Where(r => r.Method != "GET" && r.Path.Contains(clusterId, StringComparison.Ordinal)).ToList();

    public static string Text(ErrorRecord e) => e.Exception.Message + " " + e.ErrorDetails?.Message;
}
