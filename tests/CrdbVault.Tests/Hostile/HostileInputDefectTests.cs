using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// The defects of issue 8, each as an attacker (or an unlucky runbook) typed it, against the
/// sandbox. Every refusal must come before any request: the Vault double's request counter
/// proves it.
/// </summary>
[Collection("sandbox")]
public sealed class HostileInputDefectTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-hostile-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private long VaultRequests => sandbox.World.Vault.RequestLog.Total;

    private PowerShellSession Connected()
    {
        var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["RootToken"] = sandbox.World.RootToken,
            ["SqlHost"] = sandbox.World.Postgres.Host,
            ["SqlPort"] = sandbox.World.Postgres.Port,
            ["SqlCa"] = sandbox.World.Postgres.CaCertificatePath,
            ["SqlAdmin"] = sandbox.World.Postgres.AdminUser,
            ["SqlAdminPassword"] = sandbox.World.Postgres.AdminPassword,
            ["Tmp"] = _tmp,
        });
        ps.Run("""
            $admin = [pscredential]::new($SqlAdmin, [System.Net.NetworkCredential]::new('', $SqlAdminPassword).SecurePassword)
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) | Out-Null
            """).AssertSuccess();
        return ps;
    }

    /// <summary>Runs <paramref name="script"/> and returns its single error, asserting that no request reached Vault.</summary>
    private ErrorRecord RefusedBeforeAnyRequest(PowerShellSession ps, string script)
    {
        long before = VaultRequests;
        ErrorRecord error = ps.Run(script).SingleError();
        Assert.Equal(before, VaultRequests);
        return error;
    }

    // ---- 1. Control characters and system paths ----

    [Fact]
    public async Task A_newline_dot_dot_role_name_cannot_unmount_an_engine_through_sys_mounts()
    {
        string mount = SandboxFixture.Unique("dbx");
        using PowerShellSession ps = Connected();
        ps.SetVariable("Mount", mount);
        ps.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl \"postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa\" -Credential $admin -WarningAction SilentlyContinue | Out-Null").AssertSuccess();

        ErrorRecord e = RefusedBeforeAnyRequest(ps, "Remove-CrdbVaultRole -Name \"..`n\" -MountPath \"sys/mounts/$Mount\" -Confirm:$false");

        Assert.StartsWith("InvalidRoleName,", e.FullyQualifiedErrorId);
        VaultHttpResult mounts = await sandbox.RootAsync("GET", "sys/mounts");
        Assert.NotNull(mounts.Data?[mount + "/"]);
    }

    [Fact]
    public void Mount_paths_inside_vault_system_paths_are_refused()
    {
        using PowerShellSession ps = Connected();
        foreach (string mount in new[] { "sys/mounts/database", "auth/token", "identity", "cubbyhole/x", "SYS/mounts" })
        {
            ErrorRecord e = RefusedBeforeAnyRequest(ps, $"Get-CrdbVaultRole -MountPath '{mount}'");
            Assert.StartsWith("InvalidMountPath,", e.FullyQualifiedErrorId);
            Assert.Contains("system", e.Exception.Message);
        }
    }

    [Fact]
    public void A_role_name_with_a_trailing_newline_issues_no_credential()
    {
        using PowerShellSession ps = Connected();
        ErrorRecord e = RefusedBeforeAnyRequest(ps, "New-CrdbDynamicCredential -Role \"app`n\"");
        Assert.StartsWith("InvalidRoleName,", e.FullyQualifiedErrorId);
        Assert.DoesNotContain("\n", e.Exception.Message.Split('\'')[1]);
    }

    [Fact]
    public void A_user_name_with_a_trailing_newline_writes_no_file()
    {
        using PowerShellSession ps = Connected();
        ErrorRecord e = RefusedBeforeAnyRequest(ps, "New-CrdbClientCert -User \"app_lf`n\" -CertsDir ($Tmp + '/certs')");
        Assert.StartsWith("InvalidClientCertArgument,", e.FullyQualifiedErrorId);
        Assert.False(Directory.Exists(Path.Combine(_tmp, "certs")));
    }

    // ---- 2. Parser budgets, as a user meets them ----

    [Fact]
    public void Hostile_manifests_end_in_InvalidCmekManifest_and_send_nothing_to_the_cloud()
    {
        var manifests = new Dictionary<string, string>
        {
            ["self-alias.yaml"] = "region_specs: &x [ *x ]",
            ["brackets.yaml"] = "region_specs: " + new string('[', 200 * 1024),
            ["laughs.yaml"] = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nregion_specs: *d\n",
            ["brackets.json"] = "{\"region_specs\":" + new string('[', 200 * 1024),
            ["duplicate.json"] = "{\"region_specs\":[],\"region_specs\":[]}",
        };
        using var ps = new PowerShellSession(new Dictionary<string, object?> { ["CloudServer"] = sandbox.World.CloudAddress, ["CloudApiKey"] = sandbox.World.CloudApiKey });
        ps.Run("$null = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword) -SkipVerify").AssertSuccess();
        foreach ((string name, string text) in manifests)
        {
            string path = Path.Combine(_tmp, name);
            File.WriteAllText(path, text);
            long before = sandbox.World.Cloud.TotalRequests;
            ErrorRecord e = ps.Run($"Set-CrdbCmek -ClusterId {sandbox.World.CloudClusterId} -ManifestPath '{path}'").SingleError();
            Assert.True(e.FullyQualifiedErrorId.StartsWith("InvalidCmekManifest,", StringComparison.Ordinal), name + ": " + e.FullyQualifiedErrorId + " " + e.Exception.Message);
            Assert.Equal(before, sandbox.World.Cloud.TotalRequests);
        }
    }

    // ---- 3. Secrets in URLs, plaintext transport ----

    [Fact]
    public void A_connection_url_with_a_password_is_refused_without_repeating_the_password()
    {
        using PowerShellSession ps = Connected();
        ps.SetVariable("Mount", SandboxFixture.Unique("db"));
        foreach (string url in new[] { "postgresql://admin:Hunter2Pw@db.example.com:26257/defaultdb", "postgresql://db.example.com:26257/defaultdb?sslmode=disable&password=Hunter2Pw" })
        {
            ps.SetVariable("Url", url);
            long before = VaultRequests;
            ScriptResult r = ps.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl $Url -Credential $admin");
            ErrorRecord e = r.SingleError();
            Assert.StartsWith("InvalidDatabaseConnectionArgument,", e.FullyQualifiedErrorId);
            Assert.Equal(before, VaultRequests);
            Assert.DoesNotContain("Hunter2Pw", r.AllText());
            Assert.DoesNotContain("Hunter2Pw", e.TargetObject?.ToString() ?? "");
        }
    }

    [Fact]
    public void Addresses_with_credentials_are_refused_without_repeating_them()
    {
        using var ps = new PowerShellSession();
        ScriptResult vault = ps.Run("Connect-CrdbVault -Address 'https://ops:Hunter2Pw@vault.example.com:8200' -Token ([System.Net.NetworkCredential]::new('', 'x').SecurePassword)");
        Assert.StartsWith("InvalidVaultAddress,", vault.SingleError().FullyQualifiedErrorId);
        Assert.DoesNotContain("Hunter2Pw", vault.AllText());
        ScriptResult cloud = ps.Run("Connect-CrdbCloud -ServerUrl 'https://ops:Hunter2Pw@cockroachlabs.cloud' -ApiKey ([System.Net.NetworkCredential]::new('', 'x').SecurePassword) -SkipVerify");
        Assert.StartsWith("InvalidCloudServer,", cloud.SingleError().FullyQualifiedErrorId);
        Assert.DoesNotContain("Hunter2Pw", cloud.AllText());
    }

    [Fact]
    public void A_token_sent_over_plain_http_to_another_host_gets_a_loud_warning_on_every_connect()
    {
        using var ps = new PowerShellSession();
        for (int i = 0; i < 2; i++)
        {
            // 192.0.2.1 (TEST-NET-1) never answers: the warning must come before the attempt.
            ScriptResult r = ps.Run("Connect-CrdbVault -Address 'http://192.0.2.1:8200' -Token ([System.Net.NetworkCredential]::new('', 'hvs.x').SecurePassword) -Timeout 0.2 -NoDefault");
            Assert.Contains(r.Warnings, w => w.Contains("http://", StringComparison.Ordinal) && w.Contains("unencrypted", StringComparison.OrdinalIgnoreCase));
        }
        ScriptResult local = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = sandbox.World.VaultAddress, ["RootToken"] = sandbox.World.RootToken })
            .Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -NoDefault").AssertSuccess();
        Assert.DoesNotContain(local.Warnings, w => w.Contains("unencrypted", StringComparison.OrdinalIgnoreCase));
    }

    // ---- 4. Checks after writes ----

    [Fact]
    public void A_server_with_a_path_and_query_cannot_smuggle_sslmode_into_the_url()
    {
        using var ps = new PowerShellSession();
        ErrorRecord e = ps.Run("""
            $c = [pscredential]::new('app', [System.Net.NetworkCredential]::new('', 'pw').SecurePassword)
            Get-CrdbConnectionString -Server 'localhost/postgres?port=1&sslmode=disable#' -Credential $c
            """).SingleError();
        Assert.StartsWith("InvalidConnectionArgument,", e.FullyQualifiedErrorId);
    }

    // ---- 6. Smaller, same family ----

    [Theory]
    [InlineData("$(CRDB_LEASE)")]
    [InlineData("${{ steps.cred.outputs.lease }}")]
    [InlineData("$env:CRDB_LEASE")]
    public void An_unexpanded_pipeline_macro_is_not_a_lease_id(string macro)
    {
        using PowerShellSession ps = Connected();
        ps.SetVariable("Macro", macro);
        foreach (string cmd in new[] { "Revoke-CrdbLease -LeaseId $Macro", "Update-CrdbLease -LeaseId $Macro", "Get-CrdbLease -LeaseId $Macro" })
        {
            ErrorRecord e = RefusedBeforeAnyRequest(ps, cmd);
            Assert.StartsWith("InvalidLeaseId,", e.FullyQualifiedErrorId);
            Assert.Contains("macro", e.Exception.Message);
        }
    }

    [Fact]
    public void Connect_without_address_or_VAULT_ADDR_is_an_error_naming_both()
    {
        string? addr = Environment.GetEnvironmentVariable("VAULT_ADDR");
        try
        {
            Environment.SetEnvironmentVariable("VAULT_ADDR", null);
            using var ps = new PowerShellSession();
            ErrorRecord e = ps.Run("Connect-CrdbVault -Token ([System.Net.NetworkCredential]::new('', 'hvs.x').SecurePassword)").SingleError();
            Assert.StartsWith("MissingVaultAddress,", e.FullyQualifiedErrorId);
            Assert.Contains("-Address", e.Exception.Message);
            Assert.Contains("VAULT_ADDR", e.Exception.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable("VAULT_ADDR", addr);
        }
    }

    [Fact]
    public async Task A_role_for_a_connection_that_does_not_exist_is_refused_and_not_written()
    {
        string mount = SandboxFixture.Unique("db");
        using PowerShellSession ps = Connected();
        ps.SetVariable("Mount", mount);
        ps.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl \"postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa\" -Credential $admin -WarningAction SilentlyContinue | Out-Null").AssertSuccess();

        ErrorRecord e = ps.Run("Set-CrdbVaultRole -Name orphan -ConnectionName nope -MountPath $Mount -GrantRole app_ro").SingleError();

        Assert.StartsWith("DatabaseConnectionNotFound,", e.FullyQualifiedErrorId);
        Assert.Contains("Initialize-CrdbVaultDatabase", e.Exception.Message);
        Assert.Null((await sandbox.RootAsync("GET", $"{mount}/roles/orphan")).Data);
    }

    [Fact]
    public void Granting_the_admin_role_needs_AllowAdminRole()
    {
        string mount = SandboxFixture.Unique("db");
        using PowerShellSession ps = Connected();
        ps.SetVariable("Mount", mount);
        ps.Run("Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl \"postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa\" -Credential $admin -WarningAction SilentlyContinue | Out-Null").AssertSuccess();

        ErrorRecord e = RefusedBeforeAnyRequest(ps, "Set-CrdbVaultRole -Name boss -ConnectionName pg -MountPath $Mount -GrantRole app_ro, admin");
        Assert.StartsWith("InvalidRoleArgument,", e.FullyQualifiedErrorId);
        Assert.Contains("-AllowAdminRole", e.Exception.Message);

        ScriptResult ok = ps.Run("Set-CrdbVaultRole -Name boss -ConnectionName pg -MountPath $Mount -GrantRole admin -AllowAdminRole -WarningAction SilentlyContinue").AssertSuccess();
        Assert.Contains("GRANT admin TO \"{{name}}\";", (string[])((dynamic)ok.Output.Single()).CreationStatements);
    }

    [Fact]
    public void Wildcards_in_paths_that_are_written_are_refused()
    {
        using PowerShellSession ps = Connected();
        ErrorRecord key = RefusedBeforeAnyRequest(ps, "New-CrdbStoreKey -Path ($Tmp + '/*.key')");
        Assert.StartsWith("InvalidStoreKeyArgument,", key.FullyQualifiedErrorId);
        Assert.Contains("wildcard", key.Exception.Message);
        ErrorRecord dir = RefusedBeforeAnyRequest(ps, "New-CrdbClientCert -User app -CertsDir ($Tmp + '/certs[1]')");
        Assert.StartsWith("InvalidClientCertArgument,", dir.FullyQualifiedErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_tmp));
    }

    [Theory]
    [InlineData("database")]
    [InlineData("database/")]
    [InlineData("team/database")]
    [InlineData("database/creds")]
    [InlineData("database/creds/")]
    public void Revoking_every_lease_of_a_mount_needs_Force(string prefix)
    {
        using PowerShellSession ps = Connected();
        ps.SetVariable("Prefix", prefix);
        ErrorRecord e = RefusedBeforeAnyRequest(ps, "Revoke-CrdbLease -Prefix $Prefix -Confirm:$false");
        Assert.StartsWith("LeasePrefixTooBroad,", e.FullyQualifiedErrorId);
        Assert.Contains("-Force", e.Exception.Message);
        ps.Run("Revoke-CrdbLease -Prefix $Prefix -Force -WhatIf").AssertSuccess();
    }

    [Fact]
    public void Revoking_the_leases_of_one_role_needs_no_Force()
    {
        using PowerShellSession ps = Connected();
        ps.Run("Revoke-CrdbLease -Prefix database/creds/app -WhatIf").AssertSuccess();
        ps.Run("Revoke-CrdbLease -Prefix cockroach_client_ca/issue/client -WhatIf").AssertSuccess();
    }
}
