using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Files;
using CrdbVault.Core.Secrets;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>Core certificate code without Vault: role bodies, issuer policy, principal checks, certs dir files.</summary>
public sealed class CertificateCoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-certs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ------------------------------------------------------------ crafted certificates

    private static (X509Certificate2 Ca, ECDsa Key) NewCa(string cn = "Test CA")
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return (req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)), key);
    }

    private static X509Certificate2 Leaf((X509Certificate2 Ca, ECDsa Key) ca, string cn, string[]? dns = null, string[]? ekus = null, string[]? ips = null, string[]? uris = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var oids = new OidCollection();
        foreach (string e in ekus ?? [CertificateChecks.ClientAuthOid]) oids.Add(new Oid(e));
        if (oids.Count > 0) req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        var san = new SubjectAlternativeNameBuilder();
        bool any = false;
        foreach (string d in dns ?? []) { san.AddDnsName(d); any = true; }
        foreach (string i in ips ?? []) { san.AddIpAddress(IPAddress.Parse(i)); any = true; }
        foreach (string u in uris ?? []) { san.AddUri(new Uri(u)); any = true; }
        if (any) req.CertificateExtensions.Add(san.Build());
        return req.Create(ca.Ca, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(16));
    }

    [Fact]
    public void Client_certificate_with_only_the_CN_passes()
    {
        var ca = NewCa();
        CertificateChecks.VerifyClient(Leaf(ca, "app_reader"), "app_reader", [ca.Ca]);
        Assert.Equal(["alice"], CertificateChecks.Principals(Leaf(ca, "alice", dns: ["alice"])));
        CertificateChecks.VerifyClient(Leaf(ca, "alice", dns: ["alice"]), "alice", [ca.Ca]); // Vault adds a hostname-like CN as SAN
    }

    [Fact]
    public void Extra_DNS_SAN_root_is_refused_because_CockroachDB_would_log_it_in_as_root()
    {
        var ca = NewCa();
        var ex = Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", dns: ["root"]), "alice", [ca.Ca]));
        Assert.Contains("'root'", ex.Message);
        Assert.Equal(["alice", "root"], CertificateChecks.Principals(Leaf(ca, "alice", dns: ["root"])));
    }

    [Fact]
    public void Wrong_CN_IP_or_URI_SANs_are_refused()
    {
        var ca = NewCa();
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "bob"), "alice", [ca.Ca]));
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", ips: ["10.0.0.1"]), "alice", [ca.Ca]));
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", uris: ["crdb://tenant/2/user/root"]), "alice", [ca.Ca]));
    }

    [Fact]
    public void ServerAuth_only_no_EKU_or_server_plus_client_is_refused_for_a_client()
    {
        var ca = NewCa();
        var serverOnly = Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", ekus: [CertificateChecks.ServerAuthOid]), "alice", [ca.Ca]));
        Assert.Contains("serverAuth", serverOnly.Message);
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", ekus: []), "alice", [ca.Ca]));
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(ca, "alice", ekus: [CertificateChecks.ServerAuthOid, CertificateChecks.ClientAuthOid]), "alice", [ca.Ca]));
    }

    [Fact]
    public void Certificate_from_another_CA_is_refused()
    {
        var ca = NewCa();
        var other = NewCa("Other CA");
        var ex = Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyClient(Leaf(other, "alice"), "alice", [ca.Ca]));
        Assert.Contains("does not chain to the CA", ex.Message);
    }

    [Fact]
    public void Node_certificate_needs_CN_node_exactly_the_hosts_and_both_usages()
    {
        var ca = NewCa();
        string[] both = [CertificateChecks.ServerAuthOid, CertificateChecks.ClientAuthOid];
        CertificateChecks.VerifyNode(Leaf(ca, "node", dns: ["node", "localhost"], ips: ["127.0.0.1"], ekus: both), ["localhost"], [IPAddress.Loopback], [ca.Ca]);
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyNode(Leaf(ca, "node", dns: ["localhost"], ips: ["127.0.0.1"], ekus: [CertificateChecks.ServerAuthOid]), ["localhost"], [IPAddress.Loopback], [ca.Ca]));
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyNode(Leaf(ca, "node", dns: ["localhost", "evil"], ips: ["127.0.0.1"], ekus: both), ["localhost"], [IPAddress.Loopback], [ca.Ca]));
        Assert.Throws<CertificateRejectedException>(() => CertificateChecks.VerifyNode(Leaf(ca, "root", dns: ["localhost"], ips: ["127.0.0.1"], ekus: both), ["localhost"], [IPAddress.Loopback], [ca.Ca]));
    }

    [Theory]
    [InlineData("1D:2F:0a", "1d:2f:0a")]
    [InlineData("1d-2f-0a", "1d:2f:0a")]
    [InlineData("001D2F0A", "1d:2f:0a")]
    [InlineData("d2f0a", "0d:2f:0a")]
    public void Serials_normalise_to_Vaults_colon_form(string input, string expected) =>
        Assert.Equal(expected, CertificateChecks.NormalizeSerial(input));

    [Fact]
    public void A_serial_that_is_not_hex_is_refused_with_the_expected_form() =>
        Assert.Contains("'1d:2f:3a'", Assert.Throws<ArgumentException>(() => CertificateChecks.NormalizeSerial("zz:01")).Message);

    // ------------------------------------------------------------ roles and policy

    [Fact]
    public void Client_role_is_clientAuth_only_any_name_and_no_SANs()
    {
        var role = CockroachPkiRoles.ClientRole(TimeSpan.FromHours(24), TimeSpan.FromHours(48), "ec", 256, generateLease: false);
        Assert.Equal(false, role["server_flag"]);
        Assert.Equal(true, role["client_flag"]);
        Assert.Equal(true, role["allow_any_name"]);
        Assert.Equal(false, role["enforce_hostnames"]);
        Assert.Equal(false, role["allow_ip_sans"]);
        Assert.Equal(false, role["allow_localhost"]);
        Assert.Equal("", role["allowed_uri_sans"]);
        Assert.Equal("", role["allowed_other_sans"]);
        Assert.Equal(false, role["use_csr_sans"]);
        Assert.Equal(new[] { "DigitalSignature", "KeyEncipherment" }, (IEnumerable<string>)role["key_usage"]);
        Assert.Equal("172800s", role["max_ttl"]);
        var node = CockroachPkiRoles.NodeRole(TimeSpan.FromHours(24), TimeSpan.FromHours(48), "rsa", 2048);
        Assert.Equal(true, node["server_flag"]);
        Assert.Equal(true, node["client_flag"]);
        Assert.Equal(true, node["allow_ip_sans"]);
    }

    [Fact]
    public void Issuer_policy_denies_every_SAN_parameter_and_can_pin_the_CN()
    {
        string hcl = CockroachPkiRoles.IssuerPolicy("team/pki", "client");
        Assert.Contains("path \"team/pki/issue/client\" {", hcl);
        Assert.Contains("capabilities = [\"create\", \"update\"]", hcl);
        foreach (string p in new[] { "alt_names", "ip_sans", "uri_sans", "other_sans" }) Assert.Contains($"\"{p}\" = []", hcl);
        Assert.DoesNotContain("allowed_parameters", hcl);
        string pinned = CockroachPkiRoles.PinnedIssuerPolicy("pki", "client", ["alice"]);
        Assert.Contains("\"common_name\" = [\"alice\"]", pinned);
        Assert.Contains("\"common_name\" = [\"alice\", \"bob\"]", CockroachPkiRoles.PinnedIssuerPolicy("pki", "client", ["alice", "bob"]));
        Assert.Throws<ArgumentException>(() => CockroachPkiRoles.PinnedIssuerPolicy("pki", "client", ["Alice"]));
        Assert.Throws<PrivilegedUserException>(() => CockroachPkiRoles.PinnedIssuerPolicy("pki", "client", ["root"]));
        Assert.Contains("\"common_name\" = [\"root\"]", CockroachPkiRoles.PinnedIssuerPolicy("pki", "client", ["root"], allowPrivilegedUser: true));
        Assert.Equal("team-pki-client-issuer", CockroachPkiRoles.DefaultPolicyName("team/pki"));
    }

    [Fact]
    public void Role_differences_spot_an_unsafe_flag_and_ignore_order_and_ttl_form()
    {
        var wanted = CockroachPkiRoles.ClientRole(TimeSpan.FromHours(24), TimeSpan.FromHours(48), "ec", 256, false);
        string same = JsonSerializer.Serialize(wanted.ToDictionary(k => k.Key, k => k.Key switch { "ttl" => (object)86400, "max_ttl" => 172800, "key_usage" => new[] { "KeyEncipherment", "DigitalSignature" }, "allowed_uri_sans" => Array.Empty<string>(), "allowed_other_sans" => Array.Empty<string>(), _ => k.Value }));
        Assert.Empty(CockroachPkiRoles.Differences(wanted, JsonDocument.Parse(same).RootElement));
        string unsafeRole = same.Replace("\"server_flag\":false", "\"server_flag\":true");
        Assert.Equal(["server_flag"], CockroachPkiRoles.Differences(wanted, JsonDocument.Parse(unsafeRole).RootElement));
    }

    // ------------------------------------------------------------ certs dir

    private static IssuedCertificate Issued((X509Certificate2 Ca, ECDsa Key) ca, string cn)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(CertificateChecks.ClientAuthOid) }, false));
        X509Certificate2 cert = req.Create(ca.Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(ca.Key), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(16));
        return new IssuedCertificate
        {
            MountPath = "pki", Role = "client", Certificate = cert,
            CertificatePem = new string(PemEncoding.Write("CERTIFICATE", cert.RawData)) + "\n",
            PrivateKeyPem = SecureStrings.From(new string(PemEncoding.Write("EC PRIVATE KEY", key.ExportECPrivateKey())) + "\n"),
            PrivateKeyType = "ec", CaChain = [ca.Ca], SerialNumber = CertificateChecks.FormatSerial(cert),
        };
    }

    [Fact]
    public void Certs_dir_writes_CockroachDB_names_key_0600_cert_0644_and_a_DER_pkcs8_key()
    {
        var ca = NewCa();
        IssuedCertificate issued = Issued(ca, "app.reader");
        var dir = new CertsDirectory(Path.Combine(_dir, "certs"));
        dir.CheckWritable([dir.ClientCertPath("app.reader")], force: false);
        dir.Write(dir.ClientFiles(issued, "app.reader", pkcs8: true, ca.Ca, writeCa: true), force: false);
        Assert.Equal(["ca.crt", "client.app.reader.crt", "client.app.reader.key", "client.app.reader.key.pk8"],
            Directory.GetFiles(dir.FullPath).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        if (OperatingSystem.IsWindows()) return;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.ClientKeyPath("app.reader")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.ClientPkcs8Path("app.reader")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(dir.ClientCertPath("app.reader")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir.FullPath));
        using ECDsa fromPk8 = ECDsa.Create();
        fromPk8.ImportPkcs8PrivateKey(File.ReadAllBytes(dir.ClientPkcs8Path("app.reader")), out _);
        Assert.Equal(issued.Certificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), fromPk8.ExportSubjectPublicKeyInfo());
        Assert.True(dir.CaFileHolds(ca.Ca, out _));
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", File.ReadAllText(dir.ClientKeyPath("app.reader")));
        CertsDirectory.CheckKeyFile(dir.ClientKeyPath("app.reader"));
    }

    [Fact]
    public void Existing_key_without_force_is_refused_before_anything_and_nothing_changes()
    {
        var ca = NewCa();
        var dir = new CertsDirectory(_dir);
        File.WriteAllText(dir.ClientKeyPath("alice"), "old key");
        var ex = Assert.Throws<IOException>(() => dir.CheckWritable([dir.ClientCertPath("alice"), dir.ClientKeyPath("alice")], force: false));
        Assert.Contains("-Force", ex.Message);
        Assert.Throws<IOException>(() => dir.Write(dir.ClientFiles(Issued(ca, "alice"), "alice", false, ca.Ca, true), force: false));
        Assert.Equal("old key", File.ReadAllText(dir.ClientKeyPath("alice")));
        Assert.False(File.Exists(dir.ClientCertPath("alice")));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_write_failing_midway_says_what_was_replaced_and_the_set_is_reported_as_mixed()
    {
        var ca = NewCa();
        var dir = new CertsDirectory(_dir);
        IReadOnlyList<PendingFile> files = dir.ClientFiles(Issued(ca, "alice"), "alice", false, ca.Ca, true);
        // The certificate's name is taken by a folder: its rename (the last) fails after ca.crt and the key were placed.
        Directory.CreateDirectory(dir.ClientCertPath("alice"));
        var ex = Assert.Throws<PartialWriteException>(() => SecretFileWriter.WriteAll(files, overwrite: true));
        Assert.Equal([dir.CaPath, dir.ClientKeyPath("alice")], ex.Placed);
        Assert.Equal([dir.ClientCertPath("alice")], ex.NotPlaced);
        Assert.Contains("-Force", ex.Message);
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.EndsWith(".tmp") || f.EndsWith(".bak"));
        Directory.Delete(dir.ClientCertPath("alice"));
        Assert.Equal(["client.alice.key is there without client.alice.crt"], dir.CheckClientSet("alice"));
    }

    [Fact]
    public void A_write_failing_before_any_rename_leaves_nothing_behind()
    {
        var ca = NewCa();
        var dir = new CertsDirectory(_dir);
        IReadOnlyList<PendingFile> files = dir.ClientFiles(Issued(ca, "alice"), "alice", false, ca.Ca, true);
        // ca.crt (placed first) cannot be replaced: nothing is placed at all.
        Directory.CreateDirectory(dir.CaPath);
        Assert.ThrowsAny<IOException>(() => SecretFileWriter.WriteAll(files, overwrite: true));
        Assert.False(File.Exists(dir.ClientCertPath("alice")));
        Assert.False(File.Exists(dir.ClientKeyPath("alice")));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => f.EndsWith(".tmp") || f.EndsWith(".bak"));
    }

    [Fact]
    public void Certs_dir_checks_parent_existence_and_that_it_is_a_folder()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new CertsDirectory(Path.Combine(_dir, "no", "such")).CheckWritable([], false));
        string file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<IOException>(() => new CertsDirectory(file).CheckWritable([], false)).Message);
        Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cockroach-certs"), new CertsDirectory("~/.cockroach-certs").FullPath);
    }

    [Fact]
    public void Loose_key_permissions_are_refused_with_the_chmod_fix_like_CockroachDB()
    {
        if (OperatingSystem.IsWindows()) return; // CockroachDB checks key modes on Unix only
        string key = Path.Combine(_dir, "client.alice.key");
        File.WriteAllText(key, "k");
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var ex = Assert.Throws<UnauthorizedAccessException>(() => CertsDirectory.CheckKeyFile(key));
        Assert.Contains("has permissions -rw-r--r--, exceeds -rwx------", ex.Message);
        Assert.Contains($"chmod 600 '{key}'", ex.Message);
        File.SetUnixFileMode(key, UnixFileMode.UserRead);
        CertsDirectory.CheckKeyFile(key);
    }

    [Fact]
    public void Hosts_split_into_DNS_and_IP_SANs_and_junk_is_refused()
    {
        (var dns, var ips) = CertificateIssuance.SplitHosts(["127.0.0.1", "LocalHost", "*.db.internal", "::1"]);
        Assert.Equal(["localhost", "*.db.internal"], dns);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], ips);
        Assert.Throws<ArgumentException>(() => CertificateIssuance.SplitHosts(["bad host"]));
        Assert.Throws<ArgumentException>(() => CertificateIssuance.SplitHosts([]));
    }

    [Fact]
    public void PEM_that_is_not_a_certificate_is_a_clear_error() =>
        Assert.Contains("did not return a PEM certificate", Assert.Throws<CertificateRejectedException>(() => PkiEngine.ParseCertificate("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", "x")).Message);

    [Fact]
    public void Issued_certificate_ToString_never_shows_the_key()
    {
        IssuedCertificate issued = Issued(NewCa(), "alice");
        Assert.DoesNotContain("PRIVATE", issued.ToString());
        Assert.IsType<SecureString>(issued.PrivateKeyPem);
        _ = Encoding.ASCII;
    }
}
