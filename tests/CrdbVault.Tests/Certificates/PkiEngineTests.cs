using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Vault;
using CrdbVault.Sandbox.Vault.Engines;
using CrdbVault.Sandbox.Vault.Engines.Pki;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>The Vault double's PKI engine, called directly (no HTTP): Vault's behaviour with real X.509.</summary>
public sealed class PkiEngineTests
{
    private sealed class RecordingLeases : ILeaseManager
    {
        public readonly Dictionary<string, Func<CancellationToken, Task>> Revokers = [];

        public string Create(string prefix, TimeSpan ttl, TimeSpan maxTtl, bool renewable, Func<CancellationToken, Task> revoke, Func<DateTimeOffset, CancellationToken, Task>? renew = null)
        {
            string id = $"{prefix}/{Guid.NewGuid():N}";
            Revokers[id] = revoke;
            return id;
        }

        public Task RevokeAsync(string leaseId, bool force = false) => Revokers[leaseId](CancellationToken.None);

        public Task RevokePrefixAsync(string prefix, bool force = false) =>
            Task.WhenAll(Revokers.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(r => r.Value(CancellationToken.None)));
    }

    private readonly RecordingLeases _leases = new();
    private readonly VaultMount _mount;
    private readonly PkiEngine _engine;

    public PkiEngineTests()
    {
        _mount = new VaultMount { Path = "cockroach_client_ca", Type = "pki", MaxLeaseTtl = TimeSpan.FromDays(3650) };
        _engine = new PkiEngine(_mount, new VaultServices { Clock = TimeProvider.System, Leases = _leases, Options = new SandboxOptions() });
        _mount.Engine = _engine;
    }

    private VaultReply Call(string method, string path, JsonObject? body = null) =>
        _engine.HandleAsync(new VaultRequest(method, path, body ?? [], new Dictionary<string, string>(), null, _mount, CancellationToken.None)).GetAwaiter().GetResult();

    private static string Str(VaultReply r, string name) => r.Data![name]!.GetValue<string>();

    private VaultReply Root(string cn = "Cockroach CA") =>
        Call("POST", "root/generate/internal", new JsonObject { ["common_name"] = cn, ["ttl"] = "87600h", ["key_type"] = "ec" });

