using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// What the double accepts as <c>x509_pem_cert</c>: one or more PEM certificates (a bundle allows
/// rollover), every one a CA, and never a private key. The real Cloud's exact checks are not
/// published; these are the ones a CA upload plainly needs.
/// </summary>
internal static class ClientCaPemRules
{
    public static void Check(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
            throw CloudDoubleError.Invalid("x509_pem_cert is required");
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw CloudDoubleError.Invalid("x509_pem_cert must contain only certificates, not a private key");
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw CloudDoubleError.Invalid("x509_pem_cert could not be parsed as PEM-encoded X.509 certificates");
        }
        try
        {
            if (certificates.Count == 0)
                throw CloudDoubleError.Invalid("x509_pem_cert contains no PEM-encoded certificate");
            for (int i = 0; i < certificates.Count; i++)
            {
                bool isCa = certificates[i].Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority);
                if (!isCa)
                    throw CloudDoubleError.Invalid($"certificate {i + 1} in x509_pem_cert ({certificates[i].Subject}) is not a CA certificate");
            }
        }
        finally
        {
            foreach (X509Certificate2 c in certificates) c.Dispose();
        }
    }
}
