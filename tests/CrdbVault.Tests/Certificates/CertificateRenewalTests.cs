using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Certificates;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// -RenewWithin's decision in Core, on crafted certificates in a real folder: what is kept (Current) and
/// what is replaced, driven by the "now" the caller passes (no wall clock).
/// </summary>
public sealed class CertificateRenewalTests : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(8);
    private readonly string _tmp = Directory.CreateTempSubdirectory("crdbvault-renew-").FullName;
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private readonly (X509Certificate2 Cert, ECDsa Key) _ca = NewCa("Renewal CA");

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private CaInfo Ca => Info(_ca.Cert);

    private static CaInfo Info(X509Certificate2 ca) => new("pki", ca, ca.ExportCertificatePem(), null);

    private static (X509Certificate2 Cert, ECDsa Key) NewCa(string cn)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return (req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddYears(1)), key);
    }

    /// <summary>A leaf with its private key, valid from <paramref name="from"/> for <paramref name="hours"/>.</summary>
    private static X509Certificate2 Leaf((X509Certificate2 Cert, ECDsa Key) ca, string cn, double hours = 24, DateTimeOffset? from = null,
        string[]? ekus = null, string[]? dns = null, string[]? ips = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest($"CN={cn}", key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        var oids = new OidCollection();
        foreach (string e in ekus ?? [CertificateChecks.ClientAuthOid]) oids.Add(new Oid(e));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        if (dns is not null || ips is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (string d in dns ?? []) san.AddDnsName(d);
            foreach (string i in ips ?? []) san.AddIpAddress(IPAddress.Parse(i));
            req.CertificateExtensions.Add(san.Build());
        }
        DateTimeOffset start = from ?? DateTimeOffset.UtcNow.AddMinutes(-1);
        using X509Certificate2 cert = req.Create(ca.Cert, start, start.AddHours(hours), RandomNumberGenerator.GetBytes(16));
        return cert.CopyWithPrivateKey(key);
    }

    private static X509Certificate2 Node((X509Certificate2 Cert, ECDsa Key) ca, string[] dns, string[] ips, double hours = 720) =>
        Leaf(ca, "node", hours, ekus: [CertificateChecks.ServerAuthOid, CertificateChecks.ClientAuthOid], dns: [.. dns, "node"], ips: ips);

    private CertsDirectory Dir(string name = "certs")
    {
        string path = Path.Combine(_tmp, name);
        Directory.CreateDirectory(path);
        return new CertsDirectory(path);
    }

    /// <summary>The set as New-CrdbClientCert writes it: ca.crt, client.&lt;user&gt;.key (0600), client.&lt;user&gt;.crt.</summary>
    private void WriteSet(CertsDirectory dir, string certPath, string keyPath, X509Certificate2 leaf, X509Certificate2? caFile = null)
    {
        File.WriteAllText(dir.CaPath, (caFile ?? _ca.Cert).ExportCertificatePem() + "\n");
        File.WriteAllText(keyPath, leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(certPath, leaf.ExportCertificatePem() + "\n");
    }

    private CertsDirectory ClientSet(X509Certificate2 leaf, string user = "alice", X509Certificate2? caFile = null)
    {
        CertsDirectory dir = Dir();
        WriteSet(dir, dir.ClientCertPath(user), dir.ClientKeyPath(user), leaf, caFile);
        return dir;
    }

    private RenewalDecision Client(CertsDirectory dir, string user = "alice", bool pkcs8 = false, DateTimeOffset? now = null, CaInfo? ca = null,
        bool force = false) =>
        CertificateRenewal.DecideClient(dir, user, pkcs8, ca ?? Ca, Window, now ?? _now, force);

    [Fact]
    public void A_fresh_set_is_current_and_the_result_holds_the_public_certificate_and_paths_only()
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);

        RenewalDecision d = Client(dir);

        Assert.True(d.IsCurrent, d.Reason);
        CurrentCertificate c = d.Current!;
        Assert.Equal(leaf.Thumbprint, c.Certificate.Thumbprint);
        Assert.False(c.Certificate.HasPrivateKey);
        Assert.Equal(CertificateChecks.FormatSerial(leaf), c.SerialNumber);
        Assert.Equal(dir.ClientCertPath("alice"), c.Files.CertificatePath);
        Assert.Equal(dir.ClientKeyPath("alice"), c.Files.KeyPath);
        Assert.Equal(dir.CaPath, c.Files.CaPath);
        Assert.Null(c.Files.Pkcs8Path);
        Assert.Contains("beyond -RenewWithin 8h", d.Reason);
        Assert.DoesNotContain("PRIVATE KEY", c.ToString() + d.Reason);
    }

    [Fact]
    public void The_same_set_is_renewed_once_now_reaches_the_window()
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice", hours: 24);
        CertsDirectory dir = ClientSet(leaf);

        Assert.True(Client(dir, now: _now.AddHours(15)).IsCurrent);
        RenewalDecision late = Client(dir, now: _now.AddHours(17));

        Assert.False(late.IsCurrent);
        Assert.Contains("within -RenewWithin 8h", late.Reason);
        Assert.Contains(CertificateChecks.FormatSerial(leaf), late.Reason);
    }

    [Fact]
    public void An_expired_or_not_yet_valid_certificate_is_renewed()
    {
        using X509Certificate2 expired = Leaf(_ca, "alice", hours: 2, from: _now.AddHours(-3));
        Assert.Contains("expired at", Client(ClientSet(expired)).Reason);

        using X509Certificate2 future = Leaf(_ca, "alice", hours: 48, from: _now.AddDays(1));
        RenewalDecision d = Client(ClientSet(future));
        Assert.False(d.IsCurrent);
        Assert.Contains("not valid before", d.Reason);
    }

    [Fact]
    public void A_certificate_of_another_CA_is_renewed_even_when_it_is_fresh()
    {
        var other = NewCa("Old CA");
        using X509Certificate2 leaf = Leaf(other, "alice");
        // ca.crt already holds the new CA (a rotation hands it out first): renewing needs no -Force.
        RenewalDecision d = Client(ClientSet(leaf));

        Assert.False(d.IsCurrent);
        Assert.Contains("does not chain to the CA", d.Reason);
    }

    [Fact]
    public void Renewing_would_replace_a_ca_crt_of_another_CA_only_with_Force_and_says_so_before_Vault_is_asked()
    {
        var other = NewCa("Old CA");
        using X509Certificate2 leaf = Leaf(other, "alice");
        CertsDirectory dir = ClientSet(leaf, caFile: other.Cert);

        var e = Assert.Throws<IOException>(() => Client(dir));
        Assert.Contains("ca.crt", e.Message);
        Assert.Contains("-Force", e.Message);
        Assert.Contains("Nothing was requested from Vault", e.Message);
        Assert.False(Client(dir, force: true).IsCurrent);

        // A current certificate never looks at a foreign ca.crt: nothing would be written.
        using X509Certificate2 fresh = Leaf(_ca, "bob");
        Assert.True(Client(ClientSet(fresh, user: "bob", caFile: other.Cert), user: "bob").IsCurrent);
    }

    [Theory]
    [InlineData(CertificateChecks.ServerAuthOid)]
    [InlineData(CertificateChecks.ServerAuthOid + "," + CertificateChecks.ClientAuthOid)]
    public void A_certificate_with_the_wrong_usages_is_renewed(string ekus)
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice", ekus: ekus.Split(','));
        RenewalDecision d = Client(ClientSet(leaf));
        Assert.False(d.IsCurrent);
        Assert.Contains("extended key usage", d.Reason);
    }

    [Fact]
    public void A_certificate_of_another_user_or_with_more_principals_is_renewed()
    {
        using X509Certificate2 bob = Leaf(_ca, "bob");
        CertsDirectory dir = Dir();
        WriteSet(dir, dir.ClientCertPath("alice"), dir.ClientKeyPath("alice"), bob);
        Assert.Contains("common name is 'bob'", Client(dir).Reason);

        using X509Certificate2 rootToo = Leaf(_ca, "alice", dns: ["root"]);
        Assert.Contains("'root'", Client(ClientSet(rootToo)).Reason);
    }

    [Fact]
    public void A_missing_foreign_or_readable_key_is_renewed()
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        File.Delete(dir.ClientKeyPath("alice"));
        Assert.Contains("client.alice.crt is there without client.alice.key", Client(dir).Reason);

        using X509Certificate2 other = Leaf(_ca, "alice");
        File.WriteAllText(dir.ClientKeyPath("alice"), other.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        Assert.Contains("client.alice.key is not the key of client.alice.crt", Client(dir).Reason);

        if (OperatingSystem.IsWindows()) return;
        dir = ClientSet(leaf);
        File.SetUnixFileMode(dir.ClientKeyPath("alice"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        RenewalDecision open = Client(dir);
        Assert.False(open.IsCurrent);
        Assert.Contains("CockroachDB would refuse the key", open.Reason);
    }

    [Fact]
    public void No_set_or_no_ca_crt_is_renewed()
    {
        Assert.Contains("there is no client.alice.crt yet", Client(Dir("empty")).Reason);

        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        File.Delete(dir.CaPath);
        Assert.Contains("ca.crt is missing", Client(dir).Reason);
    }

    public static TheoryData<string, string> HostileCertificateFiles => new()
    {
        { "garbage", "client.alice.key is not the key of client.alice.crt" },
        { "nine", "more than 8 certificates" },
        { "keyblock", "besides certificates" },
        { "badder", "cannot be parsed" },
    };

    [Theory]
    [MemberData(nameof(HostileCertificateFiles))]
    public void A_certificate_file_that_is_garbage_or_more_than_a_leaf_and_intermediates_is_renewed(string kind, string expected)
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        string pem = leaf.ExportCertificatePem() + "\n";
        File.WriteAllText(dir.ClientCertPath("alice"), kind switch
        {
            "garbage" => "-----BEGIN GARBAGE-----\n" + new string('A', 4000) + "\n-----END GARBAGE-----\n",
            "nine" => string.Concat(Enumerable.Repeat(pem, 9)),
            "keyblock" => pem + leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n",
            _ => pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        });

        RenewalDecision d = Client(dir);

        Assert.False(d.IsCurrent);
        Assert.Contains(expected, d.Reason);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("keyonly")]
    [InlineData("huge")]
    [InlineData("directory")]
    public void A_ca_crt_that_holds_no_certificate_is_never_current_and_is_replaced_without_Force(string kind)
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        File.Delete(dir.CaPath);
        switch (kind)
        {
            case "empty": File.WriteAllText(dir.CaPath, ""); break;
            case "garbage": File.WriteAllText(dir.CaPath, "garbage\n"); break;
            case "keyonly": File.WriteAllText(dir.CaPath, _ca.Key.ExportSubjectPublicKeyInfoPem() + "\n"); break;
            case "huge": using (var s = new FileStream(dir.CaPath, FileMode.Create)) s.SetLength(3L << 30); break;
            default: Directory.CreateDirectory(dir.CaPath); break;
        }

        RenewalDecision d = Client(dir); // no IOException: an empty or damaged ca.crt is no other CA to protect

        Assert.False(d.IsCurrent, d.Reason);
        Assert.Contains("ca.crt", d.Reason);
    }

    [Fact]
    public void Huge_certificate_and_key_files_are_renewed_without_being_read()
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        // Sparse 3 GiB files: reading either whole would fail the test (a MemoryStream cannot hold it).
        using (var s = new FileStream(dir.ClientCertPath("alice"), FileMode.Create)) s.SetLength(3L << 30);
        RenewalDecision d = Client(dir);
        Assert.False(d.IsCurrent);
        Assert.Contains("more than the 1 MiB", d.Reason);

        dir = ClientSet(leaf);
        using (var s = new FileStream(dir.ClientKeyPath("alice"), FileMode.Create)) s.SetLength(3L << 30);
        d = Client(dir);
        Assert.False(d.IsCurrent);
        Assert.Contains("more than the 64 KiB", d.Reason);
    }

    [Fact]
    public void Pkcs8_asked_for_and_missing_renews_and_a_present_one_is_renewed_with_the_set()
    {
        using X509Certificate2 leaf = Leaf(_ca, "alice");
        CertsDirectory dir = ClientSet(leaf);
        Assert.True(Client(dir).IsCurrent);
        Assert.Contains("client.alice.key.pk8 is missing", Client(dir, pkcs8: true).Reason);
        Assert.False(CertificateRenewal.RenewsPkcs8(dir, "alice", pkcs8: false));

        File.WriteAllBytes(dir.ClientPkcs8Path("alice"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKey());
        RenewalDecision d = Client(dir, pkcs8: true);
        Assert.True(d.IsCurrent, d.Reason);
        Assert.Equal(dir.ClientPkcs8Path("alice"), d.Current!.Files.Pkcs8Path);
        Assert.True(CertificateRenewal.RenewsPkcs8(dir, "alice", pkcs8: false));
    }

    [Fact]
    public void Node_hosts_compare_as_sets_names_without_case_addresses_in_any_notation()
    {
        using X509Certificate2 node = Node(_ca, ["db1.internal", "localhost"], ["10.0.0.5", "::1"]);
        CertsDirectory dir = Dir("node");
        WriteSet(dir, dir.NodeCertPath, dir.NodeKeyPath, node);
        RenewalDecision Decide(params string[] hosts) => CertificateRenewal.DecideNode(dir, hosts, Ca, Window, _now, force: false);

        Assert.True(Decide("db1.internal", "localhost", "10.0.0.5", "::1").IsCurrent);
        Assert.True(Decide("::1", "LOCALHOST", "10.0.0.5", "DB1.Internal", "localhost").IsCurrent);
        Assert.True(Decide("0:0:0:0:0:0:0:1", "db1.internal", "localhost", "10.0.0.5").IsCurrent);

        Assert.Contains("lacks the requested hosts db2.internal", Decide("db1.internal", "db2.internal", "localhost", "10.0.0.5", "::1").Reason);
        Assert.Contains("unrequested hosts localhost", Decide("db1.internal", "10.0.0.5", "::1").Reason);
        Assert.Contains("unrequested IP addresses 10.0.0.5", Decide("db1.internal", "localhost", "::1").Reason);
        Assert.Contains("lacks the requested hosts 10.0.0.6", Decide("db1.internal", "localhost", "10.0.0.6", "::1").Reason);
    }

    [Fact]
    public void A_client_certificate_in_node_crt_is_renewed()
    {
        using X509Certificate2 client = Leaf(_ca, "node", dns: ["localhost"]);
        CertsDirectory dir = Dir("node");
        WriteSet(dir, dir.NodeCertPath, dir.NodeKeyPath, client);

        RenewalDecision d = CertificateRenewal.DecideNode(dir, ["localhost"], Ca, Window, _now, force: false);

        Assert.False(d.IsCurrent);
        Assert.Contains("expected serverAuth and clientAuth", d.Reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public void The_window_must_be_longer_than_zero(int seconds) =>
        Assert.Throws<ArgumentException>(() => CertificateRenewal.DecideClient(Dir(), "alice", false, Ca, TimeSpan.FromSeconds(seconds), _now, false));
}
