using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// Set-CrdbCertificateIssuerPolicy: a per-user pinned issuer policy, written to Vault and proved with
/// the double's policy engine — the token that holds it gets certificates for its users and nothing else.
/// </summary>
[Collection("sandbox")]
public sealed class IssuerPolicyCmdletTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly PowerShellSession _ps;
    private readonly string _mount = SandboxFixture.Unique("pki");
    private readonly string _policy = SandboxFixture.Unique("team");

    public IssuerPolicyCmdletTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        _ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken, ["Mount"] = _mount, ["Policy"] = _policy,
        });
        _ps.Run("""
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
            Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Pinned CA' -KeyType ec | Out-Null
            """).AssertSuccess();
    }

    public void Dispose() => _ps.Dispose();

    private async Task<int> IssueAs(string token, object body) => (await _sandbox.SendAsync("POST", $"{_mount}/issue/client", token, body)).Code;

    [Fact]
    public async Task The_policy_pins_common_name_to_its_users_and_the_object_shows_name_and_rules()
    {
        ScriptResult r = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name $Policy -User app_reader, app_writer -MountPath $Mount").AssertSuccess();
        PSObject o = Assert.Single(r.Output);
        Assert.Equal("CrdbVault.CertificateIssuerPolicy", o.TypeNames[0]);
        Assert.Equal(_policy, o.Properties["PolicyName"].Value);
        Assert.Equal("client", o.Properties["PkiRole"].Value);
        Assert.Equal(new[] { "app_reader", "app_writer" }, (string[])o.Properties["Users"].Value);
        string rules = (string)o.Properties["Rules"].Value;
        Assert.Equal(rules, (await _sandbox.RootAsync("GET", $"sys/policies/acl/{_policy}")).Data!["policy"]!.GetValue<string>());

        string token = _sandbox.World.Vault.CreateToken([_policy]).Id;
        Assert.Equal(200, await IssueAs(token, new { common_name = "app_reader" }));
        Assert.Equal(200, await IssueAs(token, new { common_name = "app_writer", ttl = "1h" }));
        foreach (string cn in new[] { "app_admin", "App_Reader", "root", "ROOT", "node" })
            Assert.Equal(403, await IssueAs(token, new { common_name = cn }));
        Assert.Equal(403, await IssueAs(token, new { common_name = "app_reader", alt_names = "root" }));
        Assert.Equal(403, await IssueAs(token, new { common_name = new[] { "app_reader" } }));
        Assert.Equal(403, (await _sandbox.SendAsync("POST", $"{_mount}/issue/node", token, new { common_name = "node" })).Code);
        Assert.Equal(403, (await _sandbox.SendAsync("POST", $"{_mount}/revoke", token, new { serial_number = "01" })).Code);

        // The module with that token issues for its user.
        _ps.SetVariable("Pinned", token);
        _ps.Run("""
            $p = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $Pinned).SecurePassword) -NoDefault
            New-CrdbClientCert -MountPath $Mount -User app_reader -Vault $p | Out-Null
            """).AssertSuccess();
    }

    [Fact]
    public void Root_is_refused_without_AllowPrivilegedUser_and_bad_input_before_any_request()
    {
        int before = _sandbox.World.Vault.RequestLog.Snapshot().Count;
        ErrorRecord root = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name $Policy -User app_reader, root -MountPath $Mount").SingleError();
        Assert.StartsWith("PrivilegedUserRefused", root.FullyQualifiedErrorId);
        Assert.Contains("-AllowPrivilegedUser", root.Exception.Message);

        ErrorRecord name = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name 'a/b' -User app_reader -MountPath $Mount").SingleError();
        Assert.StartsWith("InvalidIssuerPolicyArgument", name.FullyQualifiedErrorId);
        ErrorRecord user = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name $Policy -User 'App Reader' -MountPath $Mount").SingleError();
        Assert.StartsWith("InvalidIssuerPolicyArgument", user.FullyQualifiedErrorId);
        Assert.Equal(before, _sandbox.World.Vault.RequestLog.Snapshot().Count);

        ScriptResult allowed = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name $Policy -User root -MountPath $Mount -AllowPrivilegedUser").AssertSuccess();
        Assert.Contains("\"root\"", (string)((dynamic)allowed.Output.Single()).Rules);
    }

    [Fact]
    public async Task WhatIf_writes_nothing()
    {
        ScriptResult r = _ps.Run("Set-CrdbCertificateIssuerPolicy -Name $Policy -User app_reader -MountPath $Mount -WhatIf").AssertSuccess();
        Assert.Empty(r.Output);
        Assert.Equal(404, (await _sandbox.RootAsync("GET", $"sys/policies/acl/{_policy}")).Code);
    }
}
