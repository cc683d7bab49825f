using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// <c>GET /api/v1/clusters/{id}</c> (docs/cockroachdb-notes.md#clusters). Only the fields the module uses or a
/// user is likely to read; anything else the API sends is ignored.
/// </summary>
public sealed class CloudCluster
{
    private IReadOnlyList<CloudRegion>? _regions;
    private IReadOnlyDictionary<string, string>? _labels;

    /// <summary>Cluster ID: a UUID, used in API paths (not the routing ID of connection strings).</summary>
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public CloudProvider CloudProvider { get; init; }
    public ClusterPlan Plan { get; init; }
    public ClusterState State { get; init; }

    /// <summary>E.g. <c>CRDB_CMEK_OPERATION_RUNNING</c>, <c>CRDB_EDIT_CLUSTER_RUNNING</c>; open set.</summary>
    public string? OperationStatus { get; init; }
    public string? UpgradeStatus { get; init; }
    public string? CockroachVersion { get; init; }

    /// <summary>The cloud account CockroachDB manages for this cluster (AWS account / GCP project): needed for CMEK trust.</summary>
    public string? AccountId { get; init; }

    /// <summary>Azure only: the client ID to grant Key Vault access for CMEK.</summary>
    public string? AzureClusterIdentityClientId { get; init; }
    public string? SqlDns { get; init; }
    public string? CidrRange { get; init; }
    public string? NetworkVisibility { get; init; }
    public string? CreatorId { get; init; }
    public string? ParentId { get; init; }
    public CloudClusterConfig? Config { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    public IReadOnlyList<CloudRegion> Regions { get => _regions ?? []; init => _regions = value; }
    public IReadOnlyDictionary<string, string> Labels { get => _labels ?? new Dictionary<string, string>(); init => _labels = value; }

    /// <summary>True when no exclusive operation holds the cluster and mutations may proceed.</summary>
    [JsonIgnore]
    public bool IsReady => State == ClusterState.Created
        && (OperationStatus is null || !OperationStatus.EndsWith("_RUNNING", StringComparison.OrdinalIgnoreCase));

    public override string ToString() => $"{Name} ({Id}, {CloudProvider} {Plan}, {State})";
}

/// <summary>One region of a cluster; <see cref="NodeCount"/> is 0 on serverless plans.</summary>
public sealed class CloudRegion
{
    /// <summary>The cloud's region code, e.g. <c>us-east-1</c> (AWS) or <c>us-east1</c> (GCP).</summary>
    public string Name { get; init; } = "";
    public int NodeCount { get; init; }
    public bool Primary { get; init; }
    public string? SqlDns { get; init; }
    public string? UiDns { get; init; }
    public string? InternalDns { get; init; }
    public string? PrivateEndpointDns { get; init; }

    public override string ToString() => $"{Name} ({NodeCount} nodes)";
}

/// <summary><c>Cluster.config</c>: exactly one of the two is set.</summary>
public sealed class CloudClusterConfig
{
    public DedicatedHardwareConfig? Dedicated { get; init; }
    public ServerlessClusterConfig? Serverless { get; init; }
}

public sealed class DedicatedHardwareConfig
{
    public string? MachineType { get; init; }
    public int NumVirtualCpus { get; init; }
    public int StorageGib { get; init; }
    public double MemoryGib { get; init; }
    public int DiskIops { get; init; }
}

public sealed class ServerlessClusterConfig
{
    public string? RoutingId { get; init; }
    public string? UpgradeType { get; init; }
}
