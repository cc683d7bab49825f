using System.Text.RegularExpressions;
using CrdbVault.Core.Cloud;

namespace CrdbVault.Core.Keys;

/// <summary>What Vault's keymgmt knows about a distributed key, plus what the user added.</summary>
public sealed record CmekUriInputs
{
    /// <summary>awskms, gcpckms or azurekeyvault.</summary>
    public required string Provider { get; init; }

    /// <summary>The KMS provider's key_collection: AWS region, GCP key ring resource id, Azure Key Vault name.</summary>
    public required string KeyCollection { get; init; }

    /// <summary>The provider-side key name keymgmt returned (<c>&lt;key&gt;-&lt;unix timestamp&gt;</c>).</summary>
    public required string ProviderKeyName { get; init; }

    /// <summary>Vault key version → provider version id (may be empty: older Vaults do not return it).</summary>
    public IReadOnlyDictionary<int, string> Versions { get; init; } = new Dictionary<int, string>();
    public int LatestVersion { get; init; }

    /// <summary>The cluster region; derived where the provider tells it (AWS region, GCP location).</summary>
    public string? Region { get; init; }
    public string? AwsAccountId { get; init; }
    public string? AwsKeyId { get; init; }

    /// <summary>Build the alias ARN (<c>alias/hashicorp/&lt;name&gt;</c>), which survives Vault's rotations, instead of the key ARN.</summary>
    public bool AwsUseAlias { get; init; }
    public string? AzureKeyVersion { get; init; }
}

/// <summary>The URI CockroachDB Cloud wants, and how it was obtained.</summary>
public sealed record CmekUriResult(CmekKeyType Type, string Region, string Uri, string? Note);

/// <summary>Vault does not return enough to build the key URI: <see cref="ArgumentException.ParamName"/> names the parameter to add.</summary>
public sealed class CmekParameterRequiredException(string message, string parameterName) : ArgumentException(message, parameterName);

