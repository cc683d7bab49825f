using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

[Collection("sandbox")]
public sealed class ConnectCrdbVaultTests(SandboxFixture sandbox)
{
    private PowerShellSession NewSession() => new(new Dictionary<string, object?>
    {
        ["VaultAddress"] = sandbox.World.VaultAddress,
        ["RootToken"] = sandbox.World.RootToken,
    });

    [Fact]
    public void Token_login_returns_a_connection_that_never_shows_the_token()
    {
        using var ps = NewSession();
        var r = ps.Run("""
            $c = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -Verbose
            $c
            $c.PSObject.TypeNames[0]
            """, verbose: true).AssertSuccess();
        dynamic c = r.Output[0];
        Assert.Equal("token", (string)c.AuthMethod);
        Assert.Contains("root", (string[])c.Policies);
        Assert.Equal("CrdbVault.VaultConnection", r.Output[1].BaseObject);
        Assert.DoesNotContain(sandbox.World.RootToken, r.AllText());
        Assert.Null(r.Output[0].Properties["Token"]);
    }

    [Fact]
    public void Vault_token_environment_variable_is_used_when_no_token_is_given()
    {
        string? before = Environment.GetEnvironmentVariable("VAULT_TOKEN");
        string? addr = Environment.GetEnvironmentVariable("VAULT_ADDR");
        try
        {
            var token = sandbox.World.Vault.CreateToken(["default"], TimeSpan.FromHours(1), displayName: "envuser");
            Environment.SetEnvironmentVariable("VAULT_TOKEN", token.Id);
            Environment.SetEnvironmentVariable("VAULT_ADDR", sandbox.World.VaultAddress);
            using var ps = NewSession();
            var r = ps.Run("Connect-CrdbVault -Verbose", verbose: true).AssertSuccess();
            dynamic c = r.Output[0];
            Assert.Equal(token.Accessor, (string)c.TokenAccessor);
            Assert.NotNull((DateTimeOffset?)c.ExpiresAt);
            Assert.Contains(r.Verbose, v => v.Contains("VAULT_TOKEN"));
            Assert.DoesNotContain(token.Id, r.AllText());
        }
        finally
        {
            Environment.SetEnvironmentVariable("VAULT_TOKEN", before);
            Environment.SetEnvironmentVariable("VAULT_ADDR", addr);
        }
    }

