using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Initialize-CrdbVaultDatabase proves at setup that Vault's SQL user can do what credentials will
/// need later: it issues and revokes a probe user through Vault, so a missing privilege (PostgreSQL
/// 15: "permission denied to reassign objects") shows now, naming the privilege, instead of at the
/// first revocation. And every step, the irreversible -RotateRoot above all, shows under -WhatIf.
/// </summary>
[Collection("sandbox")]
public sealed class DatabasePrivilegeTests(SandboxFixture sandbox) : CredentialTestBase(sandbox)
{
    private const string Probe = "crdbvault-privilege-probe";

    private async Task<string> CreateSqlUserAsync(string options)
    {
        string user = SandboxFixture.Unique("vault_sql");
        await ExecSqlAsync($"CREATE ROLE {user} WITH LOGIN {options} PASSWORD 'pw-{user}'");
        Session.SetVariable("VaultUser", user);
        Session.Run("$va = [pscredential]::new($VaultUser, [System.Net.NetworkCredential]::new('', 'pw-' + $VaultUser).SecurePassword)").AssertSuccess();
        return user;
    }

    private ScriptResult Initialize(string extra = "") => Session.Run($$"""
        Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $va -WarningAction SilentlyContinue {{extra}}
        """, verbose: true);

    [Fact]
    public async Task A_user_with_only_CREATEROLE_fails_at_setup_naming_the_missing_privilege()
    {
        string user = await CreateSqlUserAsync("CREATEROLE");

        ErrorRecord e = Initialize().SingleError();

        Assert.StartsWith("DatabasePrivilegeMissing", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, e.CategoryInfo.Category);
        Assert.Contains("permission denied to reassign objects", e.Exception.Message);
        Assert.Contains("REASSIGN OWNED", e.Exception.Message);
        Assert.Contains(user, e.Exception.Message);
        Assert.Contains("SUPERUSER", e.Exception.Message);
        Assert.DoesNotContain("rejected the request as sent", e.Exception.Message);
        Assert.Contains("Revoke-CrdbLease -LeaseId", e.Exception.Message);
        // The connection itself was written (so the fix is a GRANT, then running again).
        Assert.Equal(200, (await Sandbox.RootAsync("GET", $"{Mount}/config/pg")).Code);

        // -SkipPrivilegeCheck writes the connection without the probe.
        ScriptResult skipped = Initialize("-SkipPrivilegeCheck");
        Assert.Empty(skipped.AllErrors);
        Assert.Single(skipped.Output);
    }

    [Fact]
    public async Task A_user_without_CREATEROLE_fails_at_setup_and_no_probe_role_is_left()
    {
        await CreateSqlUserAsync("");
        ErrorRecord e = Initialize().SingleError();
        Assert.StartsWith("DatabasePrivilegeMissing", e.FullyQualifiedErrorId);
        Assert.Contains("permission denied to create role", e.Exception.Message);
        Assert.Contains("CREATEROLE", e.Exception.Message);
        Assert.Equal(404, (await Sandbox.RootAsync("GET", $"{Mount}/roles/{Probe}")).Code);
    }

    [Fact]
    public async Task A_user_with_enough_privileges_passes_and_the_probe_leaves_nothing_behind()
    {
        await CreateSqlUserAsync("SUPERUSER");
        long before = await CountRolesAsync("v-token-crdbvaul-%");

        ScriptResult r = Initialize();

        Assert.Empty(r.AllErrors);
        Assert.Single(r.Output);
        Assert.Contains(r.Verbose, v => v.Contains("privilege check passed"));
        Assert.Equal(before, await CountRolesAsync("v-token-crdbvaul-%"));
        Assert.Equal(404, (await Sandbox.RootAsync("GET", $"{Mount}/roles/{Probe}")).Code);
        Assert.Contains(Sandbox.World.Vault.RequestLog.Snapshot(), x => x.Path == $"{Mount}/creds/{Probe}" && x.Status == 200);
    }

    [Fact]
    public async Task When_allowed_roles_exclude_the_probe_the_check_is_skipped_with_a_warning()
    {
        await CreateSqlUserAsync("SUPERUSER");
        ScriptResult r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $va -AllowedRoles app
            """);
        Assert.Empty(r.AllErrors);
        Assert.Contains(r.Warnings, w => w.Contains("privilege check") && w.Contains(Probe) && w.Contains("-AllowedRoles"));
        Assert.DoesNotContain(Sandbox.World.Vault.RequestLog.Snapshot(), x => x.Path == $"{Mount}/creds/{Probe}");
    }

    [Fact]
    public void Every_step_shows_under_WhatIf_RotateRoot_included()
    {
        using var host = new RecordingHost(new Dictionary<string, object?>
        {
            ["VaultAddress"] = Sandbox.World.VaultAddress, ["RootToken"] = Sandbox.World.RootToken, ["Mount"] = Mount,
            ["SqlHost"] = Sandbox.World.Postgres.Host, ["SqlPort"] = Sandbox.World.Postgres.Port, ["SqlCa"] = Sandbox.World.Postgres.CaCertificatePath,
        });
        int before = VaultRequestCount;
        host.Run("""
            $null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)
            $va = [pscredential]::new('vault', [System.Net.NetworkCredential]::new('', 'x').SecurePassword)
            Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $va -RotateRoot -WhatIf -WarningAction SilentlyContinue
            """);
        IReadOnlyList<string> whatIf = host.WhatIf;
        Assert.Contains(whatIf, l => l.Contains("Enable the database secrets engine"));
        Assert.Contains(whatIf, l => l.Contains("Write the connection"));
        Assert.Contains(whatIf, l => l.Contains("privileges") && l.Contains(Probe));
        Assert.Contains(whatIf, l => l.Contains("Rotate the password of 'vault'") && l.Contains("cannot be undone"));
        Assert.Null(Sandbox.World.Vault.Mounts.Get(Mount));
        Assert.Equal(before + 1, VaultRequestCount); // only Connect-CrdbVault's lookup-self
    }

    [Theory]
    [InlineData("failed to revoke entry: 42501: permission denied to reassign objects", true)]
    [InlineData("failed to create user: 42501: permission denied to create role", true)]
    [InlineData("pq: user vault does not have CREATEROLE privilege", true)]
    [InlineData("failed to create user: Failed to connect to 127.0.0.1:1", false)]
    [InlineData("failed to create user: Name or service not known", false)]
    public void Only_refusals_by_the_database_count_as_a_missing_privilege(string said, bool privilege) =>
        Assert.Equal(privilege, CrdbVault.Core.Database.PrivilegeProbe.IsPrivilegeError(said));

    [Fact]
    public void SkipConnectionCheck_skips_the_privilege_check_too()
    {
        ScriptResult r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name down -MountPath $Mount -ConnectionUrl "postgresql://127.0.0.1:1/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -SkipConnectionCheck -WarningAction SilentlyContinue
            """, verbose: true);
        Assert.Empty(r.AllErrors);
        Assert.Contains(r.Verbose, v => v.Contains("privilege check was skipped"));
    }
}