    private void ClientRole(string name = "client", JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["allow_any_name"] = true, ["enforce_hostnames"] = false, ["allow_ip_sans"] = false, ["allow_localhost"] = false,
            ["server_flag"] = false, ["client_flag"] = true, ["key_type"] = "ec", ["max_ttl"] = "48h",
        };
        foreach ((string k, JsonNode? v) in extra ?? []) body[k] = v?.DeepClone();
        Assert.Equal(200, Call("POST", $"roles/{name}", body).Status);
    }

    private static X509Certificate2 Cert(VaultReply r) => X509Certificate2.CreateFromPem(Str(r, "certificate"));

    [Fact]
    public void Root_generate_internal_returns_a_CA_and_no_key_and_ca_pem_serves_it_raw()
    {
        VaultReply root = Root();
        Assert.Equal(200, root.Status);
        Assert.Null(root.Data!["private_key"]);
        X509Certificate2 ca = Cert(root);
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal("CN=Cockroach CA", ca.Subject);
        Assert.Matches("^([0-9a-f]{2}:)+[0-9a-f]{2}$", Str(root, "serial_number"));
        Assert.Equal(new DateTimeOffset(ca.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(), root.Data!["expiration"]!.GetValue<long>());

        VaultReply pem = Call("GET", "ca/pem");
        Assert.Equal(PkiPem(ca), Encoding.ASCII.GetString(pem.RawBytes!));
        Assert.Equal(ca.RawData, Call("GET", "ca").RawBytes);
    }

    private static string PkiPem(X509Certificate2 c) => new string(PemEncoding.Write("CERTIFICATE", c.RawData)) + "\n";

    [Fact]
    public void Root_generate_exported_returns_the_key_in_the_requested_encoding()
    {
        VaultReply r = Call("POST", "root/generate/exported", new JsonObject { ["common_name"] = "x", ["private_key_format"] = "pkcs8" });
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", Str(r, "private_key"));
        Assert.Equal("rsa", Str(r, "private_key_type"));
    }

    [Fact]
    public void Root_ttl_above_mount_max_is_capped_with_Vaults_warning()
    {
        _mount.MaxLeaseTtl = TimeSpan.FromHours(768);
        VaultReply r = Root();
        Assert.Contains("TTL \"87600h0m0s\" is longer than permitted maxTTL \"768h0m0s\", so maxTTL is being used", r.Warnings);
    }

    [Fact]
    public void Issue_with_unknown_role_fails_like_Vault()
    {
        Root();
        VaultReply r = Call("POST", "issue/nope", new JsonObject { ["common_name"] = "alice" });
        Assert.Equal(400, r.Status);
        Assert.Equal(["unknown role: nope"], r.Errors);
    }

    [Fact]
    public void Role_defaults_are_Vaults()
    {
        Assert.Equal(200, Call("POST", "roles/plain", []).Status);
        JsonNode d = Call("GET", "roles/plain").Data!;
        Assert.True(d["allow_localhost"]!.GetValue<bool>());
        Assert.True(d["server_flag"]!.GetValue<bool>());
        Assert.True(d["client_flag"]!.GetValue<bool>());
        Assert.True(d["enforce_hostnames"]!.GetValue<bool>());
        Assert.True(d["allow_ip_sans"]!.GetValue<bool>());
        Assert.False(d["allow_any_name"]!.GetValue<bool>());
        Assert.Equal("rsa", d["key_type"]!.GetValue<string>());
        Assert.Equal(2048, d["key_bits"]!.GetValue<int>());
        Assert.Equal(["DigitalSignature", "KeyAgreement", "KeyEncipherment"], d["key_usage"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["email", "hostname"], d["cn_validations"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.True(d["require_cn"]!.GetValue<bool>());
        Assert.Equal("default", d["issuer_ref"]!.GetValue<string>());
        Assert.Equal(["plain"], Call("LIST", "roles").Data!["keys"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(204, Call("DELETE", "roles/plain").Status);
        Assert.Equal(404, Call("GET", "roles/plain").Status);
    }

    [Fact]
    public void Default_role_refuses_a_non_hostname_common_name_and_any_name_role_accepts_it()
    {
        Root();
        Call("POST", "roles/plain", new JsonObject { ["allowed_domains"] = "example.com", ["allow_subdomains"] = true, ["key_type"] = "ec" });
        VaultReply refused = Call("POST", "issue/plain", new JsonObject { ["common_name"] = "app_reader" });
        Assert.Equal(["common name app_reader not allowed by this role"], refused.Errors);
        Assert.Equal(200, Call("POST", "issue/plain", new JsonObject { ["common_name"] = "db.example.com" }).Status);

        ClientRole();
        VaultReply ok = Call("POST", "issue/client", new JsonObject { ["common_name"] = "app_reader" });
        Assert.Equal(200, ok.Status);
        Assert.Equal("CN=app_reader", Cert(ok).Subject);
    }

    [Fact]
    public void Client_role_issues_clientAuth_only_with_the_CN_and_the_chain_verifies()
    {
        X509Certificate2 ca = Cert(Root());
        ClientRole();
        VaultReply r = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice", ["exclude_cn_from_sans"] = true });
        X509Certificate2 leaf = Cert(r);
        var ekus = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], ekus);
        Assert.Null(leaf.Extensions["2.5.29.17"]);
        Assert.Equal(PkiPem(ca).TrimEnd(), Str(r, "issuing_ca"));
        Assert.Equal("ec", Str(r, "private_key_type"));
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", Str(r, "private_key"));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf));
        Assert.Equal(Str(r, "serial_number"), Call("LIST", "certs").Data!["keys"]!.AsArray().Select(x => x!.GetValue<string>()).Single(s => s == Str(r, "serial_number")));
    }

    [Fact]
    public void Any_name_role_lets_a_requester_add_a_DNS_SAN_root_which_is_why_the_module_needs_a_policy()
    {
        Root();
        ClientRole();
        VaultReply r = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice", ["alt_names"] = "root" });
        Assert.Equal(200, r.Status);
        var san = new X509SubjectAlternativeNameExtension(Cert(r).Extensions["2.5.29.17"]!.RawData);
        Assert.Contains("root", san.EnumerateDnsNames());
    }

    [Fact]
    public void Ip_sans_are_refused_when_the_role_forbids_them_and_dns_sans_outside_allowed_domains_too()
    {
        Root();
        ClientRole();
        VaultReply ip = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice", ["ip_sans"] = "10.0.0.1" });
        Assert.Equal(400, ip.Status);
        Assert.StartsWith("IP Subject Alternative Names are not allowed in this role", ip.Errors[0]);
        Call("POST", "roles/web", new JsonObject { ["allowed_domains"] = new JsonArray("example.com"), ["allow_bare_domains"] = true, ["key_type"] = "ec" });
        VaultReply san = Call("POST", "issue/web", new JsonObject { ["common_name"] = "example.com", ["alt_names"] = "evil.org" });
        Assert.Equal(["subject alternate name evil.org not allowed by this role"], san.Errors);
        VaultReply uri = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice", ["uri_sans"] = "crdb://tenant/2/user/root" });
        Assert.Equal(400, uri.Status);
    }

    [Fact]
    public void Glob_and_subdomain_rules_match_like_Vault()
    {
        Root();
        Call("POST", "roles/glob", new JsonObject { ["allowed_domains"] = "*.db.internal", ["allow_glob_domains"] = true, ["key_type"] = "ec" });
        Assert.Equal(200, Call("POST", "issue/glob", new JsonObject { ["common_name"] = "n1.db.internal" }).Status);
        Assert.Equal(400, Call("POST", "issue/glob", new JsonObject { ["common_name"] = "n1.db.external" }).Status);
        Call("POST", "roles/sub", new JsonObject { ["allowed_domains"] = "example.com", ["allow_subdomains"] = true, ["key_type"] = "ec" });
        Assert.Equal(200, Call("POST", "issue/sub", new JsonObject { ["common_name"] = "a.b.example.com" }).Status);
        Assert.Equal(400, Call("POST", "issue/sub", new JsonObject { ["common_name"] = "example.com" }).Status);
        Assert.Equal(200, Call("POST", "issue/sub", new JsonObject { ["common_name"] = "localhost" }).Status);
    }

    [Fact]
    public void Ttl_above_role_max_is_capped_with_a_warning_and_beyond_the_CA_fails()
    {
        Root();
        ClientRole();
        VaultReply r = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice", ["ttl"] = "100h" });
        Assert.Contains("TTL \"100h0m0s\" is longer than permitted maxTTL \"48h0m0s\", so maxTTL is being used", r.Warnings);
        long exp = r.Data!["expiration"]!.GetValue<long>();
        Assert.InRange(exp - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 48 * 3600 - 60, 48 * 3600 + 1);

        Call("POST", "roles/long", new JsonObject { ["allow_any_name"] = true, ["max_ttl"] = "900000h", ["key_type"] = "ec" });
        VaultReply beyond = Call("POST", "issue/long", new JsonObject { ["common_name"] = "x", ["ttl"] = "890000h" });
        Assert.Equal(400, beyond.Status);
        Assert.Contains("beyond the expiration of the CA certificate", beyond.Errors[0]);
    }

    [Fact]
    public void Require_cn_cn_validations_and_key_settings_are_honoured()
    {
        Root();
        ClientRole();
        Assert.StartsWith("the common_name field is required", Call("POST", "issue/client", []).Errors[0]);
        ClientRole("emailonly", new JsonObject { ["cn_validations"] = "email" });
        Assert.Equal(["common name alice not allowed by this role"], Call("POST", "issue/emailonly", new JsonObject { ["common_name"] = "alice" }).Errors);
        Assert.Equal(400, Call("POST", "roles/bad", new JsonObject { ["key_type"] = "rsa", ["key_bits"] = 1000 }).Status);
        Call("POST", "roles/p384", new JsonObject { ["allow_any_name"] = true, ["key_type"] = "ec", ["key_bits"] = 384 });
        VaultReply r = Call("POST", "issue/p384", new JsonObject { ["common_name"] = "x", ["format"] = "der", ["private_key_format"] = "pkcs8" });
        using ECDsa key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(Str(r, "private_key")), out _);
        Assert.Equal(384, key.KeySize);
        Assert.Equal("CN=x", X509CertificateLoader.LoadCertificate(Convert.FromBase64String(Str(r, "certificate"))).Subject);
    }

    [Fact]
    public void Revoke_by_colon_or_hyphen_serial_lists_it_in_a_real_CRL_and_cert_read_shows_it()
    {
        X509Certificate2 ca = Cert(Root());
        ClientRole();
        VaultReply a = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice" });
        VaultReply b = Call("POST", "issue/client", new JsonObject { ["common_name"] = "bob" });
        string serial = Str(a, "serial_number");
        VaultReply revoked = Call("POST", "revoke", new JsonObject { ["serial_number"] = serial.Replace(':', '-').ToUpperInvariant() });
        Assert.Equal(200, revoked.Status);
        Assert.True(revoked.Data!["revocation_time"]!.GetValue<long>() > 0);
        Assert.NotEqual(0, Call("GET", $"cert/{serial}").Data!["revocation_time"]!.GetValue<long>());
        Assert.Equal(0, Call("GET", $"cert/{Str(b, "serial_number")}").Data!["revocation_time"]!.GetValue<long>());

        string crlPem = Encoding.ASCII.GetString(Call("GET", "crl/pem").RawBytes!);
        Assert.StartsWith("-----BEGIN X509 CRL-----", crlPem);
        CertificateRevocationListBuilder loaded = CertificateRevocationListBuilder.LoadPem(crlPem, out _);
        Assert.NotNull(loaded);
        byte[] der = Call("GET", "crl").RawBytes!;
        Assert.Contains(Convert.ToHexString(Cert(a).SerialNumberBytes.Span), Convert.ToHexString(der));
        Assert.DoesNotContain(Convert.ToHexString(Cert(b).SerialNumberBytes.Span), Convert.ToHexString(der));

        Assert.Equal(["certificate with serial 01:02 not found"], Call("POST", "revoke", new JsonObject { ["serial_number"] = "01:02" }).Errors);
        Assert.Equal(400, Call("POST", "revoke", new JsonObject { ["serial_number"] = Str(Root("second"), "serial_number") }).Status);
        _ = ca;
    }

    [Fact]
    public void Revoke_by_certificate_works_even_for_no_store_roles()
    {
        Root();
        ClientRole("nostore", new JsonObject { ["no_store"] = true });
        VaultReply a = Call("POST", "issue/nostore", new JsonObject { ["common_name"] = "alice" });
        Assert.Equal(404, Call("GET", $"cert/{Str(a, "serial_number")}").Status);
        Assert.Equal(400, Call("POST", "revoke", new JsonObject { ["serial_number"] = Str(a, "serial_number") }).Status);
        Assert.Equal(200, Call("POST", "revoke", new JsonObject { ["certificate"] = Str(a, "certificate") }).Status);
        Assert.Contains(Convert.ToHexString(Cert(a).SerialNumberBytes.Span), Convert.ToHexString(Call("GET", "crl").RawBytes!));
    }

    [Fact]
    public async Task Generate_lease_registers_a_lease_whose_revocation_revokes_the_certificate()
    {
        Root();
        ClientRole("leased", new JsonObject { ["generate_lease"] = true });
        VaultReply a = Call("POST", "issue/leased", new JsonObject { ["common_name"] = "alice", ["ttl"] = "1h" });
        Assert.StartsWith("cockroach_client_ca/issue/leased/", a.LeaseId);
        Assert.InRange(a.LeaseDuration.TotalSeconds, 3540, 3601); // the 1h ttl, less however long issuing took on a busy machine
        await _leases.Revokers[a.LeaseId!](CancellationToken.None);
        Assert.NotEqual(0, Call("GET", $"cert/{Str(a, "serial_number")}").Data!["revocation_time"]!.GetValue<long>());
    }

    [Fact]
    public void Sign_uses_the_CSR_key_and_checks_its_type()
    {
        Root();
        ClientRole();
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest("CN=carol", key, HashAlgorithmName.SHA256);
        VaultReply r = Call("POST", "sign/client", new JsonObject { ["csr"] = req.CreateSigningRequestPem() });
        Assert.Equal(200, r.Status);
        Assert.Null(r.Data!["private_key"]);
        X509Certificate2 cert = Cert(r);
        Assert.Equal("CN=carol", cert.Subject);
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), cert.PublicKey.ExportSubjectPublicKeyInfo());
        using RSA rsa = RSA.Create(2048);
        VaultReply wrong = Call("POST", "sign/client", new JsonObject { ["csr"] = new CertificateRequest("CN=dan", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem() });
        Assert.Equal(["role requires keys of type ec"], wrong.Errors);
    }

    [Fact]
    public void Config_ca_imports_an_existing_bundle_and_issues_from_it()
    {
        using RSA caKey = RSA.Create(2048);
        var req = new CertificateRequest("CN=Imported CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using X509Certificate2 ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        string bundle = PkiPem(ca) + new string(PemEncoding.Write("RSA PRIVATE KEY", caKey.ExportRSAPrivateKey()));
        VaultReply imp = Call("POST", "config/ca", new JsonObject { ["pem_bundle"] = bundle });
        Assert.Equal(200, imp.Status);
        Assert.Single(imp.Data!["imported_issuers"]!.AsArray());
        Assert.Single(imp.Data!["imported_keys"]!.AsArray());
        Assert.Equal(200, Call("POST", "issuers/import/bundle", new JsonObject { ["pem_bundle"] = bundle }).Status);
        Assert.Single(Call("LIST", "issuers").Data!["keys"]!.AsArray());
        ClientRole("c");
        X509Certificate2 leaf = Cert(Call("POST", "issue/c", new JsonObject { ["common_name"] = "alice" }));
        Assert.Equal("CN=Imported CA", leaf.Issuer);
        Assert.Equal(400, Call("POST", "config/ca", new JsonObject { ["pem_bundle"] = "not a pem" }).Status);
    }

    [Fact]
    public void Issue_without_any_issuer_says_so()
    {
        ClientRole();
        VaultReply r = Call("POST", "issue/client", new JsonObject { ["common_name"] = "alice" });
        Assert.Equal(400, r.Status);
        Assert.StartsWith("no default issuer currently configured", r.Errors[0]);
        Assert.Equal(204, Call("GET", "ca/pem").Status);
    }

    [Fact]
    public void Node_style_role_carries_server_and_client_auth_and_ip_sans()
    {
        Root();
        Call("POST", "roles/node", new JsonObject { ["allow_any_name"] = true, ["enforce_hostnames"] = false, ["server_flag"] = true, ["client_flag"] = true, ["key_type"] = "ec" });
        VaultReply r = Call("POST", "issue/node", new JsonObject { ["common_name"] = "node", ["alt_names"] = "localhost,db1.internal", ["ip_sans"] = "127.0.0.1,::1" });
        X509Certificate2 cert = Cert(r);
        var san = new X509SubjectAlternativeNameExtension(cert.Extensions["2.5.29.17"]!.RawData);
        Assert.Equal(["node", "localhost", "db1.internal"], san.EnumerateDnsNames());
        Assert.Equal(["127.0.0.1", "::1"], san.EnumerateIPAddresses().Select(i => i.ToString()));
        var ekus = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], ekus);
    }
}
