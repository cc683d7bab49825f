using System.Management.Automation;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Vault;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>Connect-CrdbVault against a Vault double served over HTTPS by a private CA.</summary>
public sealed class VaultTlsTests : IAsyncLifetime
{
    private VaultServer _vault = null!;

    public async Task InitializeAsync() => _vault = await VaultServer.StartAsync(new SandboxOptions { VaultTls = true });

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    private PowerShellSession Session() => new(new Dictionary<string, object?>
    {
        ["VaultAddress"] = _vault.Address,
        ["RootToken"] = _vault.RootToken,
        ["CaPath"] = _vault.CaCertificatePath,
    });

    [Fact]
    public void The_ca_certificate_makes_the_tls_connection_trusted()
    {
        Assert.StartsWith("https://", _vault.Address);
        using var ps = Session();
        var r = ps.Run("Connect-CrdbVault -Address $VaultAddress -CACertificate $CaPath -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)").AssertSuccess();
        Assert.Equal("token", (string)((dynamic)r.Output.Single()).AuthMethod);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Calls_that_create_something_use_their_own_connection_with_the_same_trust()
    {
        // Non-idempotent calls travel on the at-most-once connections (a handler of their own); they
        // must trust the same CA as the pooled ones, and nothing else.
        _vault.EnableSecretsEngine("transit", "transit");
        string dir = Directory.CreateTempSubdirectory("crdbvault-tls-").FullName;
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            using var ps = Session();
            ps.SetVariable("Dir", dir);
            ps.Run("Connect-CrdbVault -Address $VaultAddress -CACertificate $CaPath -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) | Out-Null").AssertSuccess();
            ps.Run("New-CrdbStoreKey -Path ($Dir + '/store.key')").AssertSuccess();
            Assert.Equal(64, new FileInfo(Path.Combine(dir, "store.key")).Length);
            Assert.Contains(_vault.RequestLog.Snapshot(), r => r.Path == "transit/datakey/plaintext/cockroach-ear" && r.Status == 200);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Without_the_ca_the_handshake_fails_with_advice()
    {
        using var ps = Session();
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)").SingleError();
        Assert.StartsWith("VaultConnectionFailed", e.FullyQualifiedErrorId);
        Assert.Contains("CACertificate", e.Exception.Message);
    }

    [Fact]
    public void Skipping_certificate_checks_works_but_warns_loudly()
    {
        using var ps = Session();
        var r = ps.Run("Connect-CrdbVault -Address $VaultAddress -SkipCertificateCheck -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)").AssertSuccess();
        Assert.Contains(r.Warnings, w => w.Contains("TLS certificate checks are OFF"));
    }

    [Fact]
    public void A_ca_file_that_is_not_a_certificate_is_refused_before_connecting()
    {
        string bogus = Path.GetTempFileName();
        File.WriteAllText(bogus, "not a certificate");
        try
        {
            using var ps = Session();
            ps.SetVariable("Bogus", bogus);
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -CACertificate $Bogus -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)").SingleError();
            Assert.StartsWith("InvalidCACertificate", e.FullyQualifiedErrorId);
            Assert.Contains("BEGIN CERTIFICATE", e.Exception.Message);
        }
        finally
        {
            File.Delete(bogus);
        }
    }
}
