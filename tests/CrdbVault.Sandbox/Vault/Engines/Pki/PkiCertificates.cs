using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>Subject alternative names of one request.</summary>
internal sealed record PkiSans(
    IReadOnlyList<string> DnsNames,
    IReadOnlyList<string> Emails,
    IReadOnlyList<IPAddress> IpAddresses,
    IReadOnlyList<string> Uris,
    IReadOnlyList<(string Oid, string Value)> OtherNames)
{
    public static readonly PkiSans None = new([], [], [], [], []);
    public bool IsEmpty => DnsNames.Count + Emails.Count + IpAddresses.Count + Uris.Count + OtherNames.Count == 0;
}

/// <summary>Real X.509 for the double: roots, leaves, serials as Vault prints them, PEM.</summary>
internal static class PkiCertificates
{
    private static readonly Dictionary<string, string> EkuOids = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Any"] = "2.5.29.37.0",
        ["ServerAuth"] = "1.3.6.1.5.5.7.3.1",
        ["ClientAuth"] = "1.3.6.1.5.5.7.3.2",
        ["CodeSigning"] = "1.3.6.1.5.5.7.3.3",
        ["EmailProtection"] = "1.3.6.1.5.5.7.3.4",
        ["IPSECEndSystem"] = "1.3.6.1.5.5.7.3.5",
        ["IPSECTunnel"] = "1.3.6.1.5.5.7.3.6",
        ["IPSECUser"] = "1.3.6.1.5.5.7.3.7",
        ["TimeStamping"] = "1.3.6.1.5.5.7.3.8",
        ["OCSPSigning"] = "1.3.6.1.5.5.7.3.9",
        ["MicrosoftServerGatedCrypto"] = "1.3.6.1.4.1.311.10.3.3",
        ["NetscapeServerGatedCrypto"] = "2.16.840.1.113730.4.1",
        ["MicrosoftCommercialCodeSigning"] = "1.3.6.1.4.1.311.2.1.22",
        ["MicrosoftKernelCodeSigning"] = "1.3.6.1.4.1.311.61.1.1",
    };

    /// <summary>A positive serial of up to 159 bits without a leading zero byte (certutil.GenerateSerialNumber).</summary>
    public static byte[] NewSerial()
    {
        byte[] serial = RandomNumberGenerator.GetBytes(20);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        return serial;
    }

    /// <summary>Vault's colon-separated lower-case hex ("1d:2f:...").</summary>
    public static string Format(ReadOnlySpan<byte> serial)
    {
        // big.Int.Bytes(): no leading zero bytes.
        int start = 0;
        while (start < serial.Length - 1 && serial[start] == 0) start++;
        var sb = new StringBuilder();
        for (int i = start; i < serial.Length; i++)
        {
            if (sb.Length > 0) sb.Append(':');
            sb.Append(serial[i].ToString("x2"));
        }
        return sb.ToString();
    }

    /// <summary>Accepts colon- or hyphen-separated hex in any case; returns the colon form or null when malformed.</summary>
    public static string? Normalize(string? serial)
    {
        if (string.IsNullOrWhiteSpace(serial)) return null;
        string[] parts = serial.Trim().Replace('-', ':').ToLowerInvariant().Split(':');
        foreach (string p in parts)
            if (p.Length is < 1 or > 2 || !p.All(Uri.IsHexDigit)) return null;
        return string.Join(':', parts.Select(p => p.PadLeft(2, '0')));
    }

    /// <summary>PEM as Go's pem.EncodeToMemory writes it (trailing newline); JSON fields carry it trimmed.</summary>
    public static string Pem(X509Certificate2 cert) => new string(PemEncoding.Write("CERTIFICATE", cert.RawData)) + "\n";

    /// <summary>AKI from the issuer's SKI, or from its public key when it has none (imported CAs).</summary>
    public static X509AuthorityKeyIdentifierExtension Aki(X509Certificate2 issuer) =>
        issuer.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Any()
            ? X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false)
            : X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(new X509SubjectKeyIdentifierExtension(issuer.PublicKey, false));

    public static X500DistinguishedName Subject(string commonName, PkiRole? role)
    {
        var b = new X500DistinguishedNameBuilder();
        if (role is not null)
        {
            foreach (string c in role.Country) b.AddCountryOrRegion(c);
            foreach (string p in role.Province) b.AddStateOrProvinceName(p);
            foreach (string l in role.Locality) b.AddLocalityName(l);
            foreach (string o in role.Organization) b.AddOrganizationName(o);
            foreach (string ou in role.Ou) b.AddOrganizationalUnitName(ou);
        }
        if (commonName.Length > 0) b.AddCommonName(commonName);
        return b.Build();
    }

    /// <summary>A self-signed CA like Vault's root/generate: CertSign+CRLSign, basic constraints CA, SKI/AKI.</summary>
    public static X509Certificate2 CreateRoot(PkiKey key, X500DistinguishedName subject, PkiSans sans, DateTimeOffset notBefore, DateTimeOffset notAfter, int maxPathLength)
    {
        var request = new CertificateRequest(subject, key.PublicKey, key.Hash());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, maxPathLength >= 0, Math.Max(0, maxPathLength), true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ski = new X509SubjectKeyIdentifierExtension(key.PublicKey, false);
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(ski));
        if (!sans.IsEmpty) request.CertificateExtensions.Add(SanExtension(sans));
        return request.Create(subject, key.SignatureGenerator(), notBefore, notAfter, NewSerial());
    }

    /// <summary>A leaf signed by the issuer: the role's key usages and extended key usages, SANs, SKI/AKI.</summary>
    public static X509Certificate2 CreateLeaf(PkiIssuer issuer, X500DistinguishedName subject, PublicKey publicKey, PkiRole role, PkiSans sans,
        DateTimeOffset notBefore, DateTimeOffset notAfter, byte[] serial)
    {
        PkiKey signer = issuer.Key ?? throw new PkiRequestException($"issuer {issuer.Id} has no key to sign with");
        var request = new CertificateRequest(subject, publicKey, signer.Hash(role.SignatureBits));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        X509KeyUsageFlags usage = KeyUsage(role.KeyUsage);
        if (usage != X509KeyUsageFlags.None) request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        var ekus = new OidCollection();
        foreach (string oid in ExtendedKeyUsages(role).Distinct()) ekus.Add(new Oid(oid));
        if (ekus.Count > 0) request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(ekus, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(publicKey, false));
        request.CertificateExtensions.Add(Aki(issuer.Certificate));
        if (!sans.IsEmpty) request.CertificateExtensions.Add(SanExtension(sans));
        return request.Create(issuer.Certificate.SubjectName, signer.SignatureGenerator(), notBefore, notAfter, serial);
    }

    /// <summary>server_flag, client_flag, code_signing_flag, email_protection_flag, then ext_key_usage and ext_key_usage_oids.</summary>
    public static IEnumerable<string> ExtendedKeyUsages(PkiRole role)
    {
        if (role.ServerFlag) yield return EkuOids["ServerAuth"];
        if (role.ClientFlag) yield return EkuOids["ClientAuth"];
        if (role.CodeSigningFlag) yield return EkuOids["CodeSigning"];
        if (role.EmailProtectionFlag) yield return EkuOids["EmailProtection"];
        foreach (string name in role.ExtKeyUsage)
            if (EkuOids.TryGetValue(name, out string? oid)) yield return oid;
        foreach (string oid in role.ExtKeyUsageOids) yield return oid;
    }

    public static X509KeyUsageFlags KeyUsage(IEnumerable<string> names)
    {
        X509KeyUsageFlags flags = X509KeyUsageFlags.None;
        foreach (string n in names)
        {
            flags |= n.ToLowerInvariant() switch
            {
                "digitalsignature" => X509KeyUsageFlags.DigitalSignature,
                "contentcommitment" => X509KeyUsageFlags.NonRepudiation,
                "keyencipherment" => X509KeyUsageFlags.KeyEncipherment,
                "dataencipherment" => X509KeyUsageFlags.DataEncipherment,
                "keyagreement" => X509KeyUsageFlags.KeyAgreement,
                "certsign" => X509KeyUsageFlags.KeyCertSign,
                "crlsign" => X509KeyUsageFlags.CrlSign,
                "encipheronly" => X509KeyUsageFlags.EncipherOnly,
                "decipheronly" => X509KeyUsageFlags.DecipherOnly,
                _ => X509KeyUsageFlags.None,
            };
        }
        return flags;
    }

    /// <summary>subjectAltName with dNSName, rfc822Name, iPAddress, URI and UTF8 otherName entries.</summary>
    public static X509Extension SanExtension(PkiSans sans)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach ((string oid, string value) in sans.OtherNames)
            {
                using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                {
                    w.WriteObjectIdentifier(oid);
                    using (w.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)))
                        w.WriteCharacterString(UniversalTagNumber.UTF8String, value);
                }
            }
            foreach (string email in sans.Emails) w.WriteCharacterString(UniversalTagNumber.IA5String, email, new Asn1Tag(TagClass.ContextSpecific, 1));
            foreach (string dns in sans.DnsNames) w.WriteCharacterString(UniversalTagNumber.IA5String, dns, new Asn1Tag(TagClass.ContextSpecific, 2));
            foreach (string uri in sans.Uris) w.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            foreach (IPAddress ip in sans.IpAddresses) w.WriteOctetString(ip.GetAddressBytes(), new Asn1Tag(TagClass.ContextSpecific, 7));
        }
        return new X509Extension("2.5.29.17", w.Encode(), false);
    }

    /// <summary>SANs of a CSR (for use_csr_sans): dNSName, rfc822Name, iPAddress and URI from its extension request.</summary>
    public static PkiSans CsrSans(CertificateRequest csr)
    {
        X509Extension? ext = csr.CertificateExtensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
        if (ext is null) return PkiSans.None;
        var dns = new List<string>();
        var emails = new List<string>();
        var ips = new List<IPAddress>();
        var uris = new List<string>();
        var reader = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            Asn1Tag tag = reader.PeekTag();
            if (tag.TagClass != TagClass.ContextSpecific) { reader.ReadEncodedValue(); continue; }
            switch (tag.TagValue)
            {
                case 1: emails.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                case 2: dns.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                case 6: uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                case 7: ips.Add(new IPAddress(reader.ReadOctetString(tag))); break;
                default: reader.ReadEncodedValue(); break;
            }
        }
        return new PkiSans(dns, emails, ips, uris, []);
    }
}
