using System.Net;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CrdbVault.Tests.Units;

/// <summary>
/// The session's background renewal, on a fake clock: an idle session renews at ~2/3 of the TTL with no call,
/// logs in again when it cannot renew, keeps failures for the next command, and learns when its token ends.
/// </summary>
public class BackgroundRenewalTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static VaultClientOptions Options() => new() { Address = new Uri("https://vault.test"), RetryBaseDelay = TimeSpan.Zero, MaxAttempts = 1 };

    private static string Lookup(string accessor, int ttl, bool renewable, int explicitMax = 0, string issued = "2026-12-01T12:00:00Z") =>
        "{\"data\":{\"accessor\":\"" + accessor + "\",\"display_name\":\"approle\",\"policies\":[\"default\"],\"renewable\":" +
        (renewable ? "true" : "false") + ",\"ttl\":" + ttl + ",\"explicit_max_ttl\":" + explicitMax + ",\"issue_time\":\"" + issued + "\"}}";

    private static string Renewed(int ttl, string? warning = null) =>
        "{\"auth\":{\"client_token\":\"hvs.x\",\"accessor\":\"a1\",\"lease_duration\":" + ttl + ",\"renewable\":true},\"warnings\":" +
        (warning is null ? "null" : "[\"" + warning.Replace("\"", "\\\"") + "\"]") + "}";

    private static async Task<VaultSession> ConnectAsync(StubHandler stub, IVaultAuthMethod auth, TimeProvider clock)
    {
        using IDisposable scripted = InternalHooks.UseHttpHandler(stub);
        return await VaultSession.ConnectAsync(Options(), auth, default, clock);
    }

    /// <summary>
    /// Advances the fake clock one step at a time, giving the background a moment (real time) after each step, until
    /// <paramref name="done"/> holds; fails when it does not within <paramref name="max"/> of fake time. Returns the fake
    /// time at which it held. Waits for a state, never for an amount of wall-clock time.
    /// </summary>
    private static async Task<DateTimeOffset> AdvanceUntilAsync(FakeTimeProvider clock, Func<bool> done, TimeSpan max, Action? eachStep = null)
    {
        DateTimeOffset end = clock.GetUtcNow() + max;
        while (clock.GetUtcNow() < end)
        {
            eachStep?.Invoke();
            clock.Advance(TimeSpan.FromSeconds(1));
            for (int i = 0; i < 10 && !done(); i++) await Task.Delay(2);
            if (done()) return clock.GetUtcNow();
        }
        Assert.Fail($"The state was not reached within {max} of (fake) time.");
        return default;
    }

    private static int Count(StubHandler stub, string pathEnd)
    {
        lock (stub.Requests) return stub.Requests.Count(r => r.Uri.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_idle_session_renews_at_about_two_thirds_of_the_ttl_with_no_call()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 60, renewable: true));
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        stub.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Renewed(60)) });
        s.StartBackgroundRenewal();
        Assert.True(s.RenewsInBackground);

        // 2/3 of 60 s is 40 s, minus up to 10 % jitter: never before 36 s.
        await AdvanceUntilAsync(clock, () => s.LastRenewal is not null, TimeSpan.FromSeconds(59),
            eachStep: () => Assert.True(clock.GetUtcNow() >= T0.AddSeconds(36) || Count(stub, "renew-self") == 0, "renewed before 2/3 of the TTL"));
        Assert.Equal(1, Count(stub, "renew-self"));
        Assert.True(s.ExpiresAt > T0.AddSeconds(60), "the renewal moved the expiry");
        Assert.Null(s.RenewalError);
        Assert.Null(s.Token.KnownEnd); // renewable, no explicit max, not capped: unknown

        // ...and again about 2/3 of the new TTL later: the session stays logged in however long it is idle.
        await AdvanceUntilAsync(clock, () => Count(stub, "renew-self") >= 3, TimeSpan.FromSeconds(130));
        s.StopBackgroundRenewal();
        Assert.False(s.RenewsInBackground);
    }

    [Fact]
    public async Task A_token_that_cannot_be_renewed_is_replaced_by_a_new_login_in_the_background()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler()
            .Answer(HttpStatusCode.OK, """{"auth":{"client_token":"hvs.first","accessor":"a1","lease_duration":30,"renewable":false}}""")
            .Answer(HttpStatusCode.OK, Lookup("a1", 30, renewable: false));
        using VaultSession s = await ConnectAsync(stub, new AppRoleAuth("role-1", SecureStrings.From("secret-1")), clock);
        Assert.Equal(T0.AddSeconds(30), s.Token.KnownEnd); // not renewable: its end is known at once
        TokenLifetime first = s.Token;
        stub.Answer(HttpStatusCode.OK, """{"auth":{"client_token":"hvs.second","accessor":"a2","lease_duration":30,"renewable":false}}""")
            .Answer(HttpStatusCode.OK, Lookup("a2", 30, renewable: false));
        s.StartBackgroundRenewal();

        await AdvanceUntilAsync(clock, () => s.Accessor == "a2", TimeSpan.FromSeconds(29));
        Assert.Equal(2, Count(stub, "approle/login"));
        Assert.NotSame(first, s.Token); // the old token's leases keep the old end
        Assert.Equal(T0.AddSeconds(30), first.KnownEnd);
        Assert.NotNull(s.LastRenewal);
        s.StopBackgroundRenewal();
    }

    [Fact]
    public async Task A_plain_token_that_cannot_be_renewed_says_so_ahead_of_its_end()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 90, renewable: false));
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "VAULT_TOKEN"), clock);
        s.StartBackgroundRenewal();

        await AdvanceUntilAsync(clock, () => !s.RenewsInBackground, TimeSpan.FromSeconds(80));
        string notice = Assert.Single(s.TakeNotices());
        Assert.Contains("cannot be renewed", notice);
        Assert.Contains("VAULT_TOKEN", notice);
        Assert.Contains("2026-12-01 12:01:30Z", notice);
        Assert.Empty(s.TakeNotices()); // each notice once
        Assert.Single(stub.Requests); // nothing was sent for it
    }

    [Fact]
    public async Task A_failed_background_renewal_is_kept_on_the_session_and_cleared_by_a_later_success()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 60, renewable: true))
            .Answer(HttpStatusCode.InternalServerError, """{"errors":["storage is down"]}""");
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        s.StartBackgroundRenewal();

        await AdvanceUntilAsync(clock, () => s.RenewalError is not null, TimeSpan.FromSeconds(50));
        Assert.Contains("storage is down", s.RenewalError);
        string notice = Assert.Single(s.TakeNotices());
        Assert.Contains("Renewing the Vault token in the background failed", notice);

        stub.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Renewed(60)) });
        await AdvanceUntilAsync(clock, () => s.RenewalError is null, TimeSpan.FromSeconds(20));
        Assert.NotNull(s.LastRenewal);
        s.StopBackgroundRenewal();
    }

    [Fact]
    public async Task A_renewal_that_comes_back_capped_reveals_when_the_token_ends()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 60, renewable: true))
            .Answer(HttpStatusCode.OK, Renewed(15, """TTL of "1m0s" exceeded the effective max_ttl of "15s"; TTL value is capped accordingly"""));
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        Assert.Null(s.Token.KnownEnd); // a role's token_max_ttl does not show in lookup-self
        s.StartBackgroundRenewal();

        DateTimeOffset at = await AdvanceUntilAsync(clock, () => s.Token.KnownEnd is not null, TimeSpan.FromSeconds(50));
        Assert.Equal(s.ExpiresAt, s.Token.KnownEnd);
        Assert.Contains("capped", s.Token.Reason);
        Assert.True(s.Token.KnownEnd <= at.AddSeconds(15));
        // A plain token at its max: no renewal can help, so it says so once and stops.
        await AdvanceUntilAsync(clock, () => !s.RenewsInBackground, TimeSpan.FromSeconds(5));
        Assert.Contains(s.TakeNotices(), n => n.Contains("connect again with a fresh token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Explicit_max_ttl_in_lookup_self_gives_the_end_at_once()
    {
        var clock = new FakeTimeProvider(T0.AddSeconds(5));
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 10, renewable: true, explicitMax: 25));
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        Assert.Equal(T0.AddSeconds(25), s.Token.KnownEnd);
        Assert.Contains("explicit_max_ttl", s.Token.Reason);
    }

    [Fact]
    public async Task After_stop_the_clock_can_run_on_and_nothing_is_sent()
    {
        var clock = new FakeTimeProvider(T0);
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup("a1", 60, renewable: true));
        using VaultSession s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        stub.Fallback = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Renewed(60)) });
        s.StartBackgroundRenewal();
        s.StopBackgroundRenewal();
        for (int i = 0; i < 200; i++) clock.Advance(TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.Single(stub.Requests);
        Assert.False(s.RenewsInBackground);
    }

    [Theory]
    [InlineData(60, 0.0, 40.0)]
    [InlineData(60, 1.0, 36.0)]
    [InlineData(3600, 0.5, 2280.0)]
    [InlineData(0.3, 0.0, 0.5)] // never a busy loop
    public void The_wait_is_two_thirds_of_the_ttl_minus_up_to_ten_percent(double ttlSeconds, double jitter, double expectedSeconds) =>
        Assert.Equal(expectedSeconds, RenewalLoop.DelayFor(TimeSpan.FromSeconds(ttlSeconds), jitter).TotalSeconds, 3);
}
