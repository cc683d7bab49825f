using System.Management.Automation;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Initialize-CrdbVaultJwtAuth against the Vault double: the role it writes admits the job it names
/// (a real login through the identity double) and only that job; it is idempotent, shows every step
/// under -WhatIf, never re-points a mount that trusts another issuer and refuses an unpinned role.
/// </summary>
[Collection("sandbox")]
public sealed class InitializeJwtAuthTests(SandboxFixture sandbox)
{
    private IdentityFacts Facts => sandbox.World.Identity.Facts;

    private PowerShellSession Session() => new(new Dictionary<string, object?>
    {
        ["VaultAddress"] = sandbox.World.VaultAddress,
        ["RootToken"] = sandbox.World.RootToken,
        ["Facts"] = Facts,
    });

    private static ScriptResult Connected(PowerShellSession ps, string script) => ps.Run(
        "$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)\n" + script);

    [Fact]
    public void A_pipeline_role_on_a_new_mount_admits_that_pipeline_only_and_a_second_run_changes_nothing()
    {
        using PowerShellSession ps = Session();
        string mount = SandboxFixture.Unique("jwt-ado");
        ps.SetVariable("AuthMount", mount);
        ScriptResult r = Connected(ps, """
            $r = Initialize-CrdbVaultJwtAuth -Name build -Policy crdbvault-creds -AzureDevOpsOrganizationId $Facts.OrganizationId `
                -ProjectId $Facts.ProjectId -PipelineDefinitionId 7 -AuthMount $AuthMount -TokenTtl 30m -TokenMaxTtl 2h
            $r
            ($r | Format-Table | Out-String -Width 400)
            $again = Initialize-CrdbVaultJwtAuth -Name build -Policy crdbvault-creds -AzureDevOpsOrganizationId $Facts.OrganizationId `
                -ProjectId $Facts.ProjectId -PipelineDefinitionId 7 -AuthMount $AuthMount -TokenTtl 30m -TokenMaxTtl 2h -Verbose
            $again
            """).AssertSuccess();
        dynamic first = r.Output[0];
        Assert.Equal("CrdbVault.VaultJwtAuthRole", r.Output[0].TypeNames[0]);
        Assert.True((bool)first.MountCreated && (bool)first.IssuerConfigured && (bool)first.RoleWritten);
        Assert.Equal("https://vstoken.dev.azure.com/" + Facts.OrganizationId, (string)first.Issuer);
        Assert.Contains("def_id=7", (string)r.Output[1].BaseObject);
        dynamic second = r.Output[2];
        Assert.False((bool)second.MountCreated || (bool)second.IssuerConfigured || (bool)second.RoleWritten);
        Assert.Contains(r.Verbose, v => v.Contains("nothing written"));

        using var job = new EnvironmentScope(new Dictionary<string, string?>
        {
            ["SYSTEM_OIDCREQUESTURI"] = sandbox.World.Identity.SystemOidcRequestUri, ["SYSTEM_ACCESSTOKEN"] = Facts.SystemAccessToken,
        });
        ScriptResult login = ps.Run("(Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role build -AuthMount $AuthMount -NoDefault).Policies")
            .AssertSuccess();
        Assert.Contains("crdbvault-creds", login.Output.Select(o => o.BaseObject));
        try
        {
            sandbox.World.Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.AzureDevOps, Claims = { ["def_id"] = "8" } });
            ErrorRecord other = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role build -AuthMount $AuthMount -NoDefault").SingleError();
            Assert.StartsWith("VaultLoginRejected", other.FullyQualifiedErrorId);
        }
        finally { sandbox.World.Identity.Faults.Clear(); }
    }

    [Fact]
    public void WhatIf_shows_every_step_and_writes_nothing()
    {
        string mount = SandboxFixture.Unique("jwt-gh");
        using var host = new RecordingHost(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["RootToken"] = sandbox.World.RootToken, ["AuthMount"] = mount,
        });
        host.Run("""
            $null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)
            Initialize-CrdbVaultJwtAuth -Name deploy -Policy crdbvault-creds -GitHubRepository crdbvault/infra -GitHubRef refs/heads/main `
                -AuthMount $AuthMount -WhatIf
            """);
        string text = string.Join("\n", host.WhatIf);
        Assert.Contains($"auth/{mount}/", text);
        Assert.Contains("Enable the jwt auth method", text);
        Assert.Contains("Trust tokens of https://token.actions.githubusercontent.com", text);
        Assert.Contains("bound_claims repository=crdbvault/infra, ref=refs/heads/main", text);
        Assert.Contains("audience https://github.com/crdbvault", text);
        Assert.Null(sandbox.World.Vault.Mounts.Get("auth/" + mount));
    }

    [Fact]
    public async Task A_mount_that_trusts_another_issuer_is_never_re_pointed()
    {
        using PowerShellSession ps = Session();
        ErrorRecord e = Connected(ps, """
            Initialize-CrdbVaultJwtAuth -Name other -Policy default -EntraTenantId $Facts.TenantId -Subject '/eid1/c/pub/t/x/a/y/sc/z/w' `
                -AuthMount jwt-github
            """).SingleError();
        Assert.StartsWith("JwtMountConflict", e.FullyQualifiedErrorId);
        Assert.Contains("already trusts https://token.actions.githubusercontent.com", e.Exception.Message);
        Assert.Contains("jwt-entra", e.Exception.Message);
        Assert.Equal(404, (await sandbox.RootAsync("GET", "auth/jwt-github/role/other")).Code);
    }

    [Fact]
    public void A_role_without_a_pin_or_with_a_subject_of_the_wrong_issuer_is_refused_before_any_request()
    {
        using PowerShellSession ps = Session();
        ErrorRecord blank = Connected(ps, "Initialize-CrdbVaultJwtAuth -Name x -Policy default -AzureDevOpsOrganizationId $Facts.OrganizationId -Subject ' '")
            .SingleError();
        Assert.StartsWith("InvalidJwtAuthArgument", blank.FullyQualifiedErrorId);
        ErrorRecord entraSubject = ps.Run("Initialize-CrdbVaultJwtAuth -Name x -Policy default -AzureDevOpsOrganizationId $Facts.OrganizationId " +
            "-Subject '/eid1/c/pub/t/x'").SingleError();
        Assert.StartsWith("InvalidJwtAuthArgument", entraSubject.FullyQualifiedErrorId);
        Assert.Contains("-EntraTenantId", entraSubject.Exception.Message);
        ErrorRecord repo = ps.Run("Initialize-CrdbVaultJwtAuth -Name x -Policy default -GitHubRepository 'crdbvault'").SingleError();
        Assert.StartsWith("InvalidJwtAuthArgument", repo.FullyQualifiedErrorId);
        Assert.Contains("owner", repo.Exception.Message);
    }
}
