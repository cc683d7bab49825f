using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>Certificate sets in a certs dir that no longer belong together, as New-CrdbClientCert / New-CrdbNodeCert users meet them.</summary>
[Collection("sandbox")]
public sealed class CertsDirIntegrityCmdletTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly PowerShellSession _ps;
    private readonly string _mount = SandboxFixture.Unique("pki");
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-setcheck-").FullName;

    public CertsDirIntegrityCmdletTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken, ["Mount"] = _mount, ["Tmp"] = _tmp,
        });
        _ps.Run("""
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
            Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Set CA' -KeyType ec | Out-Null
            """).AssertSuccess();
    }

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_tmp, recursive: true);
    }

    private int IssueRequests => _sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Path.StartsWith($"{_mount}/issue/", StringComparison.Ordinal));

    [Fact]
    public void A_key_that_is_not_the_certificates_is_reported_before_vault_is_asked_and_Force_repairs_it()
    {
        _ps.Run("$null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/a'); $null = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/b')").AssertSuccess();
        var a = new CertsDirectory(Path.Combine(_tmp, "a"));
        File.Copy(new CertsDirectory(Path.Combine(_tmp, "b")).ClientKeyPath("alice"), a.ClientKeyPath("alice"), overwrite: true);
        int before = IssueRequests;

        ErrorRecord e = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/a')").SingleError();

        Assert.StartsWith("CertificateSetInconsistent", e.FullyQualifiedErrorId);
        Assert.Contains("client.alice.key is not the key of client.alice.crt", e.Exception.Message);
        Assert.Contains("-Force", e.Exception.Message);
        Assert.Equal(before, IssueRequests);

        ScriptResult fixedUp = _ps.Run("New-CrdbClientCert -MountPath $Mount -User alice -CertsDir ($Tmp + '/a') -Force", verbose: true).AssertSuccess();
        Assert.Contains(fixedUp.Verbose, v => v.Contains("do not belong together") && v.Contains("-Force replaces them"));
        Assert.Empty(a.CheckClientSet("alice"));
    }

    [Fact]
    public void A_node_key_without_its_certificate_is_reported()
    {
        string dir = Path.Combine(_tmp, "node");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "node.key"), "-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n");

        ErrorRecord e = _ps.Run("New-CrdbNodeCert -MountPath $Mount -Hosts localhost -CertsDir ($Tmp + '/node')").SingleError();

        Assert.StartsWith("CertificateSetInconsistent", e.FullyQualifiedErrorId);
        Assert.Contains("node.key is there without node.crt", e.Exception.Message);
    }
}
