using System.Text.RegularExpressions;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Database;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// The class behind <see cref="AtMostOnceTests"/>: EVERY Core call that creates something (sent
/// with <c>Idempotent = false</c>, so <c>RepeatPolicy.Never</c>) reaches the Vault double at most once
/// when the proxy swallows its answer after Vault did the work, and the error says the outcome is
/// unknown and where to look. The list of calls is checked against Core's source, so a new
/// creating call fails <see cref="Every_creating_call_in_Core_is_in_the_list"/> until it gets a case.
/// </summary>
[Collection("sandbox")]
public sealed partial class CreatingCallsAtMostOnceTests : CredentialTestBase, IAsyncDisposable
{
    private readonly DroppingProxy _proxy;
    private readonly VaultClient _client;
    private readonly string _pki = SandboxFixture.Unique("amopki");
    private readonly string _transit = SandboxFixture.Unique("amotransit");
    private readonly string _keymgmt = SandboxFixture.Unique("amokm");
    private readonly string _approle = SandboxFixture.Unique("amoapprole");

    /// <summary>What each creating call needs, how Core sends it, and the words of its "where to look" hint.</summary>
    private sealed record CreatingCall(Func<Task> Arrange, string Method, string Path, Func<VaultClient, Task> Send, string Hint);

    /// <summary>"Type.Method" of every Core method that sends a creating call; the theory runs each.</summary>
    private static readonly string[] CallNames =
    [
        "DatabaseEngine.RotateRootAsync",
        "DatabaseEngine.IssueCredentialAsync",
        "StaticRoles.RotateAsync",
        "PkiEngine.GenerateRootAsync",
        "PkiEngine.IssueAsync",
        "TransitEngine.RotateKeyAsync",
        "TransitEngine.GenerateDataKeyAsync",
        "KeymgmtEngine.RotateKeyAsync",
        "KeymgmtEngine.DistributeAsync",
        "AppRoleAuth.LoginAsync",
        "VaultLogin.SendAsync",
    ];

    public static TheoryData<string> Calls => new(CallNames);

    public CreatingCallsAtMostOnceTests(SandboxFixture sandbox) : base(sandbox)
    {
        _proxy = new DroppingProxy(new Uri(sandbox.World.VaultAddress));
        _client = new VaultClient(new VaultClientOptions { Address = new Uri(_proxy.Address), MaxAttempts = 3 }, new RootToken(sandbox.World.RootToken));
    }

