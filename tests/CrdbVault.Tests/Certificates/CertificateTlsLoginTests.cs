using CrdbVault.Sandbox.Postgres;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// Proof that the certificates are right: a second PostgreSQL serves TLS with a node certificate from
/// New-CrdbNodeCert, trusts the mount's CA and asks certificate users for a client certificate (hostssl ... cert);
/// Test-CrdbConnection logs in as alice with no password, alice's certificate cannot log in as bob,
/// and once revoked and the CRL given to the server, alice's certificate is refused.
/// </summary>
[Collection("sandbox")]
public sealed class CertificateTlsLoginTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-tls-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public async Task Client_certificate_logs_in_without_a_password_only_as_its_user_until_revoked()
    {
        string mount = SandboxFixture.Unique("pki");
        string nodeDir = Path.Combine(_tmp, "node"), aliceDir = Path.Combine(_tmp, "alice"), bobDir = Path.Combine(_tmp, "bob");
        using var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken,
            ["Mount"] = mount, ["NodeDir"] = nodeDir, ["AliceDir"] = aliceDir, ["BobDir"] = bobDir,
        });
        ps.Run("""
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
            Initialize-CrdbCertificateAuthority -MountPath $Mount -CommonName 'Cockroach CA' -KeyType ec | Out-Null
            New-CrdbNodeCert -MountPath $Mount -Hosts 127.0.0.1,localhost -CertsDir $NodeDir | Out-Null
            $alice = New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $AliceDir
            """).AssertSuccess();

        // A second server whose TLS is the mount's: New-CrdbNodeCert's certificate and the mount's CA
        // (which then also verifies client certificates); alice and bob log in with certificates.
        await using PostgresLauncher pg = await PostgresLauncher.StartAsync(new PostgresLauncherOptions
        {
            Tls = new PostgresTls
            {
                ServerCertificatePem = File.ReadAllText(Path.Combine(nodeDir, "node.crt")),
                ServerKeyPem = File.ReadAllText(Path.Combine(nodeDir, "node.key")),
                CaCertificatePem = File.ReadAllText(Path.Combine(nodeDir, "ca.crt")),
            },
        });
        await using (var admin = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE alice LOGIN IN ROLE {PostgresLauncher.CertificateLoginRole}; CREATE ROLE bob LOGIN IN ROLE {PostgresLauncher.CertificateLoginRole};", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        ps.SetVariable("Port", pg.Port);

        // alice, no password, TLS verify-full against the node certificate's IP SAN.
        ScriptResult ok = ps.Run("Test-CrdbConnection -Server 127.0.0.1 -Port $Port -CertsDir $AliceDir -User alice -Database postgres").AssertSuccess();
        var result = ((dynamic)ok.Output.Single());
        Assert.Equal("alice", result.UserName);
        Assert.Equal("certificate", result.AuthenticationMethod);

        // alice's certificate and key presented as bob: the server refuses (CN is alice).
        Directory.CreateDirectory(bobDir);
        File.Copy(Path.Combine(aliceDir, "ca.crt"), Path.Combine(bobDir, "ca.crt"));
        File.Copy(Path.Combine(aliceDir, "client.alice.crt"), Path.Combine(bobDir, "client.bob.crt"));
        File.Copy(Path.Combine(aliceDir, "client.alice.key"), Path.Combine(bobDir, "client.bob.key"));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bobDir, "client.bob.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ScriptResult asBob = ps.Run("Test-CrdbConnection -Server 127.0.0.1 -Port $Port -CertsDir $BobDir -User bob -Database postgres");
        Assert.Equal("SqlAuthenticationFailed,CrdbVault.Commands.TestCrdbConnectionCommand", asBob.SingleError().FullyQualifiedErrorId);
        Assert.Contains(asBob.Warnings, w => w.Contains("names 'alice', not 'bob'"));

        // Revoke alice, hand PostgreSQL the mount's CRL, reload: alice is refused.
        ps.Run("$alice | Revoke-CrdbCertificate").AssertSuccess();
        using HttpClient http = sandbox.World.Vault.CreateClient();
        string crl = await http.GetStringAsync($"{mount}/crl/pem");
        Assert.StartsWith("-----BEGIN X509 CRL-----", crl);
        await pg.WriteDataFileAsync("crl.pem", crl);
        await pg.AppendConfigAsync(["ssl_crl_file = 'crl.pem'"]);
        await pg.ReloadAsync();
        bool refused = await SandboxFixture.EventuallyAsync(() => Task.FromResult(
            !ps.Run("Test-CrdbConnection -Server 127.0.0.1 -Port $Port -CertsDir $AliceDir -User alice -Database postgres -Timeout 5").Succeeded), TimeSpan.FromSeconds(5));
        Assert.True(refused, "PostgreSQL still accepted the revoked certificate:\n" + pg.RecentLog);
    }
}
