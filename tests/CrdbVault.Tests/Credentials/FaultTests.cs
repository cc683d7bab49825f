using System.Management.Automation;
using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>What users see when Vault, the network or the database misbehave.</summary>
[Collection("sandbox")]
public sealed class FaultTests : CredentialTestBase
{
    public FaultTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        Session.Run("Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' | Out-Null").AssertSuccess();
    }

    private Fault AddFault(Fault fault) => Sandbox.World.Options.Faults.Add(fault);

    [Fact]
    public void Reads_are_retried_through_5xx_then_succeed()
    {
        Fault f = AddFault(new Fault { PathPrefix = $"{Mount}/roles/app", Status = 503, Errors = ["Vault is sealed"], Times = 2 });
        var r = Session.Run("Get-CrdbVaultRole -Name app -MountPath $Mount -Verbose", verbose: true).AssertSuccess();
        Assert.Single(r.Output);
        Assert.Equal(2, f.Hits);
        Assert.Contains(r.Verbose, v => v.Contains("retrying"));
    }

    [Fact]
    public async Task Issuing_is_never_retried_and_the_error_says_where_to_look()
    {
        Fault f = AddFault(new Fault { PathPrefix = $"{Mount}/creds/app", Status = 500, Errors = ["internal error"], AfterExecution = true, Times = 1 });
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount").SingleError();
        Assert.Equal(1, f.Hits);
        Assert.StartsWith("VaultServerError", e.FullyQualifiedErrorId);
        Assert.Contains($"Get-CrdbLease -Prefix '{Mount}/creds/app'", e.Exception.Message);
        Assert.NotNull(e.ErrorDetails?.RecommendedAction);
        // The credential was in fact created: the hint finds it, and revoke-prefix cleans it up.
        var leases = Session.Run("Get-CrdbLease -Prefix \"$Mount/creds/app\"").AssertSuccess();
        Assert.Single(leases.Output);
        Session.Run("Revoke-CrdbLease -Prefix \"$Mount/creds/app\" -Sync").AssertSuccess();
        Assert.Equal(0, await CountRolesAsync("v-token-app-%"));
    }

    [Fact]
    public void A_missing_policy_and_a_bad_token_are_told_apart()
    {
        Sandbox.World.Vault.WritePolicy(Mount + "-issuer", $"path \"{Mount}/creds/app\" {{ capabilities = [\"read\"] }}");
        var token = Sandbox.World.Vault.CreateToken([Mount + "-issuer"], TimeSpan.FromHours(1));
        Session.SetVariable("Issuer", token.Id);
        Session.Run("$issuer = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $Issuer).SecurePassword) -NoDefault").AssertSuccess();
        Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount -Vault $issuer | Revoke-CrdbLease -Sync").AssertSuccess();

        ErrorRecord denied = Session.Run("Get-CrdbVaultRole -Name app -MountPath $Mount -Vault $issuer").SingleError();
        Assert.StartsWith("VaultPermissionDenied", denied.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, denied.CategoryInfo.Category);
        Assert.Contains($"\"{Mount}/roles/app\"", denied.Exception.Message);
        Assert.Contains("policy", denied.Exception.Message);

        token.Revoked = true;
        ErrorRecord invalid = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount -Vault $issuer").SingleError();
        Assert.StartsWith("VaultInvalidToken", invalid.FullyQualifiedErrorId);
        Assert.Contains("Connect-CrdbVault", invalid.Exception.Message);
    }

    [Fact]
    public void Revoke_prefix_without_sudo_is_a_permission_error_naming_the_path()
    {
        Sandbox.World.Vault.WritePolicy(Mount + "-nosudo", $"path \"sys/leases/revoke-prefix/*\" {{ capabilities = [\"update\"] }}");
        var token = Sandbox.World.Vault.CreateToken([Mount + "-nosudo"], TimeSpan.FromHours(1));
        Session.SetVariable("NoSudo", token.Id);
        ErrorRecord e = Session.Run("""
            $c = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $NoSudo).SecurePassword) -NoDefault
            Revoke-CrdbLease -Prefix "$Mount/creds/app" -Vault $c
            """).SingleError();
        Assert.StartsWith("VaultPermissionDenied", e.FullyQualifiedErrorId);
        Assert.Contains("sys/leases/revoke-prefix", e.Exception.Message);
    }

    [Fact]
    public void A_slow_vault_is_a_timeout()
    {
        AddFault(new Fault { PathPrefix = $"{Mount}/roles/app", Delay = TimeSpan.FromSeconds(4), Times = 3 });
        ErrorRecord e = Session.Run("""
            $slow = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -Timeout 1 -NoDefault
            Get-CrdbVaultRole -Name app -MountPath $Mount -Vault $slow
            """).SingleError();
        Assert.StartsWith("VaultTimeout", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
        Sandbox.World.Options.Faults.Clear();
    }

    [Fact]
    public void Ctrl_c_cancels_a_request_in_flight()
    {
        // The request is held for a minute, then answered normally: a stop that did not cancel it would
        // end with a credential in the output once the minute is over.
        Fault held = new() { PathPrefix = $"{Mount}/creds/app", Delay = TimeSpan.FromMinutes(1), Times = 1 };
        AddFault(held);
        var r = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount", stopWhen: () => held.Hits > 0);
        Assert.True(r.Stopped, "the pipeline should report it was stopped");
        Assert.Empty(r.Output);
        Assert.Equal(1, held.Hits);
        Sandbox.World.Options.Faults.Clear();
    }

    [Fact]
    public void A_database_that_is_down_while_vault_is_up_is_reported_by_vault_as_nothing_issued()
    {
        Session.Run("""
            Initialize-CrdbVaultDatabase -Name down -MountPath $Mount -ConnectionUrl "postgresql://127.0.0.1:1/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -SkipConnectionCheck -WarningAction SilentlyContinue | Out-Null
            Set-CrdbVaultRole -Name downapp -ConnectionName down -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' | Out-Null
            """).AssertSuccess();
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role downapp -MountPath $Mount").SingleError();
        Assert.StartsWith("VaultServerError", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, e.CategoryInfo.Category);
        Assert.Contains("No credential was issued", e.Exception.Message);
        Assert.DoesNotContain("may have been issued", e.Exception.Message);
        Assert.Empty(Session.Run($"Get-CrdbLease -Prefix \"$Mount/creds/downapp\"").AssertSuccess().Output);
    }

    [Fact]
    public async Task A_creation_statement_that_fails_is_reported_plainly_as_nothing_issued_in_Vaults_words()
    {
        // CREATE ROLE succeeds, the GRANT on a table that does not exist fails: Vault rolls the
        // transaction back, so no user exists and Vault keeps no lease.
        Session.Run("Set-CrdbVaultRole -Name badgrant -ConnectionName pg -MountPath $Mount -Grant 'SELECT ON TABLE no_such_table_here' | Out-Null").AssertSuccess();
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role badgrant -MountPath $Mount").SingleError();

        Assert.StartsWith("VaultServerError", e.FullyQualifiedErrorId);
        string message = e.Exception.Message;
        Assert.StartsWith("No credential was issued", message);
        Assert.Contains("the role's SQL statements failed", message);
        Assert.Contains("no_such_table_here", message); // Vault's (and PostgreSQL's) own words
        Assert.Contains($"Get-CrdbVaultRole -Name badgrant -MountPath '{Mount}'", message);
        Assert.DoesNotContain("may have been issued", message);
        Assert.False((bool)((dynamic)e.Exception).MayHaveExecuted);
        Assert.Equal(0, await CountRolesAsync("v-token-badgrant-%"));
        Assert.Empty(Session.Run($"Get-CrdbLease -Prefix \"$Mount/creds/badgrant\"").AssertSuccess().Output);
    }

    [Fact]
    public async Task A_gateway_error_without_Vaults_words_keeps_the_where_to_look_hint()
    {
        // A proxy in front of Vault answers 502 after Vault made the user: the outcome is unknown.
        Fault f = AddFault(new Fault { PathPrefix = $"{Mount}/creds/app", Status = 502, AfterExecution = true, Times = 1 });
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount").SingleError();
        Assert.Equal(1, f.Hits);
        Assert.StartsWith("VaultServerError", e.FullyQualifiedErrorId);
        Assert.Contains("A credential may have been issued", e.Exception.Message);
        Assert.Contains($"Get-CrdbLease -Prefix '{Mount}/creds/app'", e.Exception.Message);
        Assert.DoesNotContain("No credential was issued", e.Exception.Message);
        Assert.Single(Session.Run($"Get-CrdbLease -Prefix \"$Mount/creds/app\"").AssertSuccess().Output);
        Session.Run($"Revoke-CrdbLease -Prefix \"$Mount/creds/app\" -Sync").AssertSuccess();
        Assert.Equal(0, await CountRolesAsync("v-token-app-%"));
    }

    [Fact]
    public void A_standby_redirect_is_followed_once()
    {
        Fault f = AddFault(new Fault { PathPrefix = $"{Mount}/roles/app", Redirect = true, Times = 1 });
        Session.Run("Get-CrdbVaultRole -Name app -MountPath $Mount").AssertSuccess();
        Assert.Equal(1, f.Hits);
    }
}