    private CreatingCall Case(string name) => name switch
    {
        "DatabaseEngine.RotateRootAsync" => new(ArrangeRotateRootAsync, "POST", $"{Mount}/rotate-root/rr",
            c => new DatabaseEngine(c, Mount).RotateRootAsync("rr", default), "if the old password no longer logs in"),
        "DatabaseEngine.IssueCredentialAsync" => new(ArrangeDynamicRoleAsync, "GET", $"{Mount}/creds/app",
            c => new DatabaseEngine(c, Mount).IssueCredentialAsync("app", default), $"check leases under {Mount}/creds/app/"),
        "StaticRoles.RotateAsync" => new(ArrangeStaticRoleAsync, "POST", $"{Mount}/rotate-role/reporting",
            c => new StaticRoles(c, Mount).RotateAsync("reporting", default), $"compare LastVaultRotation of Get-CrdbStaticCredential -Role reporting -MountPath '{Mount}'"),
        "PkiEngine.GenerateRootAsync" => new(ArrangePkiMountAsync, "POST", $"{_pki}/root/generate/internal",
            c => new PkiEngine(c, _pki).GenerateRootAsync("At most once CA", TimeSpan.FromHours(2), "ec", 256, default), $"check Get-CrdbCertificateAuthority -MountPath '{_pki}'"),
        "PkiEngine.IssueAsync" => new(ArrangePkiRoleAsync, "POST", $"{_pki}/issue/client",
            c => new PkiEngine(c, _pki).IssueAsync("client", new PkiIssueRequest { CommonName = "alice", ExcludeCnFromSans = true }, default), $"list {_pki}/certs and revoke strays"),
        "TransitEngine.RotateKeyAsync" => new(ArrangeTransitKeyAsync, "POST", $"{_transit}/keys/ear/rotate",
            c => new TransitEngine(c, _transit).RotateKeyAsync("ear", default), $"vault read {_transit}/keys/ear"),
        "TransitEngine.GenerateDataKeyAsync" => new(ArrangeTransitKeyAsync, "POST", $"{_transit}/datakey/plaintext/ear",
            c => new TransitEngine(c, _transit).GenerateDataKeyAsync("ear", 256, withPlaintext: true, default), "there is nothing to clean up: run the command again"),
        "KeymgmtEngine.RotateKeyAsync" => new(ArrangeKeymgmtKeyAsync, "POST", $"{_keymgmt}/key/cmek/rotate",
            c => new KeymgmtEngine(c, _keymgmt).RotateKeyAsync("cmek", default), $"vault read {_keymgmt}/key/cmek"),
        "KeymgmtEngine.DistributeAsync" => new(ArrangeKmsAsync, "POST", $"{_keymgmt}/kms/aws/key/cmek",
            c => new KeymgmtEngine(c, _keymgmt).DistributeAsync("aws", "cmek", ["encrypt", "decrypt"], "hsm", default), $"vault read {_keymgmt}/kms/aws/key/cmek"),
        "AppRoleAuth.LoginAsync" => new(ArrangeAppRoleAsync, "POST", $"auth/{_approle}/login", LoginAsync, "A token may have been issued"),
        "VaultLogin.SendAsync" => new(ArrangeUserpassAsync, "POST", $"auth/{_approle}-up/login/runner", PasswordLoginAsync, "A token may have been issued"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no case for this creating call"),
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public async Task A_dropped_answer_reaches_Vault_once_and_the_error_says_where_to_look(string call)
    {
        CreatingCall c = Case(call);
        await c.Arrange();
        string path = c.Path;
        // Warm the pool as a session does: a pooled keep-alive connection is where .NET resends a
        // request whose answer never came.
        Assert.NotNull(await _client.ReadAsync("auth/token/lookup-self", CancellationToken.None));
        _proxy.DropResponseTo($"/v1/{path}");

        var ex = await Assert.ThrowsAsync<VaultApiException>(() => c.Send(_client));

        Assert.Equal(1, _proxy.Dropped);
        Assert.Equal(1, Sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Method == c.Method && r.Path == path));
        Assert.True(ex.MayHaveExecuted, ex.Message);
        Assert.Equal(VaultErrorKind.ConnectionFailed, ex.Kind);
        Assert.True(Regex.IsMatch(ex.Message, "before Vault's answer arrived|the connection dropped while reading the answer|no answer came back, so the outcome is unknown"), ex.Message);
        Assert.Contains(c.Hint, ex.Message);
    }

    [Fact]
    public void Every_creating_call_in_Core_is_in_the_list()
    {
        // Idempotent defaults to false, so an options block that does not say which it is would be a
        // creating call nobody listed: every block says it.
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var unsaid = new List<string>();
        string core = Path.Combine(PowerShellSession.RepoRoot, "src", "CrdbVault.Core");
        foreach (string file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (!lines[i].Contains("new VaultRequestOptions", StringComparison.Ordinal)) continue;
                string block = string.Join("\n", lines.Skip(i).Take(8));
                block = block[..(block.IndexOf('}', StringComparison.Ordinal) + 1)];
                string where = $"{Path.GetFileNameWithoutExtension(file)}.{EnclosingMethod(lines, i)}";
                if (block.Contains("Idempotent = false", StringComparison.Ordinal)) found.Add(where);
                else if (!block.Contains("Idempotent = true", StringComparison.Ordinal)) unsaid.Add($"{where} (line {i + 1})");
            }
        }
        Assert.True(unsaid.Count == 0, "VaultRequestOptions that do not say whether the call is idempotent:\n" + string.Join("\n", unsaid));
        Assert.Equal(new SortedSet<string>(CallNames, StringComparer.Ordinal), found);
    }

    [GeneratedRegex(@"^    (?:public|internal|private|protected)\b[^=;]*?\b(?<name>\w+)(?:<[^>]*>)?\(")]
    private static partial Regex MethodDeclaration();

    private static string EnclosingMethod(string[] lines, int line)
    {
        for (int i = line; i >= 0; i--)
        {
            Match m = MethodDeclaration().Match(lines[i]);
            if (m.Success) return m.Groups["name"].Value;
        }
        return "?";
    }

    private Task ArrangeDynamicRoleAsync()
    {
        InitializeDatabase();
        Session.Run("Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' | Out-Null").AssertSuccess();
        return Task.CompletedTask;
    }