    [Fact]
    public void No_token_anywhere_is_a_clear_error()
    {
        string? before = Environment.GetEnvironmentVariable("VAULT_TOKEN");
        string? home = Environment.GetEnvironmentVariable("HOME");
        string emptyHome = Directory.CreateTempSubdirectory("crdbvault-home").FullName;
        try
        {
            Environment.SetEnvironmentVariable("VAULT_TOKEN", null);
            Environment.SetEnvironmentVariable("HOME", emptyHome);
            using var ps = NewSession();
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress").SingleError();
            Assert.StartsWith("MissingVaultToken", e.FullyQualifiedErrorId);
            Assert.Contains("VAULT_TOKEN", e.Exception.Message);
            Assert.Contains("vault login", e.Exception.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VAULT_TOKEN", before);
            Environment.SetEnvironmentVariable("HOME", home);
            Directory.Delete(emptyHome, true);
        }
    }

    [Fact]
    public void The_vault_token_file_is_read_when_no_environment_variable_is_set()
    {
        string? before = Environment.GetEnvironmentVariable("VAULT_TOKEN");
        string? home = Environment.GetEnvironmentVariable("HOME");
        string dir = Directory.CreateTempSubdirectory("crdbvault-home").FullName;
        try
        {
            var token = sandbox.World.Vault.CreateToken(["default"], TimeSpan.FromHours(1));
            File.WriteAllText(Path.Combine(dir, ".vault-token"), token.Id + "\n");
            Environment.SetEnvironmentVariable("VAULT_TOKEN", null);
            Environment.SetEnvironmentVariable("HOME", dir);
            using var ps = NewSession();
            var r = ps.Run("(Connect-CrdbVault -Address $VaultAddress).TokenAccessor").AssertSuccess();
            Assert.Equal(token.Accessor, r.Output[0].BaseObject);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VAULT_TOKEN", before);
            Environment.SetEnvironmentVariable("HOME", home);
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_bad_token_is_an_authentication_error_that_says_what_to_do()
    {
        using var ps = NewSession();
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', 'hvs.not-a-token').SecurePassword)").SingleError();
        Assert.StartsWith("VaultInvalidToken", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        Assert.Contains("parameter", e.Exception.Message);
        Assert.DoesNotContain("hvs.not-a-token", e.ToString());
    }

    [Theory]
    [InlineData("vault.example.com:8200")]
    [InlineData("ftp://vault")]
    [InlineData("https://user:pw@vault")]
    public void A_malformed_address_fails_before_any_request(string address)
    {
        using var ps = NewSession();
        ps.SetVariable("Bad", address);
        int before = sandbox.World.Vault.RequestLog.Snapshot().Count;
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $Bad -Token ([System.Net.NetworkCredential]::new('', 'x').SecurePassword)").SingleError();
        Assert.StartsWith("InvalidVaultAddress", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        Assert.Contains("https://vault.example.com:8200", e.Exception.Message);
        Assert.Equal(before, sandbox.World.Vault.RequestLog.Snapshot().Count);
    }

    [Fact]
    public void Connection_refused_is_a_connection_error()
    {
        using var ps = NewSession();
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address 'http://127.0.0.1:1' -Token ([System.Net.NetworkCredential]::new('', 'x').SecurePassword)").SingleError();
        Assert.StartsWith("VaultConnectionFailed", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        Assert.Contains("127.0.0.1:1", e.Exception.Message);
    }

    [Fact]
    public void The_namespace_is_sent_on_every_request()
    {
        using var ps = NewSession();
        ps.Run("Connect-CrdbVault -Address $VaultAddress -Namespace 'admin/team' -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) | Out-Null").AssertSuccess();
        var last = sandbox.World.Vault.RequestLog.Snapshot().Last(r => r.Path.Contains("lookup-self"));
        Assert.Equal("admin/team/", last.Namespace);
    }

    [Fact]
    public async Task AppRole_login_works_and_the_secret_id_never_shows()
    {
        string mount = SandboxFixture.Unique("approle");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "approle" })).Code);
        Assert.True((await sandbox.RootAsync("POST", $"auth/{mount}/role/runbook", new { token_policies = new[] { "default" }, token_ttl = "1h" })).Code is 200 or 204);
        string roleId = (await sandbox.RootAsync("GET", $"auth/{mount}/role/runbook/role-id")).Data!["role_id"]!.GetValue<string>();
        string secretId = (await sandbox.RootAsync("POST", $"auth/{mount}/role/runbook/secret-id")).Data!["secret_id"]!.GetValue<string>();

        using var ps = NewSession();
        ps.SetVariable("RoleId", roleId);
        ps.SetVariable("SecretIdText", secretId);
        ps.SetVariable("AuthMount", mount);
        var r = ps.Run("Connect-CrdbVault -Address $VaultAddress -RoleId $RoleId -SecretId ([System.Net.NetworkCredential]::new('', $SecretIdText).SecurePassword) -AuthMount $AuthMount -Verbose", verbose: true).AssertSuccess();
        dynamic c = r.Output[0];
        Assert.Equal("approle", (string)c.AuthMethod);
        Assert.True((bool)c.Renewable);
        Assert.DoesNotContain(secretId, r.AllText());

        ps.SetVariable("SecretIdText", "wrong-secret");
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -RoleId $RoleId -SecretId ([System.Net.NetworkCredential]::new('', $SecretIdText).SecurePassword) -AuthMount $AuthMount").SingleError();
        Assert.StartsWith("VaultInvalidRequest", e.FullyQualifiedErrorId);
        Assert.Contains($"auth/{mount}/login", e.Exception.Message);
    }

    [Fact]
    public void Cmdlets_without_a_connection_say_how_to_connect()
    {
        using var ps = NewSession();
        ErrorRecord e = ps.Run("New-CrdbDynamicCredential -Role app").SingleError();
        Assert.StartsWith("VaultNotConnected", e.FullyQualifiedErrorId);
        Assert.Contains("Connect-CrdbVault", e.Exception.Message);
    }

    [Fact]
    public void Disconnect_revoke_revokes_the_token()
    {
        var token = sandbox.World.Vault.CreateToken(["default"], TimeSpan.FromHours(1));
        using var ps = NewSession();
        ps.SetVariable("T", token.Id);
        ps.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $T).SecurePassword) | Out-Null; Disconnect-CrdbVault -Revoke -Confirm:$false").AssertSuccess();
        Assert.True(token.Revoked);
        ErrorRecord e = ps.Run("Get-CrdbVaultRole").SingleError();
        Assert.StartsWith("VaultNotConnected", e.FullyQualifiedErrorId);
    }
}
