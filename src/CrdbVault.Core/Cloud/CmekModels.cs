using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary><c>CMEKClusterInfo</c>: overall status and one entry per region (docs/cockroachdb-notes.md#cmek).</summary>
public sealed class CmekClusterInfo
{
    private IReadOnlyList<CmekRegionInfo>? _regionInfos;

    /// <summary>The cluster this answer is about; set by the client (the API does not echo it).</summary>
    [JsonIgnore]
    public string ClusterId { get; internal set; } = "";

    public CmekState Status { get; init; }

    public IReadOnlyList<CmekRegionInfo> RegionInfos { get => _regionInfos ?? []; init => _regionInfos = value; }

    /// <summary>
    /// False when the Cloud has no CMEK configuration for the cluster at all (it answered 404 for
    /// an existing cluster); <see cref="Status"/> is then DISABLED, the documented default.
    /// </summary>
    [JsonIgnore]
    public bool IsConfigured { get; internal set; } = true;

    public override string ToString() => $"CMEK of {ClusterId}: {Status} ({string.Join(", ", RegionInfos.Select(r => $"{r.Region} {r.Status}"))})";
}

/// <summary><c>CMEKRegionInfo</c>: the region's status and its current and past keys.</summary>
public sealed class CmekRegionInfo
{
    private IReadOnlyList<CmekKeyInfo>? _keyInfos;

    public string Region { get; init; } = "";
    public CmekState Status { get; init; }
    public IReadOnlyList<CmekKeyInfo> KeyInfos { get => _keyInfos ?? []; init => _keyInfos = value; }

    /// <summary>
    /// The Cloud's explanation for the region's state: the newest key whose status matches the
    /// region's, else the newest key that has a message. Null when the Cloud said nothing.
    /// </summary>
    [JsonIgnore]
    public string? UserMessage
    {
        get
        {
            var newestFirst = KeyInfos.OrderByDescending(k => k.UpdatedAt ?? k.CreatedAt ?? DateTimeOffset.MinValue).ToList();
            CmekKeyInfo? match = newestFirst.FirstOrDefault(k => k.Status == Status && !string.IsNullOrWhiteSpace(k.UserMessage))
                ?? newestFirst.FirstOrDefault(k => !string.IsNullOrWhiteSpace(k.UserMessage));
            return match?.UserMessage;
        }
    }

    public override string ToString() => $"{Region}: {Status}";
}

/// <summary><c>CMEKKeyInfo</c>: one key used (now or before) in a region.</summary>
public sealed class CmekKeyInfo
{
    public CmekKeySpec? Spec { get; init; }
    public CmekState Status { get; init; }

    /// <summary>"Elaborates on the key's status and hints at how to fix issues" (API text).</summary>
    public string? UserMessage { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }
}

/// <summary><c>CMEKKeySpecification</c>: where the key lives and who CockroachDB Cloud acts as.</summary>
public sealed record CmekKeySpec
{
    public CmekKeyType Type { get; init; }

    /// <summary>AWS: key ARN; GCP: <c>projects/…/cryptoKeys/…</c>; Azure: key identifier URL.</summary>
    public string Uri { get; init; } = "";

    /// <summary>AWS: IAM role ARN; GCP: service account e-mail; Azure: tenant ID.</summary>
    public string AuthPrincipal { get; init; } = "";

    public override string ToString() => $"{Type} {Uri}";
}

/// <summary><c>CMEKRegionSpecification</c>: the key to use in one region.</summary>
public sealed record CmekRegionSpec
{
    public string Region { get; init; } = "";
    public CmekKeySpec KeySpec { get; init; } = new();

    public CmekRegionSpec() { }

    public CmekRegionSpec(string region, CmekKeyType type, string uri, string authPrincipal)
    {
        Region = region;
        KeySpec = new CmekKeySpec { Type = type, Uri = uri, AuthPrincipal = authPrincipal };
    }

    public override string ToString() => $"{Region}: {KeySpec}";
}

public readonly partial struct CmekState
{
    /// <summary>Finished: Terraform's waiter stops on ENABLED, DISABLED and REVOKED.</summary>
    public bool IsSettled => this == Enabled || this == Disabled || this == Revoked;

    /// <summary>Any <c>*_FAILED</c> value, including ones this version does not know yet.</summary>
    public bool IsFailed => Value.EndsWith("_FAILED", StringComparison.OrdinalIgnoreCase);
}

public readonly partial struct CmekKeyType
{
    /// <summary>The key type that belongs to a cloud; CMEK keys must live in the cluster's own cloud.</summary>
    public static CmekKeyType? ForProvider(CloudProvider provider) =>
        provider == CloudProvider.Aws ? AwsKms
        : provider == CloudProvider.Gcp ? GcpCloudKms
        : provider == CloudProvider.Azure ? AzureKeyVault
        : null;
}
