using CrdbVault.Core.Cloud;

namespace CrdbVault;

/// <summary>
/// CMEK of a cluster (Set-/Get-/Revoke-CrdbCmek): the cluster-level status and one row per region.
/// Configured is false when the Cloud has no CMEK configuration for the cluster at all.
/// </summary>
public sealed class CmekStatus
{
    public required string ClusterId { get; init; }
    public required string Status { get; init; }
    public bool Configured { get; init; }
    public CmekRegionStatus[] Regions { get; init; } = [];

    internal static CmekStatus From(CmekClusterInfo info) => new()
    {
        ClusterId = info.ClusterId,
        Status = info.Status.Value,
        Configured = info.IsConfigured,
        Regions = [.. info.RegionInfos.Select(r => CmekRegionStatus.From(info.ClusterId, r))],
    };

    public override string ToString() => $"{ClusterId}: {Status}";
}

/// <summary>One region's CMEK state and the key the row describes (the one matching the region's status, else the newest).</summary>
public sealed class CmekRegionStatus
{
    public required string ClusterId { get; init; }
    public required string Region { get; init; }
    public required string Status { get; init; }

    /// <summary>AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT.</summary>
    public string? KeyType { get; init; }
    public string? Uri { get; init; }

    /// <summary>The Cloud's explanation, e.g. why a rotation failed.</summary>
    public string? UserMessage { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Every key the region used, newest last (URI and status).</summary>
    public string[] KeyHistory { get; init; } = [];

    internal static CmekRegionStatus From(string clusterId, CmekRegionInfo r)
    {
        var newestFirst = r.KeyInfos.OrderByDescending(k => k.CreatedAt ?? DateTimeOffset.MinValue).ToList();
        CmekKeyInfo? key = newestFirst.FirstOrDefault(k => k.Status == r.Status) ?? newestFirst.FirstOrDefault();
        return new CmekRegionStatus
        {
            ClusterId = clusterId,
            Region = r.Region,
            Status = r.Status.Value,
            KeyType = key?.Spec?.Type.Value,
            Uri = key?.Spec?.Uri,
            UserMessage = r.UserMessage,
            UpdatedAt = key?.UpdatedAt ?? key?.CreatedAt,
            KeyHistory = [.. r.KeyInfos.Select(k => $"{k.Status} {k.Spec?.Uri}")],
        };
    }

    public override string ToString() => $"{Region}: {Status}";
}
