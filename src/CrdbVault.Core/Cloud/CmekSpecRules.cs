using System.Text.RegularExpressions;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// What a CMEK region spec must look like before CockroachDB Cloud sees it: a region name in the
/// key's cloud spelling, a key URI of the type's shape, an auth principal that fits the type. Each
/// problem says what to write instead. The one place these rules live: region specs built by hand,
/// read from a manifest, made by New-CrdbCmekKey or checked by a CMEK plan all go through here.
/// </summary>
public static partial class CmekSpecRules
{
    /// <summary>The key types a customer can use (<c>NULL_KMS</c> is in the API but has no documented use).</summary>
    public static IReadOnlyList<CmekKeyType> CustomerTypes { get; } = [CmekKeyType.AwsKms, CmekKeyType.GcpCloudKms, CmekKeyType.AzureKeyVault];

    private enum KeyCloud
    {
        Aws,
        Gcp,
        Azure,
        Other,
    }

    private static KeyCloud CloudOf(CmekKeyType? type) =>
        type == CmekKeyType.AwsKms ? KeyCloud.Aws
        : type == CmekKeyType.GcpCloudKms ? KeyCloud.Gcp
        : type == CmekKeyType.AzureKeyVault ? KeyCloud.Azure
        : KeyCloud.Other;

    /// <summary>True for a well-formed region name of any cloud (lower-case letters, digits and '-').</summary>
    public static bool IsRegionName(string? region) => region is not null && AnyRegion().IsMatch(region);

