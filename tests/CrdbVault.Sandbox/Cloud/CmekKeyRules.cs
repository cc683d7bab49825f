using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// What the double accepts as a CMEK key spec: the type must be the cluster's cloud's KMS, and the
/// URI and principal must have that KMS's shape (the table in docs/cockroachdb-notes.md#cmek).
/// NULL_KMS (meaning undocumented, presumably for tests) is accepted on any cloud.
/// </summary>
internal static partial class CmekKeyRules
{
    [GeneratedRegex(@"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)/[A-Za-z0-9/_-]+$")]
    private static partial Regex AwsKeyArn();

    [GeneratedRegex(@"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
    private static partial Regex AwsRoleArn();

    [GeneratedRegex(@"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")]
    private static partial Regex GcpKeyName();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com$")]
    private static partial Regex GcpServiceAccount();

    [GeneratedRegex(@"^https://[A-Za-z0-9-]+\.vault\.azure\.net/keys/[^/]+(/[^/]+)?/?$")]
    private static partial Regex AzureKeyId();

    public static string KeyTypeFor(string provider) => provider switch
    {
        "AWS" => "AWS_KMS",
        "GCP" => "GCP_CLOUD_KMS",
        "AZURE" => "AZURE_KEY_VAULT",
        _ => "",
    };

    /// <summary>Throws INVALID_ARGUMENT naming the region and what was expected.</summary>
    public static void Check(CmekSpec spec, string provider)
    {
        if (spec.Type == "NULL_KMS") return;
        string expected = KeyTypeFor(provider);
        if (spec.Type != expected)
            throw CloudDoubleError.Invalid($"region {spec.Region}: key type {(spec.Type.Length == 0 ? "(none)" : spec.Type)} does not match the cluster's cloud provider {provider}; use {expected}");
        (Regex uri, string uriShape, Regex principal, string principalShape) = spec.Type switch
        {
            "AWS_KMS" => (AwsKeyArn(), "an AWS KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)", AwsRoleArn(), "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
            "GCP_CLOUD_KMS" => (GcpKeyName(), "projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>", GcpServiceAccount(), "a service account e-mail (<name>@<project>.iam.gserviceaccount.com)"),
            _ => (AzureKeyId(), "a key identifier https://<vault>.vault.azure.net/keys/<name>/<version>", null!, "the Azure tenant ID (a GUID)"),
        };
        if (!uri.IsMatch(spec.Uri))
            throw CloudDoubleError.Invalid($"region {spec.Region}: invalid key uri; expected {uriShape}");
        bool principalOk = spec.Type == "AZURE_KEY_VAULT" ? Guid.TryParse(spec.AuthPrincipal, out _) : principal.IsMatch(spec.AuthPrincipal);
        if (!principalOk)
            throw CloudDoubleError.Invalid($"region {spec.Region}: invalid auth_principal; expected {principalShape}");
    }
}

/// <summary>One region's key spec as received (<c>CMEKRegionSpecification</c>).</summary>
public sealed record CmekSpec(string Region, string Type, string Uri, string AuthPrincipal);
