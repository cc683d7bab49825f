using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>roles/:name, and issue/:role and sign/:role (also under issuer/:ref/): the role's rules, then a real certificate.</summary>
public sealed partial class PkiEngine
{
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


    private VaultReply Issue(VaultRequest r, string roleName, string? issuerRef, bool csrMode)
    {
        JsonObject b = r.Body;
        (PkiRole role, PkiIssuer issuer) = RoleAndIssuer(roleName, issuerRef);
        string format = Format(b);
        bool pkcs8 = PrivateKeyFormat(b);
        CertificateRequest? csr = csrMode ? ReadCsr(b) : null;
        string cn = CommonName(b, role, csr);
        PkiSans sans = ParseSans(b, cn, PkiFields.Bool(b, "exclude_cn_from_sans", false), csr is not null && role.UseCsrSans ? csr : null);
        CheckNames(role, cn, sans);
        var warnings = new List<string>();
        DateTimeOffset now = _services.Clock.GetUtcNow();
        (DateTimeOffset notBefore, DateTimeOffset notAfter) = Validity(b, role, issuer, now, warnings);
        (PkiKey? leafKey, PublicKey publicKey) = LeafKey(b, role, csr);
        using (leafKey)
        {
            byte[] serialBytes = PkiCertificates.NewSerial();
            X509Certificate2 cert = PkiCertificates.CreateLeaf(issuer, PkiCertificates.Subject(cn, role), publicKey, role, sans, notBefore, notAfter, serialBytes);
            string serial = PkiCertificates.Format(serialBytes);
            TimeSpan leaseTtl = notAfter - now;
            string? leaseId = Store(role, issuer, cert, serial, $"{_mount.Path}/{(csrMode ? "sign" : "issue")}/{roleName}", leaseTtl);
            return new VaultReply
            {
                Data = IssuedData(cert, serial, notAfter, issuer, leafKey, format, pkcs8),
                Warnings = warnings,
                LeaseId = leaseId,
                LeaseDuration = leaseId is null ? TimeSpan.Zero : leaseTtl,
                Renewable = false,
            };
        }
    }

    /// <summary>The role, and the issuer it (or the path's issuer/:ref) names, which must hold its key.</summary>
    private (PkiRole Role, PkiIssuer Issuer) RoleAndIssuer(string roleName, string? issuerRef)
    {
        lock (_gate)
        {
            if (!_roles.TryGetValue(roleName, out PkiRole? role)) throw new PkiRequestException($"unknown role: {roleName}");
            string reference = issuerRef ?? role.IssuerRef;
            PkiIssuer issuer = FindIssuer(reference) ?? throw new PkiRequestException(reference == "default"
                ? "no default issuer currently configured; generate a root (root/generate/internal) or import one (config/ca)"
                : $"unable to find issuer for reference: {reference}");
            if (issuer.Key is null) throw new PkiRequestException($"issuer {issuer.Id} has no private key in this mount and cannot issue");
            return (role, issuer);
        }
    }

    private static CertificateRequest ReadCsr(JsonObject b)
    {
        string csrPem = PkiFields.Str(b, "csr") ?? "";
        if (csrPem.Length == 0) throw new PkiRequestException("\"csr\" is empty");
        try
        {
            return CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        }
        catch (CryptographicException ex) { throw new PkiRequestException($"certificate request could not be parsed: {ex.Message}"); }
    }

    private static string CommonName(JsonObject b, PkiRole role, CertificateRequest? csr)
    {
        string cn = PkiFields.Str(b, "common_name") ?? "";
        if (cn.Length == 0 && csr is not null && role.UseCsrCommonName) cn = CommonNameOf(csr.SubjectName) ?? "";
        if (cn.Length == 0 && role.RequireCn)
        {
            throw new PkiRequestException("the common_name field is required, or must be provided in a CSR with \"use_csr_common_name\" set to true, "
                + "unless \"require_cn\" is set to false");
        }
        return cn;
    }

    /// <summary>The common name and every SAN against the role's name rules, with Vault's messages.</summary>
    private static void CheckNames(PkiRole role, string cn, PkiSans sans)
    {
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
    }

    /// <summary>ttl (or not_after) within the role's and the mount's max, never beyond the CA; whole seconds, as Vault writes them.</summary>
    private (DateTimeOffset NotBefore, DateTimeOffset NotAfter) Validity(JsonObject b, PkiRole role, PkiIssuer issuer, DateTimeOffset now, List<string> warnings)
    {
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
        DateTime caNotAfter = issuer.Certificate.NotAfter.ToUniversalTime();
        if (notAfter > caNotAfter)
        {
            throw new PkiRequestException($"cannot satisfy request, as TTL would result in notAfter of {notAfter.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} "
                + $"that is beyond the expiration of the CA certificate at {caNotAfter:yyyy-MM-ddTHH:mm:ssZ}");
        }
        return (now - role.NotBeforeDuration, notAfter);
    }

    /// <summary>The CSR's key (checked against the role), or a new key of the role's (or, for "any", the request's) type.</summary>
    private static (PkiKey? LeafKey, PublicKey PublicKey) LeafKey(JsonObject b, PkiRole role, CertificateRequest? csr)
    {
        if (csr is not null)
        {
            (string type, int bits) = PkiKeys.Describe(csr.PublicKey);
            if (role.KeyType != "any")
            {
                if (type != role.KeyType) throw new PkiRequestException($"role requires keys of type {role.KeyType}");
                if (bits < role.KeyBits) throw new PkiRequestException($"role requires a minimum of a {role.KeyBits}-bit key, but CSR's key is {bits} bits");
            }
            return (null, csr.PublicKey);
        }
        string keyType = role.KeyType;
        int keyBits = role.KeyBits;
        if (keyType == "any")
        {
            keyType = (PkiFields.Str(b, "key_type") ?? "rsa").ToLowerInvariant();
            keyBits = PkiFields.Int(b, "key_bits", 0);
        }
        PkiKey key = PkiKeys.Generate(keyType, PkiKeys.ValidateKeyTypeAndBits(keyType, keyBits, allowAny: false));
        return (key, key.PublicKey);
    }

    /// <summary>Keeps the certificate (unless no_store) and, for generate_lease roles, a lease whose revocation revokes it.</summary>
    private string? Store(PkiRole role, PkiIssuer issuer, X509Certificate2 cert, string serial, string leasePrefix, TimeSpan leaseTtl)
    {
        if (role.NoStore) return null;
        var stored = new PkiStoredCert { Serial = serial, Certificate = cert, IssuerId = issuer.Id };
        if (role.GenerateLease)
        {
            stored.LeaseId = _services.Leases.Create(leasePrefix, leaseTtl, leaseTtl, renewable: false,
                revoke: _ => { Revoke(serial); return Task.CompletedTask; });
        }
        lock (_gate) _certs[serial] = stored;
        return stored.LeaseId;
    }

    private JsonObject IssuedData(X509Certificate2 cert, string serial, DateTimeOffset notAfter, PkiIssuer issuer, PkiKey? leafKey, string format, bool pkcs8)
    {
        string caFormat = format == "pem_bundle" ? "pem" : format;
        string certOut = Encode(cert, format);
        var data = new JsonObject
        {
            ["certificate"] = certOut,
            ["issuing_ca"] = Encode(issuer.Certificate, caFormat),
            ["ca_chain"] = PkiFields.Array(Chain(issuer).Select(c => Encode(c, caFormat))),
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
        return data;
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
}
