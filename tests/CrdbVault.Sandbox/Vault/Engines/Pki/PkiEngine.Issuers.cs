using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>Issuers and their keys: root/generate, issuers/generate/root, config/ca and issuers/import, config/issuers, issuer/:ref.</summary>
public sealed partial class PkiEngine
{
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
}
