using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Engines.Pki;

namespace CrdbVault.Sandbox.Vault.Engines;

/// <summary>
/// Vault's PKI secrets engine (vault-api.md §5) with real X.509: root generation and import,
/// roles with Vault's defaults and name rules, issue/sign, CA and certificate reads, revocation
/// and a real CRL, leases for generate_lease roles. Works at any mount path.
/// </summary>
public sealed class PkiEngine : IVaultEngine, IUnauthenticatedPaths, IDisposable
{
    private const string PemChain = "application/pem-certificate-chain";
    private static readonly TimeSpan CrlLifetime = TimeSpan.FromHours(72);

    private readonly VaultMount _mount;
    private readonly VaultServices _services;
    private readonly object _gate = new();
    private readonly Dictionary<string, PkiRole> _roles = new(StringComparer.Ordinal);
    private readonly List<PkiIssuer> _issuers = [];
    private readonly Dictionary<string, PkiKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PkiStoredCert> _certs = new(StringComparer.Ordinal);
    private string? _defaultIssuerId;

    public PkiEngine(VaultMount mount, VaultServices services)
    {
        _mount = mount;
        _services = services;
    }

    public string Type => "pki";

    /// <summary>Paths Vault serves without a token: CA, chain, CRL and certificate reads.</summary>
    public static bool IsUnauthenticatedPath(string method, string path) =>
        method == "GET" && (path is "ca" or "ca/pem" or "ca_chain" or "crl" or "crl/pem" or "crl/delta" or "crl/delta/pem"
            || path.StartsWith("cert/", StringComparison.Ordinal)
            || (path.StartsWith("issuer/", StringComparison.Ordinal) && (path.EndsWith("/json", StringComparison.Ordinal) || path.EndsWith("/pem", StringComparison.Ordinal) || path.EndsWith("/der", StringComparison.Ordinal))));

    public bool IsUnauthenticated(string method, string path) => IsUnauthenticatedPath(method, path);

    /// <summary>For tests: serials of the certificates stored (colon form).</summary>
    public IReadOnlyList<string> StoredSerials { get { lock (_gate) return [.. _certs.Keys]; } }

    public Task<VaultReply> HandleAsync(VaultRequest request)
    {
        try
        {
            return Task.FromResult(Route(request));
        }
        catch (PkiRequestException ex)
        {
            return Task.FromResult(VaultReply.Error(ex.Status, ex.Message));
        }
    }