/// <summary>
/// Builds the key URI/ARN CockroachDB Cloud expects (docs/cockroachdb-notes.md#cmek) from what keymgmt returns
/// (docs/vault-notes.md#key-management-enterprise-hcp). Vault never returns the AWS account or a full URI, so:
/// GCP = <c>&lt;key_collection&gt;/cryptoKeys/&lt;provider key name&gt;</c>;
/// Azure = <c>https://&lt;key_collection&gt;.vault.azure.net/keys/&lt;name&gt;/&lt;version of the latest Vault version&gt;</c>;
/// AWS = <c>arn:aws:kms:&lt;region&gt;:&lt;-AwsAccountId&gt;:key/&lt;key id&gt;</c>, the key id from -AwsKeyId or
/// the latest provider version id when it is a KMS key id, or the alias ARN
/// <c>...:alias/hashicorp/&lt;name&gt;</c> with -AwsUseAlias. What is missing is named in the error.
/// </summary>
public static partial class CmekUriBuilder
{
    [GeneratedRegex(@"\Aprojects/[^/]+/locations/([^/]+)/keyRings/[^/]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex GcpKeyRing();
    [GeneratedRegex(@"\A[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsAccount();
    [GeneratedRegex(@"\A([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsKeyId();
    [GeneratedRegex(@"\A[A-Za-z0-9-]{3,24}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AzureVaultName();
    [GeneratedRegex(@"\A[0-9a-fA-F]{32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AzureVersion();

    public static CmekKeyType TypeFor(string provider) => provider switch
    {
        "awskms" => CmekKeyType.AwsKms,
        "gcpckms" => CmekKeyType.GcpCloudKms,
        "azurekeyvault" => CmekKeyType.AzureKeyVault,
        _ => throw new ArgumentException($"KMS provider type '{provider}' is not one CockroachDB Cloud can use: awskms, gcpckms or azurekeyvault.", "Provider"),
    };

    public static CmekUriResult Build(CmekUriInputs input)
    {
        CmekKeyType type = TypeFor(input.Provider);
        return type == CmekKeyType.AwsKms ? Aws(input)
            : type == CmekKeyType.GcpCloudKms ? Gcp(input)
            : Azure(input);
    }

    private static CmekUriResult Aws(CmekUriInputs input)
    {
        string region = input.KeyCollection.Trim();
        if (!CmekSpecRules.AwsRegion().IsMatch(region))
            throw new CmekParameterRequiredException($"The awskms provider's key_collection '{region}' is not an AWS region (e.g. us-east-1); " +
                $"the key's region cannot be known. Create a KMS provider with -KeyCollection <aws region> (and another -KmsName).", "KeyCollection");
        if (string.IsNullOrWhiteSpace(input.AwsAccountId))
            throw new CmekParameterRequiredException($"Vault does not return the AWS account that holds '{input.ProviderKeyName}': add -AwsAccountId " +
                $"<12-digit account id> (aws sts get-caller-identity --query Account, with the credentials the KMS provider uses).", "AwsAccountId");
        if (!AwsAccount().IsMatch(input.AwsAccountId.Trim()))
            throw new CmekParameterRequiredException($"-AwsAccountId '{input.AwsAccountId}' is not a 12-digit AWS account id.", "AwsAccountId");
        string partition = region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
            : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
            : "aws";
        string prefix = $"arn:{partition}:kms:{region}:{input.AwsAccountId.Trim()}";
        string clusterRegion = string.IsNullOrWhiteSpace(input.Region) ? region : input.Region.Trim();
        string alias = $"alias/hashicorp/{input.ProviderKeyName}";
        if (input.AwsUseAlias)
            return new(CmekKeyType.AwsKms, clusterRegion, $"{prefix}:{alias}", $"Alias ARN: Vault's AWS aliases have the form hashicorp/<key>-<timestamp>; " +
                $"whether CockroachDB Cloud accepts an alias ARN is not documented.");
        if (!string.IsNullOrWhiteSpace(input.AwsKeyId))
        {
            string id = input.AwsKeyId.Trim();
            if (!AwsKeyId().IsMatch(id))
                throw new CmekParameterRequiredException($"-AwsKeyId '{id}' is not a KMS key id (a UUID such as 1234abcd-12ab-34cd-56ef-1234567890ab, " +
                    $"or mrk-<32 hex>).", "AwsKeyId");
            return new(CmekKeyType.AwsKms, clusterRegion, $"{prefix}:key/{id}", null);
        }
        if (input.Versions.TryGetValue(input.LatestVersion, out string? latest) && AwsKeyId().IsMatch(latest))
            return new(CmekKeyType.AwsKms, clusterRegion, $"{prefix}:key/{latest}",
                $"Key id {latest} is keymgmt's provider id of version {input.LatestVersion}. Vault rotates AWS keys by importing a NEW KMS key, " +
                    $"so after a rotation build the spec again (or use -AwsUseAlias).");
        throw new CmekParameterRequiredException(
            $"Vault did not return the AWS KMS key id of '{input.ProviderKeyName}': add -AwsKeyId (aws kms describe-key --region {region} --key-id {alias} " +
                $"--query KeyMetadata.KeyId), or -AwsUseAlias to use the alias ARN {prefix}:{alias}.",
            "AwsKeyId");
    }

    private static CmekUriResult Gcp(CmekUriInputs input)
    {
        string ring = input.KeyCollection.Trim().TrimEnd('/');
        Match m = GcpKeyRing().Match(ring);
        if (!m.Success)
            throw new CmekParameterRequiredException($"The gcpckms provider's key_collection '{ring}' is not a key ring resource id: " +
                $"create a KMS provider with -KeyCollection projects/<project>/locations/<location>/keyRings/<ring> (and another -KmsName).", "KeyCollection");
        string location = m.Groups[1].Value;
        string? region = string.IsNullOrWhiteSpace(input.Region) ? null : input.Region.Trim();
        if (region is null)
        {
            if (!CmekSpecRules.GcpRegion().IsMatch(location))
                throw new CmekParameterRequiredException($"The key ring is in location '{location}', which is not a single GCP region: " +
                    $"add -Region <cluster region> (e.g. us-central1).", "Region");
            region = location;
        }
        return new(CmekKeyType.GcpCloudKms, region, $"{ring}/cryptoKeys/{input.ProviderKeyName}", null);
    }

    private static CmekUriResult Azure(CmekUriInputs input)
    {
        string vault = input.KeyCollection.Trim();
        if (!AzureVaultName().IsMatch(vault))
            throw new CmekParameterRequiredException($"The azurekeyvault provider's key_collection '{vault}' is not a Key Vault name (3-24 letters, digits, " +
                $"'-'): create a KMS provider with -KeyCollection <vault name> (and another -KmsName).", "KeyCollection");
        if (string.IsNullOrWhiteSpace(input.Region))
            throw new CmekParameterRequiredException("Vault does not know the cluster's Azure region: add -Region <region> (e.g. eastus).", "Region");
        string? version = string.IsNullOrWhiteSpace(input.AzureKeyVersion) ? null : input.AzureKeyVersion.Trim();
        if (version is null && input.Versions.TryGetValue(input.LatestVersion, out string? latest)) version = latest;
        if (version is null)
            throw new CmekParameterRequiredException(
                $"Vault did not return the Azure version of '{input.ProviderKeyName}': " +
                    $"add -AzureKeyVersion (az keyvault key show --vault-name {vault} --name {input.ProviderKeyName} --query key.kid; the last path segment).",
                "AzureKeyVersion");
        if (!AzureVersion().IsMatch(version))
            throw new CmekParameterRequiredException($"Azure key version '{version}' is not 32 hex characters: " +
                $"pass -AzureKeyVersion with the last segment of the key's kid.", "AzureKeyVersion");
        return new(CmekKeyType.AzureKeyVault, input.Region.Trim(),
            $"https://{vault}.vault.azure.net/keys/{input.ProviderKeyName}/{version.ToLowerInvariant()}", null);
    }
}
