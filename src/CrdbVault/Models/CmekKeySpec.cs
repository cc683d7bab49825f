using CrdbVault.Core.Cloud;

namespace CrdbVault;

/// <summary>
/// One region's customer-managed key for CockroachDB Cloud (the API's region spec:
/// region + key_spec {type, uri, auth_principal}). Pipe it to Set-CrdbCmek -ClusterId; the property
/// names bind by name.
/// </summary>
public sealed class CmekKeySpec
{
    /// <summary>The cluster region in its cloud's spelling (us-east-1, us-central1, eastus).</summary>
    public required string Region { get; init; }
    /// <summary>AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT.</summary>
    public required string Type { get; init; }
    /// <summary>AWS key ARN, GCP crypto key name, or Azure key identifier URL.</summary>
    public required string Uri { get; init; }
    /// <summary>AWS IAM role ARN, GCP service account e-mail, or Azure tenant ID.</summary>
    public required string AuthPrincipal { get; init; }

    internal static CmekKeySpec From(CmekRegionSpec spec) =>
        new() { Region = spec.Region, Type = spec.KeySpec.Type.Value, Uri = spec.KeySpec.Uri, AuthPrincipal = spec.KeySpec.AuthPrincipal };

    public override string ToString() => $"{Region}: {Type} {Uri}";
}
