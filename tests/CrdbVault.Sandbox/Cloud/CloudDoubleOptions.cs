namespace CrdbVault.Sandbox.Cloud;

/// <summary>Timing and limits of the Cloud API double. Defaults keep tests fast.</summary>
public sealed class CloudDoubleOptions
{
    /// <summary>The admin API key (a service account with Cluster Admin). Random when not set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>How long client-CA changes stay PENDING and cluster edits keep the cluster LOCKED.</summary>
    public TimeSpan TransitionDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long each CMEK region stays ENABLING / ROTATING / REVOKING; null = <see cref="TransitionDelay"/>.</summary>
    public TimeSpan? CmekTransitionDelay { get; init; }

    /// <summary>
    /// Extra time per region index, so regions of one operation settle one after another as they
    /// would in the Cloud (region i finishes at delay + i × stagger).
    /// </summary>
    public TimeSpan CmekRegionStagger { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Requests per rolling second allowed per API key (the Cloud's documented 10). 0 = no limit.</summary>
    public int RateLimitPerSecond { get; init; } = 10;

    /// <summary>The clock the status machines read; tests may pass a fake one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Faults to inject before answering (paths are full paths, e.g. /api/v1/clusters/x/cmek).</summary>
    public FaultInjector Faults { get; init; } = new();
}

/// <summary>What a service account's API key may do (a simplification of the Cloud's roles).</summary>
public enum CloudKeyRole
{
    /// <summary>CLUSTER_ADMIN / CLUSTER_OPERATOR_WRITER: everything here.</summary>
    ClusterAdmin,

    /// <summary>CLUSTER_DEVELOPER-like: may read the cluster, nothing under cmek or client-ca-cert (those need admin/operator roles).</summary>
    ClusterDeveloper,

    /// <summary>Cluster Admin on the clusters but no organization-scoped role: GET /api/v1/organization answers 403.</summary>
    ClusterOnly,
}

/// <summary>One request as the double saw it; no header values, no bodies.</summary>
public sealed record CloudRequestRecord(DateTimeOffset At, string Method, string Path, int Status, string? CcVersion);
