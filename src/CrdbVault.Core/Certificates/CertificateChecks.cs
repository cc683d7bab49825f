using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrdbVault.Core.Certificates;

/// <summary>
/// Checks every certificate before it is written anywhere (docs/certificates.md).
/// CockroachDB takes the SQL user from the CN and from every DNS SAN (docs/cockroachdb-notes.md#certificates), so a
/// client certificate is accepted only when its principals are exactly the requested user, it
/// has no other SANs, its extended key usage is clientAuth only, and it chains to the CA.
/// </summary>
public static class CertificateChecks
{
    public const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The names of a certificate's subject alternative name extension, by kind.</summary>
    public sealed record SanSet(IReadOnlyList<string> Dns, IReadOnlyList<string> Emails, IReadOnlyList<IPAddress> Ips, IReadOnlyList<string> Uris,
        int OtherNames)
    {
        public static readonly SanSet Empty = new([], [], [], [], 0);
    }

    /// <summary>The CN (when there is one) followed by every DNS SAN: what CockroachDB treats as user names.</summary>
    public static IReadOnlyList<string> Principals(X509Certificate2 cert)
    {
        var list = new List<string>();
        string? cn = CommonName(cert);
        if (!string.IsNullOrEmpty(cn)) list.Add(cn);
        list.AddRange(Sans(cert).Dns);
        return list.Distinct(StringComparer.Ordinal).ToList();
    }

    public static string? CommonName(X509Certificate2 cert)
    {
        foreach (X500RelativeDistinguishedName rdn in cert.SubjectName.EnumerateRelativeDistinguishedNames())
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3") return rdn.GetSingleElementValue();
        return null;
    }

    public static SanSet Sans(X509Certificate2 cert)
    {
        X509Extension? ext = cert.Extensions["2.5.29.17"];
        if (ext is null) return SanSet.Empty;
        var dns = new List<string>();
        var emails = new List<string>();
        var ips = new List<IPAddress>();
        var uris = new List<string>();
        int others = 0;
        try
        {
            AsnReader seq = new AsnReader(ext.RawData, AsnEncodingRules.DER).ReadSequence();
            while (seq.HasData)
            {
                Asn1Tag tag = seq.PeekTag();
                switch (tag.TagClass == TagClass.ContextSpecific ? tag.TagValue : -1)
                {
                    case 1: emails.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                    case 2: dns.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                    case 6: uris.Add(seq.ReadCharacterString(UniversalTagNumber.IA5String, tag)); break;
                    case 7: ips.Add(new IPAddress(seq.ReadOctetString(tag))); break;
                    default: seq.ReadEncodedValue(); others++; break;
                }
            }
        }
        catch (AsnContentException)
        {
            throw new CertificateRejectedException($"The certificate {FormatSerial(cert)} has a malformed subject alternative name extension.");
        }
        return new SanSet(dns, emails, ips, uris, others);
    }

