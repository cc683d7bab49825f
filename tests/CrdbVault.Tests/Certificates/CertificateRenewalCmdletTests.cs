using System.Diagnostics;
using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// New-CrdbClientCert / New-CrdbNodeCert -RenewWithin as a run on a schedule meets them, against the
/// Vault double: Current (nothing issued, nothing written) or Issued (the set replaced), and Core's
/// RenewClientAsync, which a runbook calls, surviving a run killed midway.
/// </summary>
[Collection("sandbox")]
public sealed class CertificateRenewalCmdletTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly PowerShellSession _ps;
    private readonly string _mount = SandboxFixture.Unique("pki");
    private readonly string _newMount = SandboxFixture.Unique("pki");
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-renewal-").FullName;

    public CertificateRenewalCmdletTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken, ["Mount"] = _mount, ["NewMount"] = _newMount,
            ["Tmp"] = _tmp,
        });
        _ps.Run("""
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
            Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Renewal CA' -KeyType ec | Out-Null
            $Dir = Join-Path $Tmp 'certs'
            """).AssertSuccess();
    }

    public void Dispose()
    {
        InternalHooks.AfterFileStep.Value = null;
        _ps.Dispose();
        Directory.Delete(_tmp, recursive: true);
    }

    private string Dir => Path.Combine(_tmp, "certs");

    private int IssueRequests(string? mount = null) =>
        _sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Path.StartsWith($"{mount ?? _mount}/issue/", StringComparison.Ordinal));

    /// <summary>What identifies a file on disk: inode (a rename gives a new one), modification time and content.</summary>
    private static string Identity(string path)
    {
        string inode = "";
        if (!OperatingSystem.IsWindows())
        {
            using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%i", path]) { RedirectStandardOutput = true })!;
            inode = stat.StandardOutput.ReadToEnd().Trim();
            stat.WaitForExit();
        }
        return $"{inode}|{File.GetLastWriteTimeUtc(path).Ticks}|{Convert.ToHexString(File.ReadAllBytes(path))}";
    }

    private Dictionary<string, string> Identities() =>
        Directory.EnumerateFiles(Dir).ToDictionary(f => Path.GetFileName(f), Identity);

    private static PSObject Single(ScriptResult r) => r.AssertSuccess().Output.Single();

    /// <summary>A property of an output object as text (the module's types are not referenced by the tests).</summary>
    private static string? P(PSObject o, string name) => o.Properties[name].Value?.ToString();

    private static string StatusOf(ScriptResult r) => P(Single(r), "Status")!;

    [Fact]
    public void A_fresh_certificate_is_Current_nothing_is_written_and_Vault_issues_nothing()
    {
        var first = Single(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h"));
        Assert.Equal("Issued", P(first, "Status"));
        Dictionary<string, string> before = Identities();
        int issued = IssueRequests();

        ScriptResult r = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h -RenewWithin 8h", verbose: true);

        var kept = Single(r);
        Assert.Equal("Current", P(kept, "Status"));
        Assert.Equal(P(first, "SerialNumber"), P(kept, "SerialNumber"));
        Assert.Equal(P(first, "Thumbprint"), P(kept, "Thumbprint"));
        Assert.Equal(P(first, "NotAfter"), P(kept, "NotAfter"));
        Assert.Equal(P(first, "CertificatePath"), P(kept, "CertificatePath"));
        Assert.Equal(P(first, "KeyPath"), P(kept, "KeyPath"));
        Assert.Equal(P(first, "CaPath"), P(kept, "CaPath"));
        Assert.Equal(_mount, P(kept, "MountPath"));
        Assert.Null(P(kept, "PrivateKey"));
        Assert.False(((System.Security.Cryptography.X509Certificates.X509Certificate2)kept.Properties["Certificate"].Value).HasPrivateKey);
        Assert.Equal(issued, IssueRequests());
        Assert.Equal(before, Identities());
        Assert.Contains(r.Verbose, v => v.Contains("Kept the certificate") && v.Contains("Nothing was issued or written"));
        Assert.DoesNotContain("PRIVATE KEY", r.AllText());

        // Seconds as a number work as for every other duration: 28800 = 8 h.
        Assert.Equal("Current", StatusOf(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 28800")));
        Assert.Equal(before, Identities());
    }

    [Fact]
    public void Inside_the_window_a_new_certificate_replaces_the_set_without_Force()
    {
        var first = Single(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h -Pkcs8"));
        int issued = IssueRequests();

        ScriptResult r = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 48h -RenewWithin 30h", verbose: true);

        var renewed = Single(r);
        Assert.Equal("Issued", P(renewed, "Status"));
        Assert.NotEqual(P(first, "SerialNumber"), P(renewed, "SerialNumber"));
        Assert.Equal(issued + 1, IssueRequests());
        Assert.Contains(r.Verbose, v => v.Contains("within -RenewWithin 30h"));
        var dir = new CertsDirectory(Dir);
        Assert.Empty(dir.CheckClientSet("alice")); // the PKCS#8 copy was renewed with the set, though -Pkcs8 was not given
        Assert.Equal(P(renewed, "Pkcs8Path"), dir.ClientPkcs8Path("alice"));
        Assert.Empty(r.Warnings);

        // The new one is good for 48 h: the next run keeps it.
        Assert.Equal("Current", StatusOf(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 48h -RenewWithin 30h")));
        Assert.Equal(issued + 1, IssueRequests());

        // A window longer than what Vault issues renews on every run: said as a warning.
        ScriptResult tooLong = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h -RenewWithin 72h");
        Assert.Equal("Issued", StatusOf(tooLong));
        Assert.Contains(tooLong.Warnings, w => w.Contains("the next run renews it again"));
    }

    [Fact]
    public void A_certificate_from_another_CA_is_replaced_and_a_ca_crt_of_another_CA_needs_Force()
    {
        _ps.Run("$null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h").AssertSuccess();
        _ps.Run("$NewCa = Initialize-CrdbCertificateAuthority -MountPath $NewMount -CommonName 'Renewal CA 2' -KeyType ec").AssertSuccess();
        int before = IssueRequests(_newMount);

        // ca.crt still holds only the old CA: renewing would swap whom the folder trusts. Refused before Vault is asked.
        ErrorRecord e = _ps.Run("New-CrdbClientCert -MountPath $NewMount -User alice -CertsDir $Dir -RenewWithin 8h").SingleError();
        Assert.Contains("-Force", e.Exception.Message);
        Assert.Contains("ca.crt", e.Exception.Message);
        Assert.Equal(before, IssueRequests(_newMount));

        // The rotation as CockroachDB documents it: the new CA first in ca.crt, then the old. The schedule then replaces the certificate.
        _ps.Run("Set-Content (Join-Path $Dir 'ca.crt') -Value ($NewCa.Pem + (Get-Content -Raw (Join-Path $Dir 'ca.crt'))) -NoNewline").AssertSuccess();
        string combined = File.ReadAllText(Path.Combine(Dir, "ca.crt"));
        var renewed = Single(_ps.Run("New-CrdbClientCert -MountPath $NewMount -User alice -CertsDir $Dir -RenewWithin 8h"));
        Assert.Equal("Issued", P(renewed, "Status"));
        Assert.Equal("CN=Renewal CA 2", ((System.Security.Cryptography.X509Certificates.X509Certificate2)renewed.Properties["Certificate"].Value).Issuer);
        Assert.Equal(before + 1, IssueRequests(_newMount));
        Assert.Equal(combined, File.ReadAllText(Path.Combine(Dir, "ca.crt"))); // kept: it holds the mount's CA

        // -Force replaces a foreign ca.crt as well: a folder of the old CA only, renewed against the new mount.
        _ps.Run("$null = New-CrdbClientCert -MountPath $Mount -User bob -CertsDir ($Tmp + '/old') -Ttl 24h").AssertSuccess();
        var forced = Single(_ps.Run("New-CrdbClientCert -MountPath $NewMount -User bob -CertsDir ($Tmp + '/old') -RenewWithin 8h -Force"));
        Assert.Equal("Issued", P(forced, "Status"));
        Assert.Contains("BEGIN CERTIFICATE", File.ReadAllText(Path.Combine(_tmp, "old", "ca.crt")));
        Assert.Equal("Current", StatusOf(_ps.Run("New-CrdbClientCert -MountPath $NewMount -User bob -CertsDir ($Tmp + '/old') -RenewWithin 8h")));
    }

    [Fact]
    public void A_node_certificate_is_kept_for_the_same_hosts_in_any_order_or_case_and_replaced_when_they_change()
    {
        var first = Single(_ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts db1.internal, 10.0.0.5, localhost -CertsDir $Dir"));
        Assert.Equal("Issued", P(first, "Status"));
        Dictionary<string, string> before = Identities();
        int issued = IssueRequests();

        var same = Single(_ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts LOCALHOST, 10.0.0.5, DB1.internal -CertsDir $Dir -RenewWithin 8h"));
        Assert.Equal("Current", P(same, "Status"));
        Assert.Equal(P(first, "SerialNumber"), P(same, "SerialNumber"));
        Assert.Equal(new[] { "LOCALHOST", "10.0.0.5", "DB1.internal" }, (string[])same.Properties["Hosts"].Value);
        Assert.Equal(before, Identities());
        Assert.Equal(issued, IssueRequests());

        ScriptResult moved = _ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts db1.internal, 10.0.0.6, localhost -CertsDir $Dir -RenewWithin 8h", verbose: true);
        var renewed = Single(moved);
        Assert.Equal("Issued", P(renewed, "Status"));
        Assert.Contains(moved.Verbose, v => v.Contains("10.0.0.6"));
        Assert.Equal(issued + 1, IssueRequests());
        Assert.Empty(new CertsDirectory(Dir).CheckNodeSet());

        // A host dropped is a change too.
        Assert.Equal("Issued", StatusOf(_ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts db1.internal, 10.0.0.6 -CertsDir $Dir -RenewWithin 8h")));
    }

    [Fact]
    public void A_missing_or_mismatched_key_is_reissued()
    {
        _ps.Run("$null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir; $null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/other')").AssertSuccess();
        var dir = new CertsDirectory(Dir);
        File.Delete(dir.ClientKeyPath("alice"));

        ScriptResult r = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 8h", verbose: true);
        Assert.Equal("Issued", StatusOf(r));
        Assert.Contains(r.Verbose, v => v.Contains("client.alice.crt is there without client.alice.key"));
        Assert.Empty(dir.CheckClientSet("alice"));

        File.Copy(new CertsDirectory(Path.Combine(_tmp, "other")).ClientKeyPath("alice"), dir.ClientKeyPath("alice"), overwrite: true);
        Assert.Equal("Issued", StatusOf(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 8h")));
        Assert.Empty(dir.CheckClientSet("alice"));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("huge")]
    [InlineData("many")]
    public void A_corrupt_or_hostile_certificate_file_is_replaced(string kind)
    {
        var first = Single(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir"));
        string path = P(first, "CertificatePath")!;
        string pem = File.ReadAllText(path);
        switch (kind)
        {
            case "garbage": File.WriteAllText(path, "\0\u0001 not a certificate \n"); break;
            case "huge": using (var s = new FileStream(path, FileMode.Create)) s.SetLength(3L << 30); break; // sparse
            default: File.WriteAllText(path, string.Concat(Enumerable.Repeat(pem, 20))); break;
        }
        int issued = IssueRequests();

        var renewed = Single(_ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 8h"));

        Assert.Equal("Issued", P(renewed, "Status"));
        Assert.Equal(issued + 1, IssueRequests());
        Assert.True(new FileInfo(path).Length < 16 * 1024);
        Assert.Empty(new CertsDirectory(Dir).CheckClientSet("alice"));
    }

    [Fact]
    public void WhatIf_says_nothing_would_be_issued_for_a_current_certificate_and_writes_nothing_otherwise()
    {
        _ps.Run("$null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Ttl 24h").AssertSuccess();
        Dictionary<string, string> before = Identities();
        int issued = IssueRequests();
        using var host = new RecordingHost(new Dictionary<string, object?>
        {
            ["VaultAddress"] = _sandbox.World.VaultAddress, ["VaultToken"] = _sandbox.World.RootToken, ["Mount"] = _mount, ["Dir"] = Dir,
        });
        host.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null");

        host.Run("$script:out = @(New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 8h -WhatIf); if ($out.Count) { throw 'output' }");
        Assert.Contains(host.WhatIf, l => l.Contains("Nothing would be issued or written") && l.Contains("client.alice.crt"));

        host.Run("$script:out = @(New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 30h -WhatIf); if ($out.Count) { throw 'output' }");
        Assert.Contains(host.WhatIf, l => l.Contains("replacing the set there") && l.Contains("within -RenewWithin 30h"));

        host.Run("$script:out = @(New-CrdbNodeCert -MountPath $Mount -Hosts localhost -CertsDir $Dir -RenewWithin 8h -WhatIf); if ($out.Count) { throw 'output' }");
        Assert.Contains(host.WhatIf, l => l.Contains("Issue a node certificate") && l.Contains("there is no node.crt yet"));

        Assert.Equal(before, Identities());
        Assert.Equal(issued, IssueRequests());
    }

    [Fact]
    public void RenewWithin_without_CertsDir_or_with_a_window_of_zero_is_refused_before_any_request()
    {
        long requests = _sandbox.World.Vault.RequestLog.Total;

        ErrorRecord noDir = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -RenewWithin 8h").SingleError();
        Assert.StartsWith("InvalidClientCertArgument", noDir.FullyQualifiedErrorId);
        Assert.Contains("needs -CertsDir", noDir.Exception.Message);
        ErrorRecord node = _ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts localhost -RenewWithin 8h").SingleError();
        Assert.StartsWith("InvalidNodeCertArgument", node.FullyQualifiedErrorId);
        ErrorRecord zero = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -RenewWithin 0").SingleError();
        Assert.StartsWith("InvalidClientCertArgument", zero.FullyQualifiedErrorId);
        Assert.Contains("-RenewWithin", zero.Exception.Message);

        Assert.Equal(requests, _sandbox.World.Vault.RequestLog.Total);
        Assert.False(Directory.Exists(Dir));
    }

    private sealed class Token(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    private sealed class ProcessDied : Exception;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Core_renewal_killed_after_any_write_step_is_repaired_by_the_next_run(int step)
    {
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(_sandbox.World.VaultAddress), MaxAttempts = 1 },
            new Token(_sandbox.World.RootToken));
        var engine = new PkiEngine(client, _mount);
        var dir = new CertsDirectory(Dir);
        RenewalOutcome Renew(TimeSpan window) => CertificateRenewal.RenewClientAsync(engine, "client", "alice", TimeSpan.FromHours(24), dir, false, window,
            force: false, null, CancellationToken.None).GetAwaiter().GetResult();

        Assert.NotNull(Renew(TimeSpan.FromHours(8)).Issued);
        Assert.True(Renew(TimeSpan.FromHours(8)).IsCurrent);

        int seen = 0;
        InternalHooks.AfterFileStep.Value = _ => { if (++seen == step) throw new ProcessDied(); };
        Assert.Throws<ProcessDied>(() => Renew(TimeSpan.FromHours(30))); // 1, 2: temporaries written; 3: key placed; 4: certificate placed
        InternalHooks.AfterFileStep.Value = null;

        RenewalOutcome next = Renew(TimeSpan.FromHours(8));
        // The old set (before the key was placed) or the new one (after the certificate was) is whole and
        // current; between the two the key is not the certificate's, and the next run renews the set.
        Assert.Equal(step != 3, next.IsCurrent);
        Assert.Empty(dir.CheckClientSet("alice"));
    }
}
