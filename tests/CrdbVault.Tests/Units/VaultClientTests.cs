using System.Net;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

public class VaultClientTests
{
    private static (VaultClient Client, StubHandler Stub) Create(string? ns = null, TimeSpan? timeout = null, int attempts = 3)
    {
        var stub = new StubHandler();
        using IDisposable scripted = InternalHooks.UseHttpHandler(stub);
        var client = new VaultClient(new VaultClientOptions
        {
            Address = new Uri("https://vault.test:8200"),
            Namespace = ns,
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxAttempts = attempts,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        }, new FixedToken("hvs.TOKEN"));
        return (client, stub);
    }

    private sealed class FixedToken(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    [Fact]
    public async Task Sends_vault_headers_and_namespace()
    {
        var (client, stub) = Create(ns: "admin");
        stub.Answer(HttpStatusCode.OK, """{"data":{"x":1}}""");
        await client.ReadAsync("sys/mounts", default);
        var h = stub.Requests[0].Headers;
        Assert.Equal("true", h["X-Vault-Request"]);
        Assert.Equal("admin/", h["X-Vault-Namespace"]);
        Assert.Equal("hvs.TOKEN", h["X-Vault-Token"]);
        Assert.Equal("https://vault.test:8200/v1/sys/mounts", stub.Requests[0].Uri.ToString());
    }

    [Fact]
    public async Task List_is_sent_as_get_with_list_true_and_404_without_errors_is_empty()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.NotFound, """{"errors":[]}""");
        Assert.Empty(await client.ListAsync("database/roles", default));
        Assert.Equal(HttpMethod.Get, stub.Requests[0].Method);
        Assert.Equal("?list=true", stub.Requests[0].Uri.Query);
    }

    [Fact]
    public async Task Idempotent_calls_are_retried_on_5xx_then_succeed()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.ServiceUnavailable, """{"errors":["Vault is sealed"]}""").Answer(HttpStatusCode.BadGateway).Answer(HttpStatusCode.OK, """{"data":{"ok":true}}""");
        VaultResponse? r = await client.ReadAsync("database/roles/app", default);
        Assert.NotNull(r);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task Retry_after_is_honoured_and_501_is_not_retried()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.TooManyRequests, """{"errors":["rate limit quota exceeded"]}""", r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromMilliseconds(1)))
            .Answer(HttpStatusCode.OK, """{"data":{}}""");
        await client.ReadAsync("x", default);
        Assert.Equal(2, stub.Requests.Count);

        var (client2, stub2) = Create();
        stub2.Answer(HttpStatusCode.NotImplemented, """{"errors":["Vault is not initialized"]}""");
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => client2.ReadAsync("x", default));
        Assert.Equal(501, ex.Status);
        Assert.Single(stub2.Requests);
    }

    [Fact]
    public async Task Non_idempotent_calls_are_not_retried_and_say_where_to_look()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.InternalServerError, """{"errors":["internal error"]}""");
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => client.SendAsync(HttpMethod.Get, "database/creds/app", null,
            new VaultRequestOptions { Idempotent = false, UnknownOutcomeHint = "check leases under database/creds/app/" }, default));
        Assert.Single(stub.Requests);
        Assert.True(ex.MayHaveExecuted);
        Assert.Contains("check leases under database/creds/app/", ex.Message);
        Assert.Equal(VaultErrorKind.ServerError, ex.Kind);
    }

    [Fact]
    public async Task Invalid_token_and_missing_policy_are_told_apart()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.Forbidden, """{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}""")
            .Answer(HttpStatusCode.Forbidden, """{"errors":["1 error occurred:\n\t* permission denied\n\n"]}""");
        var bad = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("database/roles/app", default));
        Assert.Equal(VaultErrorKind.InvalidToken, bad.Kind);
        Assert.Contains("Connect-CrdbVault", bad.Message);
        var denied = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("database/roles/app", default));
        Assert.Equal(VaultErrorKind.PermissionDenied, denied.Kind);
        Assert.Contains("\"database/roles/app\"", denied.Message);
        Assert.DoesNotContain("hvs.TOKEN", denied.Message + bad.Message);
    }

    [Fact]
    public async Task Follows_one_standby_redirect_but_never_downgrades_to_http()
    {
        var (client, stub) = Create();
        stub.Answer(HttpStatusCode.TemporaryRedirect, null, r => r.Headers.Location = new Uri("https://active.test:8200/v1/sys/mounts"))
            .Answer(HttpStatusCode.OK, """{"data":{}}""");
        await client.ReadAsync("sys/mounts", default);
        Assert.Equal("active.test", stub.Requests[1].Uri.Host);
        Assert.Equal("hvs.TOKEN", stub.Requests[1].Headers["X-Vault-Token"]);

        var (client2, stub2) = Create(attempts: 1);
        stub2.Answer(HttpStatusCode.TemporaryRedirect, null, r => r.Headers.Location = new Uri("http://active.test:8200/v1/sys/mounts"));
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => client2.ReadAsync("sys/mounts", default));
        Assert.Contains("refusing", ex.Message);
        Assert.Single(stub2.Requests);
    }

    [Fact]
    public async Task A_timeout_is_reported_as_such_and_cancellation_as_cancellation()
    {
        var (client, stub) = Create(timeout: TimeSpan.FromMilliseconds(50), attempts: 1);
        stub.Fallback = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; };
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("sys/mounts", default));
        Assert.Equal(VaultErrorKind.Timeout, ex.Kind);

        var (client2, stub2) = Create(attempts: 1);
        stub2.Fallback = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; };
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client2.ReadAsync("sys/mounts", cts.Token));
    }

    [Fact]
    public async Task Connection_refused_is_a_connection_error_naming_the_address()
    {
        var client = new VaultClient(new VaultClientOptions { Address = new Uri("http://127.0.0.1:1"), RetryBaseDelay = TimeSpan.Zero, MaxAttempts = 2 });
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("sys/health", default));
        Assert.Equal(VaultErrorKind.ConnectionFailed, ex.Kind);
        Assert.Contains("127.0.0.1:1", ex.Message);
        Assert.False(ex.MayHaveExecuted);
    }
}
