using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// No client certificate for root or node through the issuer policy: Vault matches parameter values
/// exactly and CockroachDB folds a certificate's CN to lower case, so the policy must deny every
/// spelling. Proved against the Vault double's policy engine with a token that holds only the
/// issuer policy, as an attacker with issuer rights and curl would try.
/// </summary>
[Collection("sandbox")]
public sealed class ProtectedUserTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _mount = SandboxFixture.Unique("pki");
    private PowerShellSession? _ps;

    public void Dispose() => _ps?.Dispose();

    private PowerShellSession Initialized(string extra = "")
    {
        _ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken, ["Mount"] = _mount });
        _ps.Run($"""
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
            Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Protected CA' -KeyType ec {extra} | Out-Null
            """).AssertSuccess();
        return _ps;
    }

    /// <summary>Every upper/lower-case spelling of a name.</summary>
    private static IEnumerable<string> Spellings(string name)
    {
        IEnumerable<string> acc = [""];
        foreach (char c in name)
            acc = char.IsAsciiLetter(c) ? acc.SelectMany(p => new[] { p + char.ToLowerInvariant(c), p + char.ToUpperInvariant(c) }) : acc.Select(p => p + c);
        return acc;
    }

    private async Task<int> IssueAs(string token, object body) => (await sandbox.SendAsync("POST", $"{_mount}/issue/client", token, body)).Code;

    [Fact]
    public async Task A_token_with_only_the_issuer_policy_gets_no_root_or_node_certificate_in_any_letter_case()
    {
        Initialized();
        string issuer = sandbox.World.Vault.CreateToken([$"{_mount}-client-issuer"]).Id;

        Assert.Equal(200, await IssueAs(issuer, new { common_name = "alice" }));
        var refused = new List<string>();
        foreach (string cn in Spellings("root").Concat(Spellings("node")))
            if (await IssueAs(issuer, new { common_name = cn }) == 403) refused.Add(cn);
        Assert.Equal(32, refused.Count);
        // Go's lower-casing (CockroachDB's) also maps the Kelvin sign to k and U+0130 to i: those spellings count too.
        Assert.Contains(CockroachPkiRoles.Spellings("kim"), s => s.StartsWith('\u212A'));
        Assert.Contains(CockroachPkiRoles.Spellings("ian"), s => s.StartsWith('\u0130'));
    }

    [Fact]
    public async Task ProtectedUser_adds_names_and_a_name_with_too_many_spellings_is_refused_with_advice()
    {
        PowerShellSession ps = Initialized("-ProtectedUser dba_ops");
        string issuer = sandbox.World.Vault.CreateToken([$"{_mount}-client-issuer"]).Id;
        Assert.Equal(403, await IssueAs(issuer, new { common_name = "DBA_Ops" }));
        Assert.Equal(403, await IssueAs(issuer, new { common_name = "ROOT" }));
        Assert.Equal(200, await IssueAs(issuer, new { common_name = "dba_reader" }));

        int before = sandbox.World.Vault.RequestLog.Snapshot().Count;
        ErrorRecord e = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Protected CA' -KeyType ec -ProtectedUser replication").SingleError();
        Assert.StartsWith("InvalidCertificateAuthorityArgument", e.FullyQualifiedErrorId);
        Assert.Contains("replication", e.Exception.Message);
        Assert.Contains("Set-CrdbCertificateIssuerPolicy", e.Exception.Message);
        // Six letters, five of them k: refused below 8 letters, and the message says why.
        ErrorRecord kelvin = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Protected CA' -KeyType ec -ProtectedUser kkkkka").SingleError();
        Assert.StartsWith("InvalidCertificateAuthorityArgument", kelvin.FullyQualifiedErrorId);
        Assert.Contains("has 486 spellings", kelvin.Exception.Message);
        Assert.Contains("i and k in 3", kelvin.Exception.Message);
        ErrorRecord bad = ps.Run("Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Protected CA' -KeyType ec -ProtectedUser 'a b'").SingleError();
        Assert.StartsWith("InvalidCertificateAuthorityArgument", bad.FullyQualifiedErrorId);
        Assert.Equal(before, sandbox.World.Vault.RequestLog.Snapshot().Count);
    }

    [Fact]
    public void New_CrdbClientCert_refuses_root_unless_the_admin_means_it()
    {
        PowerShellSession ps = Initialized();
        int issues() => sandbox.World.Vault.RequestLog.Snapshot().Count(r => r.Path == $"{_mount}/issue/client");

        ErrorRecord e = ps.Run("New-CrdbClientCert -MountPath $Mount -User root").SingleError();
        Assert.StartsWith("PrivilegedUserRefused", e.FullyQualifiedErrorId);
        Assert.Contains("-AllowPrivilegedUser", e.Exception.Message);
        Assert.Equal(0, issues());

        // An admin token that may issue anything, and says it means it:
        ScriptResult ok = ps.Run("New-CrdbClientCert -MountPath $Mount -User root -AllowPrivilegedUser").AssertSuccess();
        Assert.Equal("root", ((dynamic)ok.Output.Single()).User);

        // An issuer who says so still gets nothing: the policy decides.
        ps.SetVariable("Issuer", sandbox.World.Vault.CreateToken([$"{_mount}-client-issuer"]).Id);
        ErrorRecord denied = ps.Run("""
            $i = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $Issuer).SecurePassword) -NoDefault
            New-CrdbClientCert -MountPath $Mount -User root -AllowPrivilegedUser -Vault $i
            """).SingleError();
        Assert.StartsWith("VaultPermissionDenied", denied.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task Core_refuses_root_too_so_a_runbook_using_Core_gets_the_same_refusal()
    {
        Initialized();
        int before = sandbox.World.Vault.RequestLog.Snapshot().Count;
        using var client = new CrdbVault.Core.Vault.VaultClient(new CrdbVault.Core.Vault.VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress) });
        var engine = new PkiEngine(client, _mount);
        await Assert.ThrowsAsync<PrivilegedUserException>(() =>
            CertificateIssuance.IssueClientAsync(engine, "client", "root", null, null, false, false, null, null, CancellationToken.None));
        Assert.Equal(before, sandbox.World.Vault.RequestLog.Snapshot().Count);
    }

    [Fact]
    public void Spellings_are_exact_and_bounded()
    {
        Assert.Equal(16, CockroachPkiRoles.Spellings("root").Count);
        Assert.Equal(["1_2"], CockroachPkiRoles.Spellings("1_2"));
        Assert.Equal(256, CockroachPkiRoles.Spellings("abcdefgh").Count);
        var nine = Assert.Throws<ArgumentException>(() => CockroachPkiRoles.Spellings("abcdefghj", CockroachPkiRoles.MaxSpellings));
        Assert.Contains("Set-CrdbCertificateIssuerPolicy", nine.Message);
        Assert.Equal(3 * 3 * 2, CockroachPkiRoles.Spellings("kim").Count);
    }

    [Theory]
    [InlineData("abcdefgh", 256)] // 8 letters without i or k: the limit exactly
    [InlineData("kkkkk", 243)] // 5 letters, all k
    [InlineData("kiki_ab", 324)] // 6 letters, 4 of them i or k: too many below 8 letters
    [InlineData("kkkkka", 486)] // 6 letters, 5 of them k
    [InlineData("abcdefg_1.2-3", 128)] // digits and punctuation do not count
    public void The_limit_is_the_product_of_spellings_not_a_number_of_letters(string name, int spellings)
    {
        if (spellings <= CockroachPkiRoles.MaxSpellings)
        {
            Assert.Equal(name, CockroachPkiRoles.ValidateProtectedUser(name));
            Assert.Equal(spellings, CockroachPkiRoles.Spellings(name).Count);
            return;
        }
        var e = Assert.Throws<ArgumentException>(() => CockroachPkiRoles.ValidateProtectedUser(name));
        Assert.Contains($"has {spellings} spellings", e.Message);
        Assert.Contains("i and k in 3", e.Message);
        Assert.Contains("Set-CrdbCertificateIssuerPolicy", e.Message);
    }
}
