using System.Net;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

public class VaultSessionTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static VaultClientOptions Options() => new() { Address = new Uri("https://vault.test"), RetryBaseDelay = TimeSpan.Zero };

    /// <summary>Connects with the stub answering every request.</summary>
    private static Task<VaultSession> ConnectAsync(StubHandler stub, Core.Vault.Auth.IVaultAuthMethod auth, TimeProvider? clock = null)
    {
        using IDisposable scripted = InternalHooks.UseHttpHandler(stub);
        return VaultSession.ConnectAsync(Options(), auth, default, clock);
    }

    private static string Lookup(int ttl, bool renewable) =>
        "{\"data\":{\"accessor\":\"acc1\",\"display_name\":\"approle\",\"policies\":[\"default\",\"crdb\"],\"renewable\":" + (renewable ? "true" : "false") + ",\"ttl\":" + ttl + ",\"expire_time\":\"2000-01-01T00:00:00Z\"}}";

    [Fact]
    public async Task Expiry_comes_from_ttl_at_receipt_not_expire_time()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup(3600, true));
        var clock = new ManualClock(T0);
        using var s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);
        Assert.Equal(T0.AddHours(1), s.ExpiresAt);
        Assert.Equal(["default", "crdb"], s.Policies);
        Assert.Equal("acc1", s.Accessor);
    }

    [Fact]
    public async Task A_renewable_token_is_renewed_before_it_expires()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.OK, Lookup(60, true));
        var clock = new ManualClock(T0);
        using var s = await ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.x"), "parameter"), clock);

        stub.Answer(HttpStatusCode.OK, """{"data":{}}""");
        await s.Client.ReadAsync("sys/mounts", default); // fresh: no renewal
        Assert.Equal(2, stub.Requests.Count);

        clock.Now = T0.AddSeconds(45); // less than a third of the TTL left
        stub.Answer(HttpStatusCode.OK, """{"auth":{"client_token":"hvs.x","accessor":"acc1","lease_duration":60,"renewable":true}}""")
            .Answer(HttpStatusCode.OK, """{"data":{}}""");
        await s.Client.ReadAsync("sys/mounts", default);
        Assert.EndsWith("auth/token/renew-self", stub.Requests[2].Uri.AbsolutePath);
        Assert.Contains("\"increment\":\"60s\"", stub.Requests[2].Body);
        Assert.Equal(T0.AddSeconds(105), s.ExpiresAt);
        Assert.Equal(1, s.Refreshes);
    }

    [Fact]
    public async Task An_approle_session_logs_in_again_when_its_token_cannot_be_renewed()
    {
        var stub = new StubHandler()
            .Answer(HttpStatusCode.OK, """{"auth":{"client_token":"hvs.first","accessor":"a1","lease_duration":60,"renewable":false}}""")
            .Answer(HttpStatusCode.OK, Lookup(60, false));
        var clock = new ManualClock(T0);
        using var s = await ConnectAsync(stub, new AppRoleAuth("role-1", SecureStrings.From("secret-1")), clock);
        Assert.Equal("hvs.first", stub.Requests[1].Headers["X-Vault-Token"]);
        Assert.False(stub.Requests[0].Headers.ContainsKey("X-Vault-Token"));
        Assert.Contains("\"secret_id\":\"secret-1\"", stub.Requests[0].Body);

        clock.Now = T0.AddSeconds(50);
        stub.Answer(HttpStatusCode.OK, """{"auth":{"client_token":"hvs.second","accessor":"a2","lease_duration":60,"renewable":false}}""")
            .Answer(HttpStatusCode.OK, Lookup(60, false))
            .Answer(HttpStatusCode.OK, """{"data":{}}""");
        await s.Client.ReadAsync("sys/mounts", default);
        Assert.EndsWith("auth/approle/login", stub.Requests[2].Uri.AbsolutePath);
        Assert.Equal("hvs.second", stub.Requests[4].Headers["X-Vault-Token"]);
        Assert.Equal(T0.AddSeconds(110), s.ExpiresAt);
    }

    [Fact]
    public async Task A_rejected_token_says_where_it_came_from_and_what_to_do()
    {
        var stub = new StubHandler().Answer(HttpStatusCode.Forbidden, """{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}""");
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => ConnectAsync(stub, new TokenAuth(SecureStrings.From("hvs.bad"), "VAULT_TOKEN")));
        Assert.Equal(VaultErrorKind.InvalidToken, ex.Kind);
        Assert.Contains("VAULT_TOKEN", ex.Message);
        Assert.DoesNotContain("hvs.bad", ex.Message);
    }
}
