using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// A client CA upload checked before anything is sent: one or more PEM certificates (several =
/// a rollover bundle), every one a CA, never a private key. <see cref="Pem"/> is rebuilt from the
/// parsed certificates, so nothing but certificates can travel (comments, keys and stray text
/// in the input are not copied).
/// </summary>
public sealed class ClientCaBundle : IDisposable
{
    private ClientCaBundle(IReadOnlyList<X509Certificate2> certificates)
    {
        Certificates = certificates;
        var sb = new StringBuilder();
        for (int i = 0; i < certificates.Count; i++)
        {
            if (i > 0) sb.Append('\n'); // the Cloud docs ask for a blank line between bundled certificates
            sb.Append(certificates[i].ExportCertificatePem()).Append('\n');
        }
        Pem = sb.ToString();
    }

    public IReadOnlyList<X509Certificate2> Certificates { get; }

    /// <summary>The certificates as PEM, blank line between them: what goes into <c>x509_pem_cert</c>.</summary>
    public string Pem { get; }

    /// <summary>SHA-1 thumbprints (as X509Certificate2 shows them), in order.</summary>
    public IReadOnlyList<string> Thumbprints => Certificates.Select(c => c.Thumbprint).ToList();

    /// <summary>Parses PEM text; <paramref name="source"/> names it in messages (a path, "the -Certificate string" …).</summary>
    public static ClientCaBundle FromPem(string? pem, string source = "the PEM")
    {
        if (pem is not null && pem.Length > Validation.InputBudgets.PemBytes)
            throw new ArgumentException($"{Capital(source)} is {pem.Length / 1024} KiB: more than the " +
                $"{Validation.InputBudgets.Describe(Validation.InputBudgets.PemBytes)} a CA certificate bundle may be. Pass the CA's PEM only.", nameof(pem));
        if (string.IsNullOrWhiteSpace(pem))
            throw new ArgumentException($"{Capital(source)} is empty. Pass the PEM of the CA that signs your client certificates ('-----BEGIN " +
                $"CERTIFICATE-----…'), e.g. from Get-CrdbCertificateAuthority.", nameof(pem));
        // A key must never leave the machine; the Cloud needs only the certificate.
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new ArgumentException($"{Capital(source)} contains a private key. Nothing was sent: the Cloud needs only the CA certificate (e.g. " +
                $"Vault's pki/ca/pem or Get-CrdbCertificateAuthority), never its key.", nameof(pem));
        if (!pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            string found = pem.TrimStart().StartsWith("-----BEGIN ", StringComparison.Ordinal)
                ? $" It holds '{pem.TrimStart().Split('\n')[0].Trim()}' instead."
                : "";
            throw new ArgumentException($"{Capital(source)} is not a PEM certificate.{found} Pass text starting with '-----BEGIN CERTIFICATE-----' (several " +
                $"CAs may be concatenated for a rollover), a certificate file path, or an X509Certificate2.", nameof(pem));
        }
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"{Capital(source)} holds an unreadable certificate ({ex.Message.TrimEnd('.')}). " +
                $"Pass PEM text starting with '-----BEGIN CERTIFICATE-----'.", nameof(pem), ex);
        }
        return FromCertificates(collection.Cast<X509Certificate2>().ToList(), source, disposeInputs: true);
    }

    /// <summary>Parses DER or PEM bytes (a .crt/.cer/.pem file).</summary>
    public static ClientCaBundle FromFileBytes(byte[] content, string path)
    {
        string source = $"file '{path}'";
        if (content.Length > 0 && content[0] == 0x30) // DER SEQUENCE: one binary certificate
        {
            X509Certificate2 cert;
            try
            {
#if NET9_0_OR_GREATER
                cert = X509CertificateLoader.LoadCertificate(content);
#else
                cert = new X509Certificate2(content);
#endif
            }
            catch (CryptographicException ex)
            {
                throw new ArgumentException($"{Capital(source)} is neither a PEM nor a DER certificate ({ex.Message.TrimEnd('.')}).", nameof(content), ex);
            }
            return FromCertificates([cert], source, disposeInputs: true);
        }
        return FromPem(Encoding.UTF8.GetString(content), source);
    }

    /// <summary>
    /// Checks certificates given as objects. Only their public part is kept: a certificate object
    /// that carries a private key is copied without it.
    /// </summary>
    public static ClientCaBundle FromCertificates(IReadOnlyList<X509Certificate2> certificates, string source = "the certificate", bool disposeInputs = false)
    {
        var kept = new List<X509Certificate2>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            if (certificates.Count == 0)
                throw new ArgumentException($"{Capital(source)} holds no certificate. Pass the CA certificate as PEM ('-----BEGIN CERTIFICATE-----…'), " +
                    $"a file path or an X509Certificate2.", nameof(certificates));
            foreach (X509Certificate2 c in certificates)
            {
                bool isCa = c.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
                if (!isCa)
                    throw new ArgumentException($"{Capital(source)} holds '{c.Subject}' (thumbprint {c.Thumbprint}), " +
                        $"which is not a CA certificate (no basicConstraints CA:TRUE). Nothing was sent: upload the CA that signs the client certificates, " +
                        $"not a client or server certificate.", nameof(certificates));
                if (!seen.Add(c.Thumbprint)) continue;
                // Copy from the raw bytes: never carry a private key along.
#if NET9_0_OR_GREATER
                kept.Add(X509CertificateLoader.LoadCertificate(c.RawData));
#else
                kept.Add(new X509Certificate2(c.RawData));
#endif
            }
            return new ClientCaBundle(kept);
        }
        catch
        {
            foreach (X509Certificate2 k in kept) k.Dispose();
            throw;
        }
        finally
        {
            if (disposeInputs)
                foreach (X509Certificate2 c in certificates) c.Dispose();
        }
    }

    /// <summary>Merges several bundles (e.g. two CA objects piped for a rollover), dropping repeats.</summary>
    public static ClientCaBundle Combine(IReadOnlyList<ClientCaBundle> bundles) =>
        FromCertificates(bundles.SelectMany(b => b.Certificates).ToList(), "the certificates");

    /// <summary>True when <paramref name="pem"/> holds exactly the same certificates (order ignored).</summary>
    public bool SameAs(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem)) return false;
        var other = new X509Certificate2Collection();
        try
        {
            other.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            return false;
        }
        try
        {
            var theirs = other.Cast<X509Certificate2>().Select(c => c.Thumbprint).ToHashSet(StringComparer.OrdinalIgnoreCase);
            return theirs.SetEquals(Thumbprints);
        }
        finally
        {
            foreach (X509Certificate2 c in other) c.Dispose();
        }
    }

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    public void Dispose()
    {
        foreach (X509Certificate2 c in Certificates) c.Dispose();
    }

    public override string ToString() => string.Join(", ", Certificates.Select(c => c.Subject));
}
