using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

[Collection("sandbox")]
public sealed class DatabaseSetupTests(SandboxFixture sandbox) : CredentialTestBase(sandbox)
{
    [Fact]
    public async Task Initialize_enables_the_mount_and_writes_a_cockroachdb_correct_connection()
    {
        var r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin
            """).AssertSuccess();
        dynamic c = r.Output.Single();
        Assert.True((bool)c.MountCreated);
        Assert.Equal($"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{Sandbox.World.Postgres.Port}/postgres?sslmode=verify-full&sslrootcert={Uri.EscapeDataString(Sandbox.World.Postgres.CaCertificatePath)}",
            (string)c.ConnectionUrl);
        Assert.EndsWith("| lowercase }}", (string)c.UsernameTemplate);
        Assert.Empty(r.Warnings);
        Assert.DoesNotContain(Sandbox.World.Postgres.AdminPassword, r.AllText());

        var config = await Sandbox.RootAsync("GET", $"{Mount}/config/pg");
        Assert.Equal("postgresql-database-plugin", config.Data!["plugin_name"]!.GetValue<string>());
        Assert.DoesNotContain(Sandbox.World.Postgres.AdminPassword, config.Text);

        // Idempotent: a second run changes the config in place and says the mount was already there.
        var again = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
            """).AssertSuccess();
        Assert.False((bool)((dynamic)again.Output.Single()).MountCreated);
    }

    [Fact]
    public void A_plaintext_connection_is_warned_about_and_the_TLS_only_server_refuses_it()
    {
        ErrorRecord e = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=disable" -Credential $admin -WarningVariable w -WarningAction SilentlyContinue
            """).SingleError();
        string warnings = string.Join("\n", ((System.Collections.IEnumerable)Session.GetVariable("w")!).Cast<object>());
        Assert.Contains("sslmode=disable", warnings);
        Assert.Contains("verify-full", warnings);
        // Vault checks the connection, and the server (like a secure CockroachDB cluster) has no plaintext entry.
        Assert.StartsWith("DatabaseConfigFailed", e.FullyQualifiedErrorId);
        Assert.Contains("no encryption", e.Exception.Message);
    }

    [Fact]
    public void WhatIf_changes_nothing()
    {
        int before = VaultRequestCount;
        var r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WhatIf -WarningAction SilentlyContinue
            """).AssertSuccess();
        Assert.Empty(r.Output);
        Assert.Null(Sandbox.World.Vault.Mounts.Get(Mount));
        Assert.Equal(before, VaultRequestCount);
    }

    [Theory]
    [InlineData("postgresql://root:hunter2@db:26257/defaultdb", "Remove 'user:password@'")]
    [InlineData("http://db:26257/defaultdb", "postgresql://")]
    [InlineData("postgresql://db/defaultdb?sslmode=maybe", "sslmode")]
    public void Bad_connection_urls_fail_before_any_request(string url, string hint)
    {
        Session.SetVariable("Url", url);
        int before = VaultRequestCount;
        ErrorRecord e = Session.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl $Url -Credential $admin").SingleError();
        Assert.StartsWith("InvalidDatabaseConnectionArgument", e.FullyQualifiedErrorId);
        Assert.Contains(hint, e.Exception.Message);
        Assert.DoesNotContain("hunter2", e.ToString());
        Assert.Equal(before, VaultRequestCount);
    }

    [Theory]
    [InlineData("team/../db")]
    [InlineData("my db")]
    [InlineData("db?x=1")]
    public void Bad_mount_paths_fail_before_any_request(string mount)
    {
        Session.SetVariable("BadMount", mount);
        int before = VaultRequestCount;
        ErrorRecord e = Session.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $BadMount -ConnectionUrl 'postgresql://db/x' -Credential $admin").SingleError();
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public void A_nested_mount_works()
    {
        Session.SetVariable("Nested", $"team/{Mount}");
        var r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Nested -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
            Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Nested -GrantRole pg_read_all_data -WarningAction SilentlyContinue
            """);
        // pg_read_all_data is a reserved name for CockroachDB (pg_ prefix): refused before any request.
        Assert.StartsWith("InvalidRoleArgument", r.SingleError().FullyQualifiedErrorId);
        Session.Run("Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Nested -Grant 'CONNECT ON DATABASE postgres' | Out-Null").AssertSuccess();
        var cred = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Nested").AssertSuccess();
        Assert.StartsWith($"team/{Mount}/creds/app/", (string)((dynamic)cred.Output.Single()).LeaseId);
    }

    [Fact]
    public void A_mount_of_another_engine_type_is_refused()
    {
        Sandbox.World.Vault.EnableSecretsEngine(Mount, "transit");
        ErrorRecord e = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
            """).SingleError();
        Assert.Contains("'transit' engine", e.Exception.Message);
        Assert.Contains("-MountPath", e.Exception.Message);
    }

    [Fact]
    public void Vault_checks_the_connection_and_the_error_says_why()
    {
        ErrorRecord e = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:1/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
            """).SingleError();
        Assert.StartsWith("DatabaseConfigFailed", e.FullyQualifiedErrorId);
        Assert.Contains($"{Mount}/config/pg", e.Exception.Message);
    }

    [Fact]
    public async Task RotateRoot_rotates_the_password_so_only_vault_knows_it()
    {
        string user = SandboxFixture.Unique("vault_admin");
        await ExecSqlAsync($"CREATE ROLE {user} WITH LOGIN SUPERUSER PASSWORD 'initial-pw-123'");
        Session.SetVariable("VaultAdmin", user);
        var r = Session.Run("""
            $va = [pscredential]::new($VaultAdmin, [System.Net.NetworkCredential]::new('', 'initial-pw-123').SecurePassword)
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $va -RotateRoot -WarningAction Continue
            """).AssertSuccess();
        Assert.True((bool)((dynamic)r.Output.Single()).RootRotated);
        Assert.Contains(r.Warnings, w => w.Contains("only Vault knows"));
        var login = Session.Run("Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa -Credential $va");
        Assert.StartsWith("SqlAuthenticationFailed", login.SingleError().FullyQualifiedErrorId);
        // Vault still works with the rotated password.
        Session.Run("Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' | Out-Null; New-CrdbDynamicCredential -Role app -MountPath $Mount | Revoke-CrdbLease -Sync").AssertSuccess();
    }
}
