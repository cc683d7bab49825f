using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Http;

/// <summary>
/// Which server certificates a pipeline accepts: the system's trust (null callback), a private CA
/// bundle (VAULT_CACERT, -CACertificate) or, for labs only, any certificate (VAULT_SKIP_VERIFY).
/// </summary>
public static class TlsTrust
{
    /// <summary>One callback every handler of a pipeline uses; null means the system's trust store.</summary>
    public static RemoteCertificateValidationCallback? Callback(bool skipCertificateCheck, string? caBundlePath)
    {
        if (skipCertificateCheck) return static (_, _, _, _) => true;
        if (string.IsNullOrEmpty(caBundlePath)) return null;
        X509Certificate2Collection trust = LoadCaBundle(caBundlePath);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            if (errors == SslPolicyErrors.None) return true;
            // A name mismatch or a missing certificate is never forgiven; only "not chained to the system's trust".
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trust);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
        };
    }

    /// <summary>Loads every certificate of a PEM bundle; a clear error when the file is no CA bundle.</summary>
    public static X509Certificate2Collection LoadCaBundle(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"CA certificate file '{path}' does not exist. Pass the PEM file of the CA that signed Vault's certificate (-CACertificate or VAULT_CACERT).",
                path);
        }
        byte[] pem = InputBudgets.ReadFile(path, InputBudgets.PemBytes, size => new ArgumentException(
            $"'{path}' is {size / 1024} KiB: more than the {InputBudgets.Describe(InputBudgets.PemBytes)} a CA bundle may be. "
            + "Pass the PEM file of the CA that signed Vault's certificate."));
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(Encoding.UTF8.GetString(pem));
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ArgumentException($"'{path}' holds no readable PEM certificate ({ex.Message}). " +
                $"Pass a PEM file starting with '-----BEGIN CERTIFICATE-----'.", ex);
        }
        if (collection.Count == 0)
            throw new ArgumentException($"'{path}' holds no PEM certificate. Pass a PEM file starting with '-----BEGIN CERTIFICATE-----'.");
        return collection;
    }
}
