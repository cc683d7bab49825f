using System.Management.Automation;
using CrdbVault.Core.Vault;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Calls that create something reach Vault at most once, even when the connection dies after Vault
/// did the work: a proxy forwards the request, lets the Vault double handle it (and PostgreSQL
/// create the user), then closes the client's connection instead of passing the answer on.
/// </summary>
[Collection("sandbox")]
public sealed class AtMostOnceTests : CredentialTestBase, IAsyncDisposable
{
    private readonly DroppingProxy _proxy;
    private readonly string _role = SandboxFixture.Unique("amo");

    public AtMostOnceTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        Session.SetVariable("Role", _role);
        Session.Run("Set-CrdbVaultRole -Name $Role -ConnectionName pg -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' | Out-Null").AssertSuccess();
        _proxy = new DroppingProxy(new Uri(sandbox.World.VaultAddress));
        Session.SetVariable("ProxyAddress", _proxy.Address);
    }

    /// <summary>The user names Vault makes for this role: the username template keeps 8 letters of the role name.</summary>
    private string Users => $"v-token-{_role[..Math.Min(8, _role.Length)]}-%";

    private int CredsCallsAtVault() =>
        Sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Method == "GET" && r.Path == $"{Mount}/creds/{_role}");

    [Fact]
    public async Task A_dropped_answer_to_creds_leaves_exactly_one_user_and_says_where_to_look()
    {
        // Connect through the proxy: lookup-self leaves a pooled keep-alive connection behind, the
        // situation in which .NET resends a GET that got no answer.
        Session.Run("$viaProxy = Connect-CrdbVault -Address $ProxyAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -NoDefault").AssertSuccess();
        _proxy.DropResponseTo($"/v1/{Mount}/creds/{_role}");

        ScriptResult r = Session.Run("New-CrdbDynamicCredential -Role $Role -MountPath $Mount -Vault $viaProxy");

        Assert.Equal(1, _proxy.Dropped);
        Assert.Equal(1, CredsCallsAtVault());
        Assert.Equal(1, await CountRolesAsync(Users));
        ErrorRecord e = r.SingleError();
        Assert.StartsWith("VaultConnectionFailed", e.FullyQualifiedErrorId);
        Assert.Contains($"check leases under {Mount}/creds/{_role}/", e.Exception.Message);
        Assert.Contains("before Vault's answer arrived", e.Exception.Message);
        Assert.NotNull(e.ErrorDetails?.RecommendedAction);

        // The hint finds the one user, and revoking it cleans up.
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/$Role\" -Sync").AssertSuccess();
        Assert.Equal(0, await CountRolesAsync(Users));
    }

    [Fact]
    public async Task Through_the_proxy_without_a_drop_each_call_creates_one_user()
    {
        Session.Run("$viaProxy = Connect-CrdbVault -Address $ProxyAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -NoDefault").AssertSuccess();
        ScriptResult r = Session.Run("1..3 | ForEach-Object { New-CrdbDynamicCredential -Role $Role -MountPath $Mount -Vault $viaProxy }").AssertSuccess();
        Assert.Equal(3, r.Output.Count);
        Assert.Equal(3, CredsCallsAtVault());
        Assert.Equal(3, await CountRolesAsync(Users));
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/$Role\" -Sync").AssertSuccess();
    }

    [Fact]
    public async Task Core_marks_the_lost_answer_as_may_have_executed_with_the_hint()
    {
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(_proxy.Address), MaxAttempts = 3 }, new RootToken(Sandbox.World.RootToken));
        // Warm the pool first, as a session would.
        Assert.NotNull(await client.ReadAsync("auth/token/lookup-self", CancellationToken.None));
        _proxy.DropResponseTo($"/v1/{Mount}/creds/{_role}");
        var engine = new CrdbVault.Core.Database.DatabaseEngine(client, Mount);
        var ex = Assert.Throws<VaultApiException>(() => engine.IssueCredentialAsync(_role, CancellationToken.None).GetAwaiter().GetResult());
        Assert.True(ex.MayHaveExecuted);
        Assert.Equal(VaultErrorKind.ConnectionFailed, ex.Kind);
        Assert.Equal(1, CredsCallsAtVault());
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/$Role\" -Sync").AssertSuccess();
    }

    [Fact]
    public async Task A_dropped_answer_on_a_reused_connection_is_not_sent_again()
    {
        // Creating calls keep their connection for the next one (no handshake per credential): the
        // second call goes out on the first call's connection, and .NET's resend of it is refused.
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(_proxy.Address), MaxAttempts = 3 }, new RootToken(Sandbox.World.RootToken));
        var engine = new CrdbVault.Core.Database.DatabaseEngine(client, Mount);
        await engine.IssueCredentialAsync(_role, CancellationToken.None);
        int connections = _proxy.Connections;
        _proxy.DropResponseTo($"/v1/{Mount}/creds/{_role}");

        var ex = await Assert.ThrowsAsync<VaultApiException>(() => engine.IssueCredentialAsync(_role, CancellationToken.None));

        Assert.True(ex.MayHaveExecuted);
        Assert.Contains("before Vault's answer arrived", ex.Message);
        Assert.Equal(1, _proxy.Dropped);
        Assert.Equal(2, CredsCallsAtVault());
        Assert.Equal(2, await CountRolesAsync(Users));
        Assert.True(_proxy.Connections > connections, "the resend was tried (and refused) on a new connection");
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/$Role\" -Sync").AssertSuccess();
    }

    [Fact]
    public async Task Creating_calls_reuse_their_connection()
    {
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(_proxy.Address) }, new RootToken(Sandbox.World.RootToken));
        var engine = new CrdbVault.Core.Database.DatabaseEngine(client, Mount);
        await engine.IssueCredentialAsync(_role, CancellationToken.None);
        int connections = _proxy.Connections;
        await engine.IssueCredentialAsync(_role, CancellationToken.None);
        await engine.IssueCredentialAsync(_role, CancellationToken.None);
        Assert.Equal(connections, _proxy.Connections);
        Assert.Equal(3, CredsCallsAtVault());
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/$Role\" -Sync").AssertSuccess();
    }

    public async ValueTask DisposeAsync() => await _proxy.DisposeAsync();

    private sealed class RootToken(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }
}