    public static IReadOnlyList<string> ExtendedKeyUsages(X509Certificate2 cert) =>
        cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value ?? "").ToList();

    /// <summary>Throws <see cref="CertificateRejectedException"/> unless the certificate may serve as client.&lt;user&gt;.crt.</summary>
    public static void VerifyClient(X509Certificate2 cert, string user, IReadOnlyCollection<X509Certificate2> trust,
        IReadOnlyCollection<X509Certificate2>? intermediates = null)
    {
        var problems = new List<string>();
        IReadOnlyList<string> principals = Principals(cert);
        if (CommonName(cert) != user) problems.Add($"its common name is '{CommonName(cert)}', not '{user}'");
        var extra = principals.Where(p => p != user).Distinct().ToList();
        if (extra.Count > 0)
            problems.Add($"it also names {string.Join(", ", extra.Select(e => $"'{e}'"))} as DNS SAN, " +
                $"and CockroachDB would let it log in as {(extra.Count == 1 ? "that user" : "those users")}");
        SanSet sans = Sans(cert);
        if (sans.Ips.Count + sans.Uris.Count + sans.Emails.Count + sans.OtherNames > 0)
            problems.Add("it carries IP, URI, email or other subject alternative names (a client certificate needs none; URI SANs can name tenant users)");
        IReadOnlyList<string> ekus = ExtendedKeyUsages(cert);
        if (ekus.Count == 0) problems.Add("it has no extended key usage (it would be valid for every purpose; expected clientAuth only)");
        else if (ekus.Any(e => e != ClientAuthOid) || !ekus.Contains(ClientAuthOid))
            problems.Add($"its extended key usage is {Describe(ekus)}, expected clientAuth only (the role must have server_flag=false)");
        CheckCommon(cert, trust, intermediates, problems);
        if (problems.Count > 0)
            throw new CertificateRejectedException($"The certificate Vault issued for '{user}' (serial {FormatSerial(cert)}) " +
                $"is not a safe CockroachDB client certificate: {string.Join("; ", problems)}.");
    }

    /// <summary>Throws unless the certificate may serve as node.crt: principal node, exactly the requested hosts, serverAuth and clientAuth.</summary>
    public static void VerifyNode(X509Certificate2 cert, IReadOnlyCollection<string> dnsNames, IReadOnlyCollection<IPAddress> ips,
        IReadOnlyCollection<X509Certificate2> trust, IReadOnlyCollection<X509Certificate2>? intermediates = null)
    {
        var problems = new List<string>();
        if (CommonName(cert) != "node") problems.Add($"its common name is '{CommonName(cert)}', not 'node'");
        SanSet sans = Sans(cert);
        var expectedDns = new HashSet<string>(dnsNames.Append("node"), StringComparer.OrdinalIgnoreCase);
        var unexpected = sans.Dns.Where(d => !expectedDns.Contains(d)).ToList();
        if (unexpected.Count > 0) problems.Add($"it names unrequested hosts {string.Join(", ", unexpected)}");
        var missing = dnsNames.Where(d => !sans.Dns.Contains(d, StringComparer.OrdinalIgnoreCase))
            .Concat(ips.Where(i => !sans.Ips.Contains(i)).Select(i => i.ToString())).ToList();
        if (missing.Count > 0) problems.Add($"it lacks the requested hosts {string.Join(", ", missing)}");
        var extraIps = sans.Ips.Where(i => !ips.Contains(i)).ToList();
        if (extraIps.Count > 0) problems.Add($"it names unrequested IP addresses {string.Join(", ", extraIps)}");
        if (sans.Uris.Count + sans.Emails.Count + sans.OtherNames > 0) problems.Add("it carries URI, email or other subject alternative names");
        IReadOnlyList<string> ekus = ExtendedKeyUsages(cert);
        if (!ekus.Contains(ServerAuthOid) || !ekus.Contains(ClientAuthOid) || ekus.Any(e => e is not (ServerAuthOid or ClientAuthOid)))
            problems.Add($"its extended key usage is {Describe(ekus)}, expected serverAuth and clientAuth");
        CheckCommon(cert, trust, intermediates, problems);
        if (problems.Count > 0)
            throw new CertificateRejectedException($"The node certificate Vault issued (serial {FormatSerial(cert)}) is not usable by CockroachDB: " +
                $"{string.Join("; ", problems)}.");
    }

    private static void CheckCommon(X509Certificate2 cert, IReadOnlyCollection<X509Certificate2> trust, IReadOnlyCollection<X509Certificate2>? intermediates,
        List<string> problems)
    {
        if (cert.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority))
            problems.Add("it is a CA certificate");
        if (cert.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is X509KeyUsageExtension ku
            && (ku.KeyUsages & X509KeyUsageFlags.DigitalSignature) == 0)
            problems.Add("its key usage lacks digitalSignature (TLS 1.3 needs it)");
        if (!ChainsTo(cert, trust, intermediates, out string why)) problems.Add(why);
    }

    /// <summary>True when the certificate chains to one of the trusted CAs (time-valid, no revocation check).</summary>
    public static bool ChainsTo(X509Certificate2 cert, IReadOnlyCollection<X509Certificate2> trust, IReadOnlyCollection<X509Certificate2>? intermediates,
        out string problem)
    {
        problem = "";
        var roots = trust.Where(IsSelfSigned).ToList();
        if (roots.Count == 0)
        {
            problem = "no self-signed CA was given to check its chain against";
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(trust.Where(t => !IsSelfSigned(t)).Concat(intermediates ?? []).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        if (chain.Build(cert)) return true;
        problem = "it does not chain to the CA (" + string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0)
            .Distinct()) + ")";
        return false;
    }

    public static bool IsSelfSigned(X509Certificate2 c) => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData);

    /// <summary>Vault's colon-separated lower-case hex serial.</summary>
    public static string FormatSerial(X509Certificate2 cert)
    {
        ReadOnlySpan<byte> bytes = cert.SerialNumberBytes.Span;
        int start = 0;
        while (start < bytes.Length - 1 && bytes[start] == 0) start++;
        var sb = new StringBuilder();
        for (int i = start; i < bytes.Length; i++)
        {
            if (sb.Length > 0) sb.Append(':');
            sb.Append(bytes[i].ToString("x2"));
        }
        return sb.ToString();
    }

    /// <summary>Accepts colon- or hyphen-separated (or bare) hex; returns Vault's colon form.</summary>
    public static string NormalizeSerial(string? serial, string parameterName = "SerialNumber")
        => Validation.InputValidator.SerialNumber(serial, parameterName);

    private static string Describe(IReadOnlyList<string> ekus) =>
        ekus.Count == 0 ? "(none)" : string.Join("+", ekus.Select(e => e switch { ServerAuthOid => "serverAuth", ClientAuthOid => "clientAuth", _ => e }));
}