    /// <summary>A valid spec or an <see cref="ArgumentException"/> listing every problem (ParamName = the first bad field).</summary>
    public static CmekRegionSpec Create(string? region, string? type, string? uri, string? authPrincipal)
    {
        if (TryCreate(region, type, uri, authPrincipal, out CmekRegionSpec? spec, out IReadOnlyList<CmekSpecProblem> problems))
            return spec!;
        throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)), problems[0].Field);
    }

    /// <summary>Validates all four fields; <paramref name="problems"/> has one entry per bad field.</summary>
    public static bool TryCreate(string? region, string? type, string? uri, string? authPrincipal, out CmekRegionSpec? spec,
        out IReadOnlyList<CmekSpecProblem> problems)
    {
        var list = new List<CmekSpecProblem>();
        CmekKeyType? parsedType = ParseType(type, list);
        region = region?.Trim();
        uri = uri?.Trim();
        authPrincipal = authPrincipal?.Trim();
        CheckRegion(region, parsedType, list);
        if (parsedType is CmekKeyType t)
        {
            CheckUri(uri, t, region, list);
            CheckPrincipal(authPrincipal, t, list);
        }
        else
        {
            if (string.IsNullOrEmpty(uri)) list.Add(new("Uri", "-Uri is empty: give the key's ARN / resource name / key identifier URL."));
            if (string.IsNullOrEmpty(authPrincipal)) list.Add(new("AuthPrincipal", "-AuthPrincipal is empty: " +
                "give the IAM role ARN / service account e-mail / tenant ID CockroachDB Cloud uses to reach the key."));
        }
        problems = list;
        spec = list.Count == 0 ? new CmekRegionSpec(region!, parsedType!.Value, uri!, authPrincipal!) : null;
        return spec is not null;
    }

    /// <summary>Parses AWS_KMS / GCP_CLOUD_KMS / AZURE_KEY_VAULT (case-insensitive).</summary>
    public static CmekKeyType ParseType(string? type)
    {
        var list = new List<CmekSpecProblem>();
        return ParseType(type, list) ?? throw new ArgumentException(list[0].Message, "Type");
    }

    private static CmekKeyType? ParseType(string? type, List<CmekSpecProblem> problems)
    {
        string t = (type ?? "").Trim();
        if (t.Length == 0)
        {
            problems.Add(new("Type", "-Type is empty: use AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT."));
            return null;
        }
        foreach (CmekKeyType value in CustomerTypes)
            if (string.Equals(value.Value, t, StringComparison.OrdinalIgnoreCase)) return value;
        string hint = t.ToUpperInvariant() switch
        {
            "NULL_KMS" => " NULL_KMS is in the API but has no documented use; a customer key is one of the three.",
            "AWS" or "AWSKMS" or "AWS-KMS" or "KMS" => " Did you mean AWS_KMS?",
            "GCP" or "GCPCKMS" or "GCPKMS" or "GCP_KMS" or "GOOGLE" => " Did you mean GCP_CLOUD_KMS?",
            "AZURE" or "AZUREKEYVAULT" or "AZURE_KMS" or "KEYVAULT" => " Did you mean AZURE_KEY_VAULT?",
            _ => "",
        };
        problems.Add(new("Type", $"-Type '{t}' is not a CMEK key type: use AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT.{hint}"));
        return null;
    }

    // Region names as each cloud writes them (the Cloud API uses the cloud's own codes).
    [GeneratedRegex(@"\A[a-z][a-z0-9-]*[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex AnyRegion();
    [GeneratedRegex(@"\A[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex AwsRegion();
    [GeneratedRegex(@"\A[a-z]+-[a-z]+[0-9]{1,2}\z", RegexOptions.CultureInvariant)]
    internal static partial Regex GcpRegion();
    [GeneratedRegex(@"\A[a-z]+[a-z0-9]*\z", RegexOptions.CultureInvariant)]
    internal static partial Regex AzureRegion();

    private static void CheckRegion(string? region, CmekKeyType? type, List<CmekSpecProblem> problems)
    {
        string example = CloudOf(type) switch
        {
            KeyCloud.Aws => "'us-east-1'",
            KeyCloud.Gcp => "'us-central1'",
            KeyCloud.Azure => "'eastus'",
            _ => "'us-east-1' (AWS), 'us-central1' (GCP) or 'eastus' (Azure)",
        };
        if (string.IsNullOrEmpty(region))
        {
            problems.Add(new("Region", $"-Region is empty: give the cluster region, e.g. {example}."));
            return;
        }
        if (!AnyRegion().IsMatch(region))
        {
            string lower = region.ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
            string suggestion = lower != region && AnyRegion().IsMatch(lower) ? $" Did you mean '{lower}'?" : "";
            problems.Add(new("Region", $"-Region '{region}' is not a cloud region name: lower-case letters, digits and '-', e.g. {example}.{suggestion}"));
            return;
        }
        bool fits = CloudOf(type) switch
        {
            KeyCloud.Aws => AwsRegion().IsMatch(region),
            KeyCloud.Gcp => GcpRegion().IsMatch(region),
            KeyCloud.Azure => AzureRegion().IsMatch(region),
            _ => true,
        };
        if (!fits)
            problems.Add(new("Region", $"-Region '{region}' is not written like {Cloud(type!.Value)} region names; the key lives in the cluster's cloud, " +
                $"so give the cluster region as {Cloud(type.Value)} writes it, e.g. {example}."));
    }

    [GeneratedRegex(
        @"\Aarn:(aws|aws-cn|aws-us-gov):kms:([a-z0-9-]+):([0-9]{12}):"
            + @"(key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[A-Za-z0-9/_-]+)\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex AwsKeyArn();
    [GeneratedRegex(@"\Aprojects/([a-z][a-z0-9.:-]{4,62}[a-z0-9])/locations/([a-z0-9-]+)/keyRings/([A-Za-z0-9_-]{1,63})/cryptoKeys/([A-Za-z0-9_-]{1,63})\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex GcpKeyName();
    [GeneratedRegex(
        @"\Ahttps://([A-Za-z0-9-]{3,24})\.(vault\.azure\.net|vault\.azure\.cn|vault\.usgovcloudapi\.net|vault\.microsoftazure\.de|managedhsm\.azure\.net)"
            + @"/keys/([A-Za-z0-9-]{1,127})/([0-9a-fA-F]{32})\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex AzureKeyId();

    private static void CheckUri(string? uri, CmekKeyType type, string? region, List<CmekSpecProblem> problems)
    {
        string shape = CloudOf(type) switch
        {
            KeyCloud.Aws => "the KMS key ARN, arn:aws:kms:<region>:<12-digit account>:key/<key id>",
            KeyCloud.Gcp => "the crypto key resource name, projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>",
            _ => "the key identifier URL, https://<vault>.vault.azure.net/keys/<name>/<32-hex version>",
        };
        if (string.IsNullOrEmpty(uri))
        {
            problems.Add(new("Uri", $"-Uri is empty: for {type} give {shape}."));
            return;
        }
        switch (CloudOf(type))
        {
            case KeyCloud.Aws:
                Match m = AwsKeyArn().Match(uri);
                if (!m.Success)
                {
                    string alias = uri.StartsWith("alias/", StringComparison.Ordinal)
                        ? " (an alias must be a full alias ARN, arn:aws:kms:<region>:<account>:alias/<name>)"
                        : "";
                    problems.Add(new("Uri", $"-Uri '{uri}' is not an AWS KMS key ARN: for AWS_KMS give {shape}{alias}."));
                }
                break;
            case KeyCloud.Gcp:
                if (!GcpKeyName().IsMatch(uri))
                {
                    string hint =
                        uri.Contains("/cryptoKeyVersions/", StringComparison.Ordinal)
                            ? " Leave out /cryptoKeyVersions/<n>: CockroachDB uses the key's primary version."
                        : uri.StartsWith("gcp-kms://", StringComparison.Ordinal) || uri.StartsWith("https://", StringComparison.Ordinal)
                            ? " Give the bare resource name, without a scheme or host."
                        : "";
                    problems.Add(new("Uri", $"-Uri '{uri}' is not a GCP KMS crypto key name: for GCP_CLOUD_KMS give {shape}.{hint}"));
                }
                break;
            case KeyCloud.Azure:
                if (!AzureKeyId().IsMatch(uri))
                {
                    string hint = Regex.IsMatch(uri, @"\Ahttps://[^/]+/keys/[^/]+/?\z", RegexOptions.CultureInvariant)
                        ? " Add the key version (az keyvault key show --vault-name <vault> --name <key> --query key.kid)."
                        : "";
                    problems.Add(new("Uri", $"-Uri '{uri}' is not an Azure Key Vault key identifier: for AZURE_KEY_VAULT give {shape}.{hint}"));
                }
                break;
        }
    }

    [GeneratedRegex(@"\Aarn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsRoleArn();
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,62}@[a-z0-9.:-]+\.gserviceaccount\.com\z", RegexOptions.CultureInvariant)]
    private static partial Regex GcpServiceAccount();
    [GeneratedRegex(@"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Guid();

    /// <summary>Null when <paramref name="principal"/> fits <paramref name="type"/>, else what is wrong and what to give.</summary>
    public static string? PrincipalProblem(CmekKeyType type, string? principal)
    {
        var list = new List<CmekSpecProblem>();
        CheckPrincipal(principal?.Trim(), type, list);
        return list.Count == 0 ? null : list[0].Message;
    }

    /// <summary>Null when <paramref name="region"/> is a region name of <paramref name="type"/>'s cloud, else what is wrong.</summary>
    public static string? RegionProblem(CmekKeyType type, string? region)
    {
        var list = new List<CmekSpecProblem>();
        CheckRegion(region?.Trim(), type, list);
        return list.Count == 0 ? null : list[0].Message;
    }

    private static void CheckPrincipal(string? principal, CmekKeyType type, List<CmekSpecProblem> problems)
    {
        string what = CloudOf(type) switch
        {
            KeyCloud.Aws => "the ARN of the cross-account IAM role CockroachDB Cloud assumes, arn:aws:iam::<account>:role/<name>",
            KeyCloud.Gcp => "the e-mail of the cross-tenant service account, <name>@<project>.iam.gserviceaccount.com",
            _ => "your Azure tenant ID (a GUID)",
        };
        if (string.IsNullOrEmpty(principal))
        {
            problems.Add(new("AuthPrincipal", $"-AuthPrincipal is empty: for {type} give {what}."));
            return;
        }
        bool ok = CloudOf(type) switch
        {
            KeyCloud.Aws => AwsRoleArn().IsMatch(principal),
            KeyCloud.Gcp => GcpServiceAccount().IsMatch(principal),
            _ => Guid().IsMatch(principal),
        };
        if (!ok)
            problems.Add(new("AuthPrincipal", $"-AuthPrincipal '{principal}' does not fit {type}: give {what}."));
    }

    private static string Cloud(CmekKeyType type) => CloudOf(type) switch
    {
        KeyCloud.Aws => "AWS",
        KeyCloud.Gcp => "GCP",
        _ => "Azure",
    };
}

/// <summary>One problem with a CMEK spec field; <see cref="Field"/> is the parameter name (Region, Type, Uri, AuthPrincipal).</summary>
public sealed record CmekSpecProblem(string Field, string Message);
