using System.Management.Automation;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Sandbox.Vault.Engines.Pki;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>The certificate cmdlets typed as a user would, against the Vault double.</summary>
[Collection("sandbox")]
public sealed class CertificateCmdletTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-cmdlets-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private PowerShellSession Session(string mount)
    {
        var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["VaultToken"] = sandbox.World.RootToken,
            ["Mount"] = mount,
            ["Tmp"] = _tmp,
        });
        ps.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null").AssertSuccess();
        return ps;
    }

    private PowerShellSession Initialized(out string mount, string extra = "")
    {
        mount = SandboxFixture.Unique("pki");
        PowerShellSession ps = Session(mount);
        ps.Run($"Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Test Client CA' -KeyType ec {extra} | Out-Null").AssertSuccess();
        return ps;
    }

    private int IssueRequests(string mount) =>
        sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Path.StartsWith($"{mount}/issue/", StringComparison.Ordinal));

    [Fact]
    public void Empty_Vault_to_client_cert_in_a_certs_dir_in_three_commands()
    {
        string mount = SandboxFixture.Unique("pki");
        using PowerShellSession ps = Session(mount);
        ScriptResult r = ps.Run("""
            $ca = Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Cockroach Client CA'
            $cert = New-CrdbClientCert -MountPath $Mount -User app_reader -CertsDir ($Tmp + '/certs') -Pkcs8
            $ca; $cert
            """, verbose: true).AssertSuccess();
        var ca = ((dynamic)r.Output[0]);
        var cert = ((dynamic)r.Output[1]);
        Assert.Equal("Cockroach Client CA", ca.CommonName);
        Assert.Equal(mount, ca.MountPath);
        Assert.Equal("app_reader", cert.User);
        Assert.Null(cert.PrivateKey);
        string dir = Path.Combine(_tmp, "certs");
        Assert.Equal(Path.Combine(dir, "client.app_reader.key"), cert.KeyPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cert.KeyPath!));
        Assert.True(File.Exists(Path.Combine(dir, "client.app_reader.key.pk8")));
        Assert.Equal(ca.Pem.Trim(), File.ReadAllText(Path.Combine(dir, "ca.crt")).Trim());
        Assert.Equal("CN=app_reader", X509Certificate2.CreateFromPem(File.ReadAllText((string)cert.CertificatePath)).Subject);
        Assert.Equal(cert.Thumbprint, X509Certificate2.CreateFromPem(File.ReadAllText((string)cert.CertificatePath)).Thumbprint);
        Assert.Matches("^([0-9a-f]{2}:)+[0-9a-f]{2}$", cert.SerialNumber);
        // The key is in the file and nowhere in any stream.
        string keyBody = File.ReadAllText(cert.KeyPath!).Split('\n')[1];
        Assert.DoesNotContain(keyBody, r.AllText());
        Assert.DoesNotContain("PRIVATE KEY", r.AllText());
    }

    [Fact]
    public void Initialize_twice_changes_nothing_and_says_so_and_WhatIf_changes_nothing()
    {
        using PowerShellSession ps = Initialized(out string mount);
        ScriptResult again = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Test Client CA' -KeyType ec", verbose: true).AssertSuccess();
        Assert.Contains(again.Verbose, v => v.Contains("nothing changed"));
        Assert.Empty(again.Warnings);
        Assert.DoesNotContain(again.Verbose, v => v.StartsWith("Wrote") || v.StartsWith("Generated"));
        string thumb = (((dynamic)again.Output.Single())).Thumbprint;
        Assert.Equal(thumb, (((dynamic)ps.Run("Get-CrdbCertificateAuthority -MountPath $Mount").AssertSuccess().Output.Single())).Thumbprint);

        string other = SandboxFixture.Unique("pki");
        ps.SetVariable("Other", other);
        ScriptResult whatIf = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Other -CommonName X -WhatIf").AssertSuccess();
        Assert.Empty(whatIf.Output);
        Assert.Null(sandbox.World.Vault.Mounts.Get(other));
    }

    [Fact]
    public async Task Roles_and_issuer_policy_are_CockroachDB_safe_and_the_policy_stops_a_SAN_root()
    {
        using PowerShellSession ps = Initialized(out string mount);
        var role = (await sandbox.RootAsync("GET", $"{mount}/roles/client")).Data!;
        Assert.False(role["server_flag"]!.GetValue<bool>());
        Assert.True(role["client_flag"]!.GetValue<bool>());
        Assert.False(role["allow_ip_sans"]!.GetValue<bool>());
        Assert.False(role["allow_localhost"]!.GetValue<bool>());
        Assert.True((await sandbox.RootAsync("GET", $"{mount}/roles/node")).Data!["server_flag"]!.GetValue<bool>());

        string policy = (await sandbox.RootAsync("GET", $"sys/policies/acl/{mount}-client-issuer")).Data!["policy"]!.GetValue<string>();
        Assert.Contains("denied_parameters", policy);
        string issuer = sandbox.World.Vault.CreateToken([$"{mount}-client-issuer"]).Id;
        var withSan = await sandbox.SendAsync("POST", $"{mount}/issue/client", issuer, new { common_name = "alice", alt_names = "root" });
        Assert.Equal(403, withSan.Code);
        var plain = await sandbox.SendAsync("POST", $"{mount}/issue/client", issuer, new { common_name = "alice" });
        Assert.Equal(200, plain.Code);
        // ...and the module itself, run with that token, issues fine.
        ps.SetVariable("IssuerToken", issuer);
        ps.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $IssuerToken).SecurePassword) | Out-Null; New-CrdbClientCert -MountPath $Mount -User alice").AssertSuccess();
    }

    [Fact]
    public async Task An_unsafe_existing_role_is_rewritten_with_a_warning()
    {
        string mount = SandboxFixture.Unique("pki");
        using PowerShellSession ps = Session(mount);
        ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName CA -Kind Client -KeyType ec | Out-Null").AssertSuccess();
        Assert.Equal(200, (await sandbox.RootAsync("POST", $"{mount}/roles/client", new { allow_any_name = true, key_type = "ec" })).Code);
        ScriptResult r = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName CA -Kind Client -KeyType ec").AssertSuccess();
        Assert.Contains(r.Warnings, w => w.Contains("server_flag"));
        Assert.False((await sandbox.RootAsync("GET", $"{mount}/roles/client")).Data!["server_flag"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_certificate_from_a_loose_role_is_refused_revoked_and_not_written()
    {
        using PowerShellSession ps = Initialized(out string mount);
        Assert.Equal(200, (await sandbox.RootAsync("POST", $"{mount}/roles/loose", new { allow_any_name = true, key_type = "ec" })).Code);
        string dir = Path.Combine(_tmp, "loose");
        ps.SetVariable("Dir", dir);
        ErrorRecord e = ps.Run("New-CrdbClientCert -MountPath $Mount -Role loose -User alice -CertsDir $Dir").SingleError();
        Assert.Equal("CertificateRejected,CrdbVault.Commands.NewCrdbClientCertCommand", e.FullyQualifiedErrorId);
        Assert.Contains("serverAuth", e.Exception.Message);
        Assert.Contains("was revoked", e.Exception.Message);
        Assert.False(Directory.Exists(dir) && Directory.EnumerateFiles(dir).Any());
        var engine = (PkiEngine)sandbox.World.Vault.Mounts.Get(mount)!.Engine;
        string serial = engine.StoredSerials.Last(s => sandbox.RootAsync("GET", $"{mount}/cert/{s}").Result.Data!["revocation_time"]!.GetValue<long>() > 0);
        Assert.NotNull(serial);
    }

    [Theory]
    [InlineData("Alice", "use 'alice'")]
    [InlineData("app reader", "lower-case letters")]
    [InlineData("a@b", "lower-case letters")]
    [InlineData("node", "reserved")]
    public void Invalid_user_names_fail_before_any_request(string user, string hint)
    {
        using PowerShellSession ps = Initialized(out string mount);
        ps.SetVariable("U", user);
        int before = IssueRequests(mount);
        ErrorRecord e = ps.Run("New-CrdbClientCert -MountPath $Mount -User $U").SingleError();
        Assert.Equal("InvalidClientCertArgument,CrdbVault.Commands.NewCrdbClientCertCommand", e.FullyQualifiedErrorId);
        Assert.Contains(hint, e.Exception.Message);
        Assert.Equal(before, IssueRequests(mount));
    }

    [Fact]
    public void Existing_key_without_Force_changes_nothing_and_issues_nothing_and_Force_replaces()
    {
        using PowerShellSession ps = Initialized(out string mount);
        string dir = Path.Combine(_tmp, "keep");
        ps.SetVariable("Dir", dir);
        ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir | Out-Null").AssertSuccess();
        string key = File.ReadAllText(Path.Combine(dir, "client.alice.key"));
        int before = IssueRequests(mount);
        ErrorRecord e = ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir").SingleError();
        Assert.Contains("-Force", e.Exception.Message);
        Assert.Contains("Nothing was requested from Vault", e.Exception.Message);
        Assert.Equal(before, IssueRequests(mount));
        Assert.Equal(key, File.ReadAllText(Path.Combine(dir, "client.alice.key")));
        // A second user in the same dir shares ca.crt without -Force.
        ps.Run("New-CrdbClientCert -MountPath $Mount -User bob -CertsDir $Dir | Out-Null").AssertSuccess();
        ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Force | Out-Null").AssertSuccess();
        Assert.NotEqual(key, File.ReadAllText(Path.Combine(dir, "client.alice.key")));
    }

    [Fact]
    public void A_certs_dir_whose_parent_is_missing_or_that_is_a_file_fails_before_Vault()
    {
        using PowerShellSession ps = Initialized(out string mount);
        int before = IssueRequests(mount);
        ErrorRecord missing = ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/no/such/dir')").SingleError();
        Assert.Contains("Create the parent folder first", missing.Exception.Message);
        File.WriteAllText(Path.Combine(_tmp, "file"), "x");
        ErrorRecord file = ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/file')").SingleError();
        Assert.Contains("is a file", file.Exception.Message);
        Assert.Equal(before, IssueRequests(mount));
    }

    [Fact]
    public void Without_a_certs_dir_the_key_is_a_SecureString_and_plain_only_with_AsPlainText()
    {
        using PowerShellSession ps = Initialized(out string mount);
        ScriptResult r = ps.Run("New-CrdbClientCert -MountPath $Mount -User alice").AssertSuccess();
        var cert = ((dynamic)r.Output.Single());
        Assert.IsType<SecureString>(cert.PrivateKey);
        Assert.DoesNotContain("PRIVATE KEY", r.AllText());
        var plain = ((dynamic)ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -AsPlainText").AssertSuccess().Output.Single());
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", (string)plain.PrivateKey!);
        Assert.Contains("needs -CertsDir", ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -Pkcs8").SingleError().Exception.Message);
    }

    [Fact]
    public void Ttl_above_the_role_max_is_capped_with_Vaults_warning()
    {
        using PowerShellSession ps = Initialized(out string mount, "-ClientMaxTtl 2h");
        ScriptResult r = ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -Ttl 10h").AssertSuccess();
        Assert.Contains(r.Warnings, w => w.Contains("is longer than permitted maxTTL \"2h0m0s\""));
        var cert = ((dynamic)r.Output.Single());
        Assert.InRange((cert.NotAfter - DateTimeOffset.UtcNow).TotalHours, 1.9, 2.01);
    }

    [Fact]
    public async Task Revoke_by_pipeline_from_New_CrdbClientCert_and_through_Revoke_CrdbLease()
    {
        using PowerShellSession ps = Initialized(out string mount);
        ScriptResult r = ps.Run("""
            $a = New-CrdbClientCert -MountPath $Mount -User alice
            $b = New-CrdbClientCert -MountPath $Mount -User bob
            $a | Revoke-CrdbCertificate
            $b | Revoke-CrdbLease
            $a.SerialNumber; $b.SerialNumber
            """).AssertSuccess();
        foreach (PSObject serial in r.Output)
            Assert.True((await sandbox.RootAsync("GET", $"{mount}/cert/{serial}")).Data!["revocation_time"]!.GetValue<long>() > 0);
        Assert.Equal("InvalidSerialNumber,CrdbVault.Commands.RevokeCrdbCertificateCommand", ps.Run("Revoke-CrdbCertificate -MountPath $Mount -SerialNumber 'zz'").SingleError().FullyQualifiedErrorId);
        Assert.Contains("has no certificate with serial", ps.Run("Revoke-CrdbCertificate -MountPath $Mount -SerialNumber '01:02:03'").SingleError().Exception.Message);
    }

    [Fact]
    public async Task A_leased_certificate_is_revoked_by_revoking_its_lease()
    {
        using PowerShellSession ps = Initialized(out string mount, "-GenerateLease");
        ScriptResult r = ps.Run("$c = New-CrdbClientCert -MountPath $Mount -User alice; $c | Revoke-CrdbLease -Sync; $c").AssertSuccess();
        var cert = ((dynamic)r.Output.Single());
        Assert.StartsWith($"{mount}/issue/client/", cert.LeaseId);
        Assert.True(await SandboxFixture.EventuallyAsync(async () =>
            (await sandbox.RootAsync("GET", $"{mount}/cert/{cert.SerialNumber}")).Data!["revocation_time"]!.GetValue<long>() > 0, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Node_cert_writes_node_files_and_refuses_junk_hosts()
    {
        using PowerShellSession ps = Initialized(out string mount);
        string dir = Path.Combine(_tmp, "node");
        ps.SetVariable("Dir", dir);
        var node = ((dynamic)ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts 127.0.0.1,localhost,db1.internal -CertsDir $Dir").AssertSuccess().Output.Single());
        Assert.Equal(Path.Combine(dir, "node.crt"), node.CertificatePath);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "node.key")));
        var san = new X509SubjectAlternativeNameExtension(node.Certificate.Extensions["2.5.29.17"]!.RawData);
        Assert.Equal(["node", "localhost", "db1.internal"], san.EnumerateDnsNames());
        Assert.Equal("InvalidNodeCertArgument,CrdbVault.Commands.NewCrdbNodeCertCommand", ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts 'bad host'").SingleError().FullyQualifiedErrorId);
    }

    [Fact]
    public void Get_CrdbCertificateAuthority_on_an_empty_mount_says_what_to_run()
    {
        using PowerShellSession ps = Session("nothing");
        ErrorRecord e = ps.Run("Get-CrdbCertificateAuthority -MountPath nothing_here").SingleError();
        Assert.Equal("CertificateAuthorityNotFound,CrdbVault.Commands.GetCrdbCertificateAuthorityCommand", e.FullyQualifiedErrorId);
        Assert.Contains("Initialize-CrdbCertificateAuthority", e.Exception.Message);
    }

    [Fact]
    public void Test_CrdbConnection_refuses_a_loose_key_and_a_file_that_is_not_a_certificate()
    {
        if (OperatingSystem.IsWindows()) return; // the permission check is CockroachDB's Unix rule
        using PowerShellSession ps = Initialized(out string mount);
        string dir = Path.Combine(_tmp, "loosekey");
        ps.SetVariable("Dir", dir);
        ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir | Out-Null").AssertSuccess();
        string key = Path.Combine(dir, "client.alice.key");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        ErrorRecord e = ps.Run("Test-CrdbConnection -Server 127.0.0.1 -Port 1 -CertsDir $Dir -User alice").SingleError();
        Assert.Equal("KeyFilePermissionsTooOpen,CrdbVault.Commands.TestCrdbConnectionCommand", e.FullyQualifiedErrorId);
        Assert.Contains($"chmod 600 '{key}'", e.Exception.Message);

        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(Path.Combine(dir, "client.alice.crt"), "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        ErrorRecord bad = ps.Run("Test-CrdbConnection -Server 127.0.0.1 -Port 1 -CertsDir $Dir -User alice").SingleError();
        Assert.Contains("is not a PEM certificate", bad.Exception.Message);
    }
}
