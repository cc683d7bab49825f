using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrdbVault.Core.Cloud;

/// <summary>Client CA PEM checks made before anything is sent (docs/contributing.md, "Input kinds").</summary>
internal static class ClientCaPem
{
    public static void Check(string? pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
            throw new ArgumentException("The client CA certificate is empty. " +
                "Pass the PEM of the CA that signs your client certificates ('-----BEGIN CERTIFICATE-----…').", nameof(pem));
        // A key must never leave the machine; the Cloud needs only the certificate.
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new ArgumentException("The PEM contains a private key. Send only the CA certificate (e.g. Vault's pki/ca/pem), never its key.", nameof(pem));
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new ArgumentException($"The client CA PEM holds an unreadable certificate ({ex.Message}). " +
                $"Pass PEM text starting with '-----BEGIN CERTIFICATE-----'.", nameof(pem), ex);
        }
        if (certificates.Count == 0)
            throw new ArgumentException("The client CA PEM holds no certificate. " +
                "Pass PEM text starting with '-----BEGIN CERTIFICATE-----' (several CAs may be concatenated for a rollover).", nameof(pem));
        foreach (X509Certificate2 c in certificates) c.Dispose();
    }
}

/// <summary>CMEK region spec checks made before anything is sent.</summary>
internal static class CmekSpecs
{
    public static void Check(IReadOnlyList<CmekRegionSpec> specs, string parameterName)
    {
        if (specs.Count == 0)
            throw new ArgumentException("No CMEK region specs given. Give one key per region (New-CrdbCmekKey builds them).", parameterName);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CmekRegionSpec spec in specs)
        {
            if (spec is null || string.IsNullOrWhiteSpace(spec.Region))
                throw new ArgumentException("A CMEK spec has no region. Use the cloud's region code, e.g. 'us-east-1'.", parameterName);
            if (!seen.Add(spec.Region))
                throw new ArgumentException($"Region '{spec.Region}' has more than one CMEK spec; give exactly one key per region.", parameterName);
            CmekKeySpec key = spec.KeySpec ?? throw new ArgumentException($"The CMEK spec for region '{spec.Region}' has no key.", parameterName);
            if (string.IsNullOrWhiteSpace(key.Type.Value))
                throw new ArgumentException($"The CMEK key for region '{spec.Region}' has no type; use AWS_KMS, " +
                    $"GCP_CLOUD_KMS or AZURE_KEY_VAULT (the cluster's own cloud).", parameterName);
            if (string.IsNullOrWhiteSpace(key.Uri))
                throw new ArgumentException($"The CMEK key for region '{spec.Region}' has no URI (AWS key ARN, GCP 'projects/…/cryptoKeys/…', " +
                    $"or Azure key identifier URL).", parameterName);
            if (string.IsNullOrWhiteSpace(key.AuthPrincipal) && key.Type != CmekKeyType.NullKms)
                throw new ArgumentException($"The CMEK key for region '{spec.Region}' has no auth principal (AWS IAM role ARN, GCP service account e-mail, " +
                    $"or Azure tenant ID).", parameterName);
        }
    }
}
