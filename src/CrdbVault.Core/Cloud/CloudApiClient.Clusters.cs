namespace CrdbVault.Core.Cloud;

// Cluster reads and region changes (docs/cockroachdb-notes.md#clusters and #cmek).
public sealed partial class CloudApiClient
{
    /// <summary><c>GET /api/v1/clusters/{id}</c>.</summary>
    public async Task<CloudCluster> GetClusterAsync(string clusterId, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        return await SendAsync<CloudCluster>(HttpMethod.Get, $"/api/v1/clusters/{id}", null, CloudCall.Read(clusterId), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>PATCH /api/v1/clusters/{id}</c> with <c>dedicated.region_nodes</c> = every region the
    /// cluster should have, and <c>dedicated.cmek_region_specs</c> = keys for the NEW regions only
    /// (required when CMEK is on; a spec for an existing region fails). Returns at once; wait with
    /// <see cref="WaitForClusterReadyAsync"/> and then <see cref="WaitForCmekAsync"/>.
    /// </summary>
    public async Task<CloudCluster> UpdateClusterRegionsAsync(string clusterId, IReadOnlyDictionary<string, int> regionNodes,
        IEnumerable<CmekRegionSpec>? cmekSpecsForNewRegions = null, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        ArgumentNullException.ThrowIfNull(regionNodes);
        if (regionNodes.Count == 0)
            throw new ArgumentException("No regions given. List every region the cluster should have with its node count, e.g. @{ 'us-east-1' = 3; " +
                "'eu-west-1' = 3 }.", nameof(regionNodes));
        foreach ((string region, int nodes) in regionNodes)
        {
            if (string.IsNullOrWhiteSpace(region))
                throw new ArgumentException("A region name is empty. Use the cloud's region code, e.g. 'us-east-1' (AWS) " +
                    "or 'us-east1' (GCP).", nameof(regionNodes));
            if (nodes < 1)
                throw new ArgumentException($"Region '{region}' has {nodes} nodes; " +
                    $"each region needs at least 1 (3 for a production multi-region cluster).", nameof(regionNodes));
        }
        List<CmekRegionSpec>? specs = cmekSpecsForNewRegions?.ToList();
        if (specs is not null)
        {
            CmekSpecs.Check(specs, nameof(cmekSpecsForNewRegions));
            foreach (CmekRegionSpec spec in specs.Where(s => !regionNodes.ContainsKey(s.Region)))
                throw new ArgumentException($"There is a CMEK spec for region '{spec.Region}', which is not among the cluster's regions " +
                    $"({string.Join(", ", regionNodes.Keys)}). Add the region or drop the spec.", nameof(cmekSpecsForNewRegions));
        }
        var body = new UpdateClusterSpecification(new DedicatedClusterUpdateSpecification(regionNodes, specs is { Count: > 0 } ? specs : null));
        CloudCall call = CloudCall.Change(clusterId,
            $"check the cluster's regions and state (Cloud Console, or GET /api/v1/clusters/{clusterId}) before repeating.",
            "The cluster is busy with another operation, or the change conflicts with its state (CMEK specs may be given only for new regions).");
        return await SendAsync<CloudCluster>(HttpMethod.Patch, $"/api/v1/clusters/{id}", body, call, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds regions the way Terraform does: reads the cluster, keeps every existing region's node
    /// count, adds the new ones, and sends their CMEK specs (needed when CMEK is enabled).
    /// </summary>
    public async Task<CloudCluster> AddClusterRegionsAsync(string clusterId, IReadOnlyDictionary<string, int> newRegions,
        IEnumerable<CmekRegionSpec>? cmekSpecs = null, CancellationToken ct = default)
    {
        CloudCluster cluster = await GetClusterAsync(clusterId, ct).ConfigureAwait(false);
        var all = cluster.Regions.ToDictionary(r => r.Name, r => r.NodeCount, StringComparer.Ordinal);
        foreach ((string region, int nodes) in newRegions)
        {
            if (all.ContainsKey(region))
                throw new ArgumentException($"Region '{region}' is already part of cluster {clusterId}. To change the key of an existing region, " +
                    $"rotate CMEK instead.", nameof(newRegions));
            all[region] = nodes;
        }
        return await UpdateClusterRegionsAsync(clusterId, all, cmekSpecs, ct).ConfigureAwait(false);
    }

    /// <summary>Polls the cluster until no exclusive operation holds it (state CREATED, nothing *_RUNNING).</summary>
    public Task<CloudCluster> WaitForClusterReadyAsync(string clusterId, TimeSpan timeout,
        IProgress<CloudWaitProgress<CloudCluster>>? progress = null, CancellationToken ct = default)
    {
        ClusterSegment(clusterId);
        return CloudPoller.PollAsync(_options, clusterId, "Cluster update",
            token => GetClusterAsync(clusterId, token),
            cluster =>
            {
                if (cluster.State == ClusterState.CreationFailed || cluster.State == ClusterState.Deleted)
                    throw new CloudOperationFailedException(clusterId, "Cluster update", [new CloudOperationFailure(null, cluster.State.Value, null)]);
                return cluster.IsReady;
            },
            cluster => $"{cluster.State}{(string.IsNullOrEmpty(cluster.OperationStatus) ? "" : " / " + cluster.OperationStatus)}",
            timeout, $"the Cloud Console (or GET /api/v1/clusters/{clusterId})", progress, ct);
    }
}