    private async Task ArrangeRotateRootAsync()
    {
        // A superuser of its own: rotating the sandbox's admin password would lock the other tests out.
        string user = SandboxFixture.Unique("amo_admin");
        await ExecSqlAsync($"CREATE ROLE {user} WITH LOGIN SUPERUSER PASSWORD 'initial-pw-123'");
        Session.SetVariable("VaultAdmin", user);
        Session.Run("""
            $va = [pscredential]::new($VaultAdmin, [System.Net.NetworkCredential]::new('', 'initial-pw-123').SecurePassword)
            Initialize-CrdbVaultDatabase -Name rr -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $va -WarningAction SilentlyContinue | Out-Null
            """).AssertSuccess();
    }

    private async Task ArrangeStaticRoleAsync()
    {
        InitializeDatabase();
        string user = SandboxFixture.Unique("amo_reader");
        await ExecSqlAsync($"CREATE ROLE {user} LOGIN PASSWORD 'initial-{Guid.NewGuid():n}'");
        Session.SetVariable("User", user);
        Session.Run("Set-CrdbVaultStaticRole -Name reporting -ConnectionName pg -UserName $User -RotationPeriod '24h' -MountPath $Mount | Out-Null").AssertSuccess();
    }

    private Task ArrangePkiMountAsync()
    {
        Sandbox.World.Vault.EnableSecretsEngine(_pki, "pki");
        return Task.CompletedTask;
    }

    private async Task ArrangePkiRoleAsync()
    {
        await ArrangePkiMountAsync();
        await Root("POST", $"{_pki}/root/generate/internal", new { common_name = "At most once CA", key_type = "ec", key_bits = 256 });
        await Root("POST", $"{_pki}/roles/client", CockroachPkiRoles.ClientRole(TimeSpan.FromHours(1), TimeSpan.FromHours(2), "ec", 256, false));
    }

    private async Task ArrangeTransitKeyAsync()
    {
        Sandbox.World.Vault.EnableSecretsEngine(_transit, "transit");
        await Root("POST", $"{_transit}/keys/ear", new { type = "aes256-gcm96" });
    }

    private async Task ArrangeKeymgmtKeyAsync()
    {
        Sandbox.World.Vault.EnableSecretsEngine(_keymgmt, "keymgmt");
        await Root("POST", $"{_keymgmt}/key/cmek", new { type = "aes256-gcm96" });
    }

    private async Task ArrangeKmsAsync()
    {
        await ArrangeKeymgmtKeyAsync();
        await Root("POST", $"{_keymgmt}/kms/aws", new
        {
            provider = "awskms", key_collection = "us-east-1",
            credentials = new Dictionary<string, string> { ["access_key"] = "AKIAEXAMPLE", ["secret_key"] = "not-a-real-secret" },
        });
    }

    private string? _roleId;
    private string? _secretId;

    private async Task ArrangeAppRoleAsync()
    {
        await Root("POST", $"sys/auth/{_approle}", new { type = "approle" });
        await Root("POST", $"auth/{_approle}/role/runner", new { token_policies = "default", token_ttl = "10m" });
        _roleId = (await Sandbox.RootAsync("GET", $"auth/{_approle}/role/runner/role-id")).Data!["role_id"]!.GetValue<string>();
        _secretId = (await Sandbox.RootAsync("POST", $"auth/{_approle}/role/runner/secret-id")).Data!["secret_id"]!.GetValue<string>();
    }

    // Every login but AppRole's (userpass, LDAP, jwt, azure) goes through VaultLogin.SendAsync.
    private async Task ArrangeUserpassAsync()
    {
        await Root("POST", $"sys/auth/{_approle}-up", new { type = "userpass" });
        await Root("POST", $"auth/{_approle}-up/users/runner", new { password = "runner-password", token_policies = "default" });
    }

    private Task PasswordLoginAsync(VaultClient client) =>
        new PasswordAuth("userpass", "runner", SecureStrings.From("runner-password"), $"{_approle}-up").LoginAsync(client, CancellationToken.None);

    private Task LoginAsync(VaultClient client) =>
        new AppRoleAuth(_roleId!, SecureStrings.From(_secretId!), _approle).LoginAsync(client, CancellationToken.None);

    private async Task Root(string method, string path, object body)
    {
        int code = (await Sandbox.RootAsync(method, path, body)).Code;
        Assert.True(code is 200 or 204, $"{method} {path} answered {code}");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _proxy.DisposeAsync();
    }

    private sealed class RootToken(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }
}