    private VaultReply Route(VaultRequest r)
    {
        string[] s = r.Path.Split('/');
        switch (s)
        {
            case ["root", "generate", string type] when r.IsWrite: return GenerateRoot(r, type);
            case ["issuers", "generate", "root", string type] when r.IsWrite: return GenerateRoot(r, type);
            case ["config", "ca"] when r.IsWrite: return ImportBundle(r);
            case ["issuers", "import", "bundle" or "cert"] when r.IsWrite: return ImportBundle(r);
            case ["config", "issuers"] or ["root", "replace"]: return ConfigIssuers(r);
            case ["issuers"] when r.IsList: return ListIssuers();
            case ["keys"] when r.IsList: lock (_gate) return VaultReply.Keys(_keys.Keys);
            case ["issuer", string reference] when r.IsRead: return ReadIssuer(reference, "info");
            case ["issuer", string reference, "json" or "pem" or "der" or "crl" or "crl/pem"] when r.IsRead: return ReadIssuer(reference, s[2]);
            case ["issuer", string reference, "crl", "pem" or "der"] when r.IsRead: return ReadIssuer(reference, "crl/" + s[3]);
            case ["issuer", string reference, "issue", string role] when r.IsWrite: return Issue(r, role, reference, csrMode: false);
            case ["issuer", string reference, "sign", string role] when r.IsWrite: return Issue(r, role, reference, csrMode: true);
            case ["roles"] when r.IsList: lock (_gate) return VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal));
            case ["roles", string name]: return Role(r, name);
            case ["issue", string role] when r.IsWrite: return Issue(r, role, null, csrMode: false);
            case ["sign", string role] when r.IsWrite: return Issue(r, role, null, csrMode: true);
            case ["ca", "pem"] when r.IsRead: return RawDefault(pem: true);
            case ["ca"] when r.IsRead: return RawDefault(pem: false);
            case ["ca_chain"] when r.IsRead: return RawChain();
            case ["cert", "ca"] when r.IsRead: return CertJson(DefaultIssuerOrNull()?.SerialNumber);
            case ["cert", "ca_chain"] when r.IsRead: return CaChainJson();
            case ["cert", "crl"] when r.IsRead: return CrlJson();
            case ["cert", string serial] when r.IsRead: return CertJson(serial);
            case ["certs"] when r.IsList: lock (_gate) return VaultReply.Keys(_certs.Keys.Order(StringComparer.Ordinal));
            case ["revoke"] when r.IsWrite: return RevokeRequest(r);
            case ["revoke-with-key"] when r.IsWrite: return RevokeWithKey(r);
            case ["crl", "pem"] when r.IsRead: return Crl(pem: true);
            case ["crl"] when r.IsRead: return Crl(pem: false);
            case ["crl", "rotate"] when r.IsRead: return RotateCrl();
        }
        return VaultReply.UnsupportedPath();
    }

    // ---------------------------------------------------------------- issuers

    private VaultReply GenerateRoot(VaultRequest r, string type)
    {
        if (type is not ("internal" or "exported" or "existing"))
            throw new PkiRequestException($"invalid type: {type}", 404);
        JsonObject b = r.Body;
        string cn = PkiFields.Str(b, "common_name") ?? "";
        if (cn.Length == 0) throw new PkiRequestException("the common_name field is required");
        string format = Format(b);
        bool pkcs8 = PrivateKeyFormat(b);
        string issuerName = PkiFields.Str(b, "issuer_name") ?? "";
        string keyName = PkiFields.Str(b, "key_name") ?? "";

        var warnings = new List<string>();
        TimeSpan ttl = PkiFields.Duration(b, "ttl");
        TimeSpan max = _mount.EffectiveMaxTtl;
        if (ttl <= TimeSpan.Zero) ttl = _mount.EffectiveDefaultTtl;
        if (ttl > max)
        {
            warnings.Add($"TTL \"{PkiFields.GoDuration(ttl)}\" is longer than permitted maxTTL \"{PkiFields.GoDuration(max)}\", so maxTTL is being used");
            ttl = max;
        }

        PkiKey key;
        bool newKey;
        if (type == "existing")
        {
            string keyRef = PkiFields.Str(b, "key_ref") ?? "";
            lock (_gate) key = FindKey(keyRef) ?? throw new PkiRequestException($"unable to find PKI key for reference: {keyRef}");
            newKey = false;
        }
        else
        {
            string keyType = (PkiFields.Str(b, "key_type") ?? "rsa").ToLowerInvariant();
            int bits = PkiKeys.ValidateKeyTypeAndBits(keyType, PkiFields.Int(b, "key_bits", 0), allowAny: false);
            key = PkiKeys.Generate(keyType, bits);
            key.Name = keyName;
            newKey = true;
        }

        DateTimeOffset now = _services.Clock.GetUtcNow();
        var subject = new X500DistinguishedNameBuilder();
        foreach (string o in PkiFields.List(b, "organization")) subject.AddOrganizationName(o);
        foreach (string ou in PkiFields.List(b, "ou")) subject.AddOrganizationalUnitName(ou);
        subject.AddCommonName(cn);
        PkiSans sans = ParseSans(b, cn, PkiFields.Bool(b, "exclude_cn_from_sans", false), fromCsr: null);
        TimeSpan backdate = PkiFields.Has(b, "not_before_duration") ? PkiFields.Duration(b, "not_before_duration") : TimeSpan.FromSeconds(30);
        X509Certificate2 cert = PkiCertificates.CreateRoot(key, subject.Build(), sans, now - backdate,
            DateTimeOffset.FromUnixTimeSeconds((now + ttl).ToUnixTimeSeconds()), PkiFields.Int(b, "max_path_length", -1));

        PkiIssuer issuer;
        lock (_gate)
        {
            if (issuerName.Length > 0 && _issuers.Any(i => i.Name == issuerName)) throw new PkiRequestException("issuer name already in use");
            if (newKey && keyName.Length > 0 && _keys.Values.Any(k => k.Name == keyName)) throw new PkiRequestException("key name already in use");
            if (newKey) _keys[key.Id] = key;
            issuer = new PkiIssuer { Id = Guid.NewGuid().ToString(), Name = issuerName, Certificate = cert, Key = key };
            _issuers.Add(issuer);
            _defaultIssuerId ??= issuer.Id;
            _certs[issuer.SerialNumber] = new PkiStoredCert { Serial = issuer.SerialNumber, Certificate = cert, IssuerId = issuer.Id };
        }

        string certOut = Encode(cert, format);
        var data = new JsonObject
        {
            ["certificate"] = format == "pem_bundle" && type == "exported" ? KeyOut(key, "pem", pkcs8) + "\n" + certOut : certOut,
            ["issuing_ca"] = certOut,
            ["serial_number"] = issuer.SerialNumber,
            ["expiration"] = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeSeconds(),
            ["issuer_id"] = issuer.Id,
            ["issuer_name"] = issuer.Name,
            ["key_id"] = key.Id,
            ["key_name"] = key.Name,
        };
        if (type == "exported")
        {
            data["private_key"] = KeyOut(key, format, pkcs8);
            data["private_key_type"] = key.Type;
        }
        return new VaultReply { Data = data, Warnings = warnings };
    }

    private VaultReply ImportBundle(VaultRequest r)
    {
        string bundle = PkiFields.Str(r.Body, "pem_bundle") ?? "";
        if (bundle.Trim().Length == 0) throw new PkiRequestException("'pem_bundle' must be a PEM-format certificate bundle");
        var certs = new List<X509Certificate2>();
        var keys = new List<PkiKey>();
        ReadOnlySpan<char> rest = bundle.AsSpan();
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            string label = rest[fields.Label].ToString();
            byte[] der;
            try { der = Convert.FromBase64String(rest[fields.Base64Data].ToString()); }
            catch (FormatException) { throw new PkiRequestException("error parsing PEM bundle: bad base64 data"); }
            try
            {
                if (label == "CERTIFICATE") certs.Add(X509CertificateLoader.LoadCertificate(der));
                else if (PkiKeys.FromPem(label, der) is PkiKey k) keys.Add(k);
                else throw new PkiRequestException($"error parsing PEM bundle: unsupported PEM block type \"{label}\"");
            }
            catch (CryptographicException ex) { throw new PkiRequestException($"error parsing PEM bundle: {ex.Message}"); }
            rest = rest[fields.Location.End..];
        }
        if (certs.Count == 0 && keys.Count == 0) throw new PkiRequestException("no data found in PEM block");

        var imported = new JsonArray();
        var importedKeys = new JsonArray();
        var existingIssuers = new JsonArray();
        var existingKeys = new JsonArray();
        var mapping = new JsonObject();
        lock (_gate)
        {
            var keyIds = new List<PkiKey>();
            foreach (PkiKey k in keys)
            {
                PkiKey? same = _keys.Values.FirstOrDefault(x => x.Matches(k.PublicKey));
                if (same is not null) { existingKeys.Add(same.Id); keyIds.Add(same); k.Dispose(); continue; }
                _keys[k.Id] = k;
                importedKeys.Add(k.Id);
                keyIds.Add(k);
            }
            foreach (X509Certificate2 cert in certs)
            {
                if (cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
                    throw new PkiRequestException($"refusing to import non-CA certificate (serial {PkiCertificates.Format(cert.SerialNumberBytes.Span)}) as an issuer");
                PkiIssuer? existing = _issuers.FirstOrDefault(i => i.Certificate.RawData.AsSpan().SequenceEqual(cert.RawData));
                if (existing is not null) { existingIssuers.Add(existing.Id); continue; }
                PkiKey? key = _keys.Values.FirstOrDefault(k => k.Matches(cert.PublicKey));
                var issuer = new PkiIssuer { Id = Guid.NewGuid().ToString(), Certificate = cert, Key = key };
                _issuers.Add(issuer);
                _certs[issuer.SerialNumber] = new PkiStoredCert { Serial = issuer.SerialNumber, Certificate = cert, IssuerId = issuer.Id };
                imported.Add(issuer.Id);
                mapping[issuer.Id] = key?.Id ?? "";
                if (_defaultIssuerId is null && key is not null) _defaultIssuerId = issuer.Id;
            }
            _defaultIssuerId ??= _issuers.FirstOrDefault()?.Id;
        }
        return VaultReply.Ok(new JsonObject
        {
            ["imported_issuers"] = imported.Count == 0 ? null : imported,
            ["imported_keys"] = importedKeys.Count == 0 ? null : importedKeys,
            ["mapping"] = mapping,
            ["existing_issuers"] = existingIssuers.Count == 0 ? null : existingIssuers,
            ["existing_keys"] = existingKeys.Count == 0 ? null : existingKeys,
        });
    }

    private VaultReply ConfigIssuers(VaultRequest r)
    {
        if (r.IsRead)
            lock (_gate) return VaultReply.Ok(new JsonObject { ["default"] = _defaultIssuerId ?? "", ["default_follows_latest_issuer"] = false });
        if (!r.IsWrite) return VaultReply.UnsupportedOperation();
        string reference = PkiFields.Str(r.Body, "default") ?? "";
        lock (_gate)
        {
            PkiIssuer issuer = FindIssuer(reference) ?? throw new PkiRequestException($"unable to resolve issuer id for reference: {reference}");
            _defaultIssuerId = issuer.Id;
            return VaultReply.Ok(new JsonObject { ["default"] = issuer.Id, ["default_follows_latest_issuer"] = false });
        }
    }

    private VaultReply ListIssuers()
    {
        lock (_gate)
        {
            if (_issuers.Count == 0) return VaultReply.NotFound();
            var info = new JsonObject();
            foreach (PkiIssuer i in _issuers)
                info[i.Id] = new JsonObject { ["issuer_name"] = i.Name, ["is_default"] = i.Id == _defaultIssuerId, ["serial_number"] = i.SerialNumber, ["key_id"] = i.Key?.Id ?? "" };
            return VaultReply.Ok(new JsonObject { ["keys"] = PkiFields.Array(_issuers.Select(i => i.Id)), ["key_info"] = info });
        }
    }

    private VaultReply ReadIssuer(string reference, string what)
    {
        PkiIssuer? issuer;
        lock (_gate) issuer = FindIssuer(reference);
        if (issuer is null) return VaultReply.Error(500, $"unable to resolve issuer id for reference: {reference}");
        switch (what)
        {
            case "pem": return VaultReply.RawContent(Encoding.ASCII.GetBytes(PkiCertificates.Pem(issuer.Certificate)), PemChain);
            case "der": return VaultReply.RawContent(issuer.Certificate.RawData, "application/pkix-cert");
            case "crl" or "crl/der": return VaultReply.RawContent(CrlFor(issuer), "application/pkix-crl");
            case "crl/pem": return VaultReply.RawContent(Encoding.ASCII.GetBytes(new string(PemEncoding.Write("X509 CRL", CrlFor(issuer))) + "\n"), "application/x-pem-file");
        }
        return VaultReply.Ok(new JsonObject
        {
            ["issuer_id"] = issuer.Id,
            ["issuer_name"] = issuer.Name,
            ["key_id"] = issuer.Key?.Id ?? "",
            ["certificate"] = PkiCertificates.Pem(issuer.Certificate),
            ["ca_chain"] = PkiFields.Array(Chain(issuer).Select(PkiCertificates.Pem)),
            ["serial_number"] = issuer.SerialNumber,
            ["revocation_time"] = 0,
            ["usage"] = "crl-signing,issuing-certificates,ocsp-signing,read-only",
            ["leaf_not_after_behavior"] = "err",
        });
    }

    private PkiIssuer? FindIssuer(string reference)
    {
        if (reference is "" or "default") return _issuers.FirstOrDefault(i => i.Id == _defaultIssuerId);
        return _issuers.FirstOrDefault(i => i.Id == reference) ?? _issuers.FirstOrDefault(i => i.Name.Length > 0 && i.Name == reference);
    }

    private PkiKey? FindKey(string reference)
    {
        if (reference is "" or "default") return FindIssuer("default")?.Key;
        return _keys.TryGetValue(reference, out PkiKey? k) ? k : _keys.Values.FirstOrDefault(x => x.Name.Length > 0 && x.Name == reference);
    }

    private PkiIssuer? DefaultIssuerOrNull()
    {
        lock (_gate) return FindIssuer("default");
    }

    /// <summary>The issuer and every parent the mount knows, leaf-most first.</summary>
    private List<X509Certificate2> Chain(PkiIssuer issuer)
    {
        var chain = new List<X509Certificate2> { issuer.Certificate };
        X509Certificate2 current = issuer.Certificate;
        lock (_gate)
        {
            while (current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData) is false && chain.Count < 10)
            {
                X509Certificate2 cur = current;
                PkiIssuer? parent = _issuers.FirstOrDefault(i => i.Certificate.SubjectName.RawData.AsSpan().SequenceEqual(cur.IssuerName.RawData));
                if (parent is null || chain.Contains(parent.Certificate)) break;
                chain.Add(parent.Certificate);
                current = parent.Certificate;
            }
        }
        return chain;
    }

    // ---------------------------------------------------------------- roles

    private VaultReply Role(VaultRequest r, string name)
    {
        if (r.IsRead)
        {
            lock (_gate) return _roles.TryGetValue(name, out PkiRole? role) ? VaultReply.Ok(role.ToJson()) : VaultReply.NotFound();
        }
        if (r.IsDelete)
        {
            lock (_gate) _roles.Remove(name);
            return VaultReply.NoContent();
        }
        if (!r.IsWrite) return VaultReply.UnsupportedOperation();
        PkiRole created = PkiRole.FromBody(r.Body);
        var warnings = new List<string>();
        lock (_gate)
        {
            if (created.IssuerRef != "default" && FindIssuer(created.IssuerRef) is null)
                warnings.Add($"Issuing Certificate was set to {created.IssuerRef} but no issuer by that reference exists yet");
            _roles[name] = created;
        }
        return new VaultReply { Data = created.ToJson(), Warnings = warnings };
    }

    // ---------------------------------------------------------------- issue / sign

    private VaultReply Issue(VaultRequest r, string roleName, string? issuerRef, bool csrMode)
    {
        JsonObject b = r.Body;
        PkiRole role;
        PkiIssuer? issuer;
        lock (_gate)
        {
            if (!_roles.TryGetValue(roleName, out PkiRole? found)) throw new PkiRequestException($"unknown role: {roleName}");
            role = found;
            string reference = issuerRef ?? role.IssuerRef;
            issuer = FindIssuer(reference);
            if (issuer is null)
                throw new PkiRequestException(reference == "default"
                    ? "no default issuer currently configured; generate a root (root/generate/internal) or import one (config/ca)"
                    : $"unable to find issuer for reference: {reference}");
            if (issuer.Key is null) throw new PkiRequestException($"issuer {issuer.Id} has no private key in this mount and cannot issue");
        }

        string format = Format(b);
        bool pkcs8 = PrivateKeyFormat(b);

        CertificateRequest? csr = null;
        if (csrMode)
        {
            string csrPem = PkiFields.Str(b, "csr") ?? "";
            if (csrPem.Length == 0) throw new PkiRequestException("\"csr\" is empty");
            try
            {
                csr = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
            }
            catch (CryptographicException ex) { throw new PkiRequestException($"certificate request could not be parsed: {ex.Message}"); }
        }

        // Common name.
        string cn = PkiFields.Str(b, "common_name") ?? "";
        if (cn.Length == 0 && csr is not null && role.UseCsrCommonName) cn = CommonNameOf(csr.SubjectName) ?? "";
        if (cn.Length == 0 && role.RequireCn)
            throw new PkiRequestException("the common_name field is required, or must be provided in a CSR with \"use_csr_common_name\" set to true, unless \"require_cn\" is set to false");
        bool excludeCn = PkiFields.Bool(b, "exclude_cn_from_sans", false);
        PkiSans sans = ParseSans(b, cn, excludeCn, csr is not null && role.UseCsrSans ? csr : null);

        // Names against the role.
        if (cn.Length > 0 && !PkiNames.CommonNameAllowed(role, cn))
            throw new PkiRequestException($"common name {cn} not allowed by this role");
        if (PkiNames.FirstDisallowed(role, sans.DnsNames) is string badDns)
            throw new PkiRequestException($"subject alternate name {badDns} not allowed by this role");
        if (PkiNames.FirstDisallowed(role, sans.Emails) is string badEmail)
            throw new PkiRequestException($"email address {badEmail} not allowed by this role");
        if (sans.IpAddresses.Count > 0 && !role.AllowIpSans)
            throw new PkiRequestException($"IP Subject Alternative Names are not allowed in this role, but was provided {string.Join(",", sans.IpAddresses)}");
        if (sans.Uris.Count > 0)
        {
            if (role.AllowedUriSans.Count == 0)
                throw new PkiRequestException($"URI Subject Alternative Names are not allowed in this role, but were provided {string.Join(",", sans.Uris)}");
            foreach (string uri in sans.Uris)
                if (!role.AllowedUriSans.Any(g => PkiNames.Glob(g, uri)))
                    throw new PkiRequestException($"URI Subject Alternative Name {uri} not allowed by this role");
        }
        foreach ((string oid, string value) in sans.OtherNames)
        {
            bool ok = role.AllowedOtherSans.Any(a => a == "*" || (a.Split(';', 2) is [string aOid, string aVal] && (aOid == "*" || aOid == oid) &&
                PkiNames.Glob(aVal.Contains(':') ? aVal[(aVal.IndexOf(':') + 1)..] : aVal, value)));
            if (!ok) throw new PkiRequestException($"other SAN {oid};UTF8:{value} not allowed for OID {oid} by this role");
        }

        // Validity.
        var warnings = new List<string>();
        DateTimeOffset now = _services.Clock.GetUtcNow();
        TimeSpan ttl = PkiFields.Duration(b, "ttl");
        if (ttl <= TimeSpan.Zero) ttl = role.Ttl;
        TimeSpan maxTtl = role.MaxTtl > TimeSpan.Zero ? role.MaxTtl : _mount.EffectiveMaxTtl;
        if (ttl <= TimeSpan.Zero) ttl = _mount.EffectiveDefaultTtl;
        if (ttl > maxTtl)
        {
            warnings.Add($"TTL \"{PkiFields.GoDuration(ttl)}\" is longer than permitted maxTTL \"{PkiFields.GoDuration(maxTtl)}\", so maxTTL is being used");
            ttl = maxTtl;
        }
        DateTimeOffset notAfter = now + ttl;
        if (PkiFields.Str(b, "not_after") is { Length: > 0 } na)
        {
            if (!DateTimeOffset.TryParse(na, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out notAfter))
                throw new PkiRequestException($"error parsing not_after: {na}");
        }
        notAfter = new DateTimeOffset(notAfter.UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (notAfter > issuer.Certificate.NotAfter.ToUniversalTime())
            throw new PkiRequestException($"cannot satisfy request, as TTL would result in notAfter of {notAfter.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} that is beyond the expiration of the CA certificate at {issuer.Certificate.NotAfter.ToUniversalTime():yyyy-MM-ddTHH:mm:ssZ}");
        DateTimeOffset notBefore = now - role.NotBeforeDuration;

        // Key.
        PkiKey? leafKey = null;
        PublicKey publicKey;
        if (csr is not null)
        {
            (string type, int bits) = PkiKeys.Describe(csr.PublicKey);
            if (role.KeyType != "any")
            {
                if (type != role.KeyType) throw new PkiRequestException($"role requires keys of type {role.KeyType}");
                if (bits < role.KeyBits) throw new PkiRequestException($"role requires a minimum of a {role.KeyBits}-bit key, but CSR's key is {bits} bits");
            }
            publicKey = csr.PublicKey;
        }
        else
        {
            string keyType = role.KeyType;
            int bits = role.KeyBits;
            if (keyType == "any")
            {
                keyType = (PkiFields.Str(b, "key_type") ?? "rsa").ToLowerInvariant();
                bits = PkiFields.Int(b, "key_bits", 0);
            }
            bits = PkiKeys.ValidateKeyTypeAndBits(keyType, bits, allowAny: false);
            leafKey = PkiKeys.Generate(keyType, bits);
            publicKey = leafKey.PublicKey;
        }

        using (leafKey)
        {
            byte[] serialBytes = PkiCertificates.NewSerial();
            X509Certificate2 cert = PkiCertificates.CreateLeaf(issuer, PkiCertificates.Subject(cn, role), publicKey, role, sans, notBefore, notAfter, serialBytes);
            string serial = PkiCertificates.Format(serialBytes);
            string? leaseId = null;
            TimeSpan leaseTtl = notAfter - now;
            if (!role.NoStore)
            {
                var stored = new PkiStoredCert { Serial = serial, Certificate = cert, IssuerId = issuer.Id };
                if (role.GenerateLease)
                {
                    leaseId = _services.Leases.Create($"{_mount.Path}/{(csrMode ? "sign" : "issue")}/{roleName}", leaseTtl, leaseTtl, renewable: false,
                        revoke: _ => { Revoke(serial); return Task.CompletedTask; });
                    stored.LeaseId = leaseId;
                }
                lock (_gate) _certs[serial] = stored;
            }

            List<X509Certificate2> chain = Chain(issuer);
            string certOut = Encode(cert, format);
            var data = new JsonObject
            {
                ["certificate"] = certOut,
                ["issuing_ca"] = Encode(issuer.Certificate, format == "pem_bundle" ? "pem" : format),
                ["ca_chain"] = PkiFields.Array(chain.Select(c => Encode(c, format == "pem_bundle" ? "pem" : format))),
                ["serial_number"] = serial,
                ["expiration"] = notAfter.ToUnixTimeSeconds(),
            };
            if (leafKey is not null)
            {
                data["private_key"] = KeyOut(leafKey, format, pkcs8);
                data["private_key_type"] = leafKey.Type;
                if (format == "pem_bundle")
                    data["certificate"] = KeyOut(leafKey, "pem", pkcs8) + "\n" + certOut + "\n" + PkiCertificates.Pem(issuer.Certificate).TrimEnd();
            }
            return new VaultReply
            {
                Data = data,
                Warnings = warnings,
                LeaseId = leaseId,
                LeaseDuration = leaseId is null ? TimeSpan.Zero : leaseTtl,
                Renewable = false,
            };
        }
    }

    private static string? CommonNameOf(X500DistinguishedName name)
    {
        foreach (X500RelativeDistinguishedName rdn in name.EnumerateRelativeDistinguishedNames())
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3") return rdn.GetSingleElementValue();
        return null;
    }

    /// <summary>alt_names (DNS or, with '@', email), ip_sans, uri_sans, other_sans; CN added as DNS SAN when it is a hostname.</summary>
    private static PkiSans ParseSans(JsonObject b, string cn, bool excludeCn, CertificateRequest? fromCsr)
    {
        var dns = new List<string>();
        var emails = new List<string>();
        var ips = new List<IPAddress>();
        var uris = new List<string>();
        if (fromCsr is not null)
        {
            PkiSans csrSans = PkiCertificates.CsrSans(fromCsr);
            dns.AddRange(csrSans.DnsNames);
            emails.AddRange(csrSans.Emails);
            ips.AddRange(csrSans.IpAddresses);
            uris.AddRange(csrSans.Uris);
        }
        else
        {
            foreach (string alt in PkiFields.List(b, "alt_names"))
                (alt.Contains('@') ? emails : dns).Add(alt);
            foreach (string ip in PkiFields.List(b, "ip_sans"))
            {
                if (!IPAddress.TryParse(ip, out IPAddress? parsed)) throw new PkiRequestException($"the value \"{ip}\" is not a valid IP address");
                ips.Add(parsed);
            }
            uris.AddRange(PkiFields.List(b, "uri_sans"));
        }
        var others = new List<(string, string)>();
        foreach (string other in PkiFields.List(b, "other_sans"))
        {
            // <oid>;UTF8:<value>
            string[] parts = other.Split(';', 2);
            if (parts.Length != 2 || !parts[1].StartsWith("UTF8:", StringComparison.OrdinalIgnoreCase) && !parts[1].StartsWith("UTF-8:", StringComparison.OrdinalIgnoreCase))
                throw new PkiRequestException($"error parsing other_sans: expected <oid>;UTF8:<value>, got \"{other}\"");
            others.Add((parts[0], parts[1][(parts[1].IndexOf(':') + 1)..]));
        }
        if (cn.Length > 0 && !excludeCn)
        {
            if (cn.Contains('@')) { if (!emails.Contains(cn)) emails.Insert(0, cn); }
            else if (PkiNames.IsHostname(cn) && !dns.Contains(cn)) dns.Insert(0, cn);
        }
        return new PkiSans(dns, emails, ips, uris, others);
    }

    // ---------------------------------------------------------------- reads

    private VaultReply RawDefault(bool pem)
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer is null) return VaultReply.NoContent();
        return pem
            ? VaultReply.RawContent(Encoding.ASCII.GetBytes(PkiCertificates.Pem(issuer.Certificate)), PemChain)
            : VaultReply.RawContent(issuer.Certificate.RawData, "application/pkix-cert");
    }

    private VaultReply RawChain()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer is null) return VaultReply.NoContent();
        return VaultReply.RawContent(Encoding.ASCII.GetBytes(string.Concat(Chain(issuer).Select(PkiCertificates.Pem))), PemChain);
    }

    private VaultReply CaChainJson()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        string chain = issuer is null ? "" : string.Concat(Chain(issuer).Select(PkiCertificates.Pem));
        return VaultReply.Ok(new JsonObject { ["certificate"] = chain, ["ca_chain"] = chain });
    }

    private VaultReply CertJson(string? serial)
    {
        string? normalized = PkiCertificates.Normalize(serial);
        if (normalized is null) return VaultReply.NotFound();
        PkiStoredCert? stored;
        lock (_gate) _certs.TryGetValue(normalized, out stored);
        if (stored is null) return VaultReply.NotFound();
        return VaultReply.Ok(new JsonObject
        {
            ["certificate"] = PkiCertificates.Pem(stored.Certificate),
            ["revocation_time"] = stored.RevokedAt?.ToUnixTimeSeconds() ?? 0,
            ["revocation_time_rfc3339"] = stored.RevokedAt is DateTimeOffset t ? t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ") : "",
            ["issuer_id"] = stored.IssuerId,
        });
    }

    private VaultReply CrlJson()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer?.Key is null) return VaultReply.Ok(new JsonObject { ["certificate"] = "" });
        return VaultReply.Ok(new JsonObject { ["certificate"] = new string(PemEncoding.Write("X509 CRL", CrlFor(issuer))) });
    }

    private VaultReply Crl(bool pem)
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer?.Key is null) return VaultReply.NoContent();
        byte[] der = CrlFor(issuer);
        return pem
            ? VaultReply.RawContent(Encoding.ASCII.GetBytes(new string(PemEncoding.Write("X509 CRL", der)) + "\n"), "application/x-pem-file")
            : VaultReply.RawContent(der, "application/pkix-crl");
    }

    private VaultReply RotateCrl()
    {
        lock (_gate)
            foreach (PkiIssuer i in _issuers.Where(i => i.Key is not null)) RebuildCrl(i);
        return VaultReply.Ok(new JsonObject { ["success"] = true });
    }

    // ---------------------------------------------------------------- revocation

    private VaultReply RevokeRequest(VaultRequest r)
    {
        string? serialText = PkiFields.Str(r.Body, "serial_number");
        string? pem = PkiFields.Str(r.Body, "certificate");
        bool hasSerial = !string.IsNullOrWhiteSpace(serialText), hasCert = !string.IsNullOrWhiteSpace(pem);
        if (hasSerial && hasCert) throw new PkiRequestException("must provide either the certificate or the serial number, not both");
        if (!hasSerial && !hasCert) throw new PkiRequestException("must provide either the certificate or the serial number");

        string serial;
        if (hasCert)
        {
            X509Certificate2 cert;
            try { cert = X509Certificate2.CreateFromPem(pem); }
            catch (CryptographicException ex) { throw new PkiRequestException($"certificate could not be parsed: {ex.Message}"); }
            serial = PkiCertificates.Format(cert.SerialNumberBytes.Span);
            lock (_gate)
            {
                if (_certs.TryGetValue(serial, out PkiStoredCert? known))
                {
                    if (!known.Certificate.RawData.AsSpan().SequenceEqual(cert.RawData))
                        throw new PkiRequestException("certificate with same serial but unequal value already present in this cluster's storage; refusing to revoke");
                }
                else
                {
                    // A no_store certificate: accept it when one of our issuers signed it.
                    PkiIssuer issuer = _issuers.FirstOrDefault(i => SignedBy(cert, i.Certificate))
                        ?? throw new PkiRequestException("unable to verify signature on presented cert from any present issuer in this mount; certificates from previous CAs will need to have their issuing CA and key re-imported if revocation is necessary");
                    _certs[serial] = new PkiStoredCert { Serial = serial, Certificate = cert, IssuerId = issuer.Id };
                }
            }
        }
        else
        {
            serial = PkiCertificates.Normalize(serialText) ?? throw new PkiRequestException($"invalid serial number: {serialText}");
        }
        DateTimeOffset revokedAt = Revoke(serial);
        return VaultReply.Ok(new JsonObject
        {
            ["revocation_time"] = revokedAt.ToUnixTimeSeconds(),
            ["revocation_time_rfc3339"] = revokedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"),
            ["state"] = "revoked",
        });
    }

    /// <summary>
    /// <c>revoke-with-key</c> (Vault 1.12+): like revoke, by serial or certificate, but only with the
    /// certificate's private key as proof of possession, so an identity that may not revoke arbitrary
    /// serials can still revoke a certificate it holds.
    /// </summary>
    private VaultReply RevokeWithKey(VaultRequest r)
    {
        string? keyPem = PkiFields.Str(r.Body, "private_key");
        if (string.IsNullOrWhiteSpace(keyPem)) throw new PkiRequestException("must provide private key to revoke-with-key");
        string? serialText = PkiFields.Str(r.Body, "serial_number");
        string? pem = PkiFields.Str(r.Body, "certificate");
        bool hasSerial = !string.IsNullOrWhiteSpace(serialText), hasCert = !string.IsNullOrWhiteSpace(pem);
        if (hasSerial == hasCert) throw new PkiRequestException("must provide either the certificate or the serial number, not both");
        X509Certificate2 cert;
        if (hasSerial)
        {
            string serial = PkiCertificates.Normalize(serialText) ?? throw new PkiRequestException($"invalid serial number: {serialText}");
            lock (_gate)
                cert = _certs.TryGetValue(serial, out PkiStoredCert? stored) ? stored.Certificate : throw new PkiRequestException($"certificate with serial {serial} not found");
        }
        else
        {
            try { cert = X509Certificate2.CreateFromPem(pem); }
            catch (CryptographicException ex) { throw new PkiRequestException($"certificate could not be parsed: {ex.Message}"); }
        }
        if (!KeyMatches(cert, keyPem)) throw new PkiRequestException("failed to validate private key match with certificate: private key does not match certificate");
        return RevokeRequest(new VaultRequest(r.Method, "revoke", hasSerial ? new JsonObject { ["serial_number"] = serialText } : new JsonObject { ["certificate"] = pem },
            r.Query, r.Token, r.Mount, r.Cancellation));
    }

    private static bool KeyMatches(X509Certificate2 cert, string keyPem)
    {
        byte[] expected = cert.PublicKey.ExportSubjectPublicKeyInfo();
        foreach (Func<AsymmetricAlgorithm> create in new Func<AsymmetricAlgorithm>[] { () => ECDsa.Create(), () => RSA.Create() })
        {
            using AsymmetricAlgorithm key = create();
            try { key.ImportFromPem(keyPem); }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException) { continue; }
            if (key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected)) return true;
        }
        return false;
    }

    /// <summary>Marks the certificate revoked (idempotent) and rebuilds its issuer's CRL.</summary>
    private DateTimeOffset Revoke(string serial)
    {
        lock (_gate)
        {
            if (!_certs.TryGetValue(serial, out PkiStoredCert? stored))
                throw new PkiRequestException($"certificate with serial {serial} not found");
            if (_issuers.FirstOrDefault(i => i.SerialNumber == serial) is PkiIssuer self)
                throw new PkiRequestException($"adding issuer (id: {self.Id}) to its own CRL is not allowed");
            if (stored.RevokedAt is DateTimeOffset already) return already;
            stored.RevokedAt = _services.Clock.GetUtcNow();
            if (_issuers.FirstOrDefault(i => i.Id == stored.IssuerId) is { Key: not null } issuer) RebuildCrl(issuer);
            return stored.RevokedAt.Value;
        }
    }

    private byte[] CrlFor(PkiIssuer issuer)
    {
        lock (_gate)
        {
            if (issuer.CrlDer is null && issuer.Key is not null) RebuildCrl(issuer);
            return issuer.CrlDer ?? [];
        }
    }

    /// <summary>A real CRL signed by the issuer's key listing every revoked certificate it issued.</summary>
    private void RebuildCrl(PkiIssuer issuer)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (PkiStoredCert c in _certs.Values.Where(c => c.IssuerId == issuer.Id && c.RevokedAt is not null))
            builder.AddEntry(c.Certificate.SerialNumberBytes.Span, c.RevokedAt!.Value);
        DateTimeOffset now = _services.Clock.GetUtcNow();
        issuer.CrlNumber++;
        PkiKey key = issuer.Key!;
        issuer.CrlDer = builder.Build(issuer.Certificate.SubjectName, key.SignatureGenerator(), new BigInteger(issuer.CrlNumber), now + CrlLifetime,
            key.Hash(), PkiCertificates.Aki(issuer.Certificate), now);
    }

    private static bool SignedBy(X509Certificate2 cert, X509Certificate2 issuer)
    {
        if (!cert.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        return chain.Build(cert) && chain.ChainElements.Count >= 2 && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(issuer.RawData);
    }

    // ---------------------------------------------------------------- encodings

    private static string Format(JsonObject b)
    {
        string format = PkiFields.Str(b, "format") is { Length: > 0 } f ? f : "pem";
        if (format is not ("pem" or "der" or "pem_bundle")) throw new PkiRequestException($"unknown format for \"format\": {format}");
        return format;
    }

    private static bool PrivateKeyFormat(JsonObject b)
    {
        string f = PkiFields.Str(b, "private_key_format") is { Length: > 0 } v ? v : "der";
        if (f is not ("der" or "pkcs8" or "pem")) throw new PkiRequestException($"unknown private_key_format: {f}");
        return f == "pkcs8";
    }

    private static string Encode(X509Certificate2 cert, string format) =>
        format == "der" ? Convert.ToBase64String(cert.RawData) : PkiCertificates.Pem(cert).TrimEnd();

    private static string KeyOut(PkiKey key, string format, bool pkcs8) =>
        format == "der" ? Convert.ToBase64String(key.ExportDer(pkcs8)) : key.ExportPem(pkcs8).TrimEnd();

    public void Dispose()
    {
        lock (_gate)
            foreach (PkiKey k in _keys.Values) k.Dispose();
    }
}
