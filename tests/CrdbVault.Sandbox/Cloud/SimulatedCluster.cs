using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// One cluster of the double: what <c>GET /api/v1/clusters/{id}</c> shows (docs/cockroachdb-notes.md#clusters)
/// plus its client CA and CMEK machines. <see cref="Gate"/> serializes every request on it.
/// </summary>
public sealed class SimulatedCluster
{
    private readonly List<(string Name, int Nodes)> _regions;
    private DateTimeOffset? _lockedUntil;

    internal SimulatedCluster(string id, string name, string cloudProvider, string plan, IEnumerable<(string Name, int Nodes)> regions, DateTimeOffset createdAt)
    {
        Id = id;
        Name = name;
        CloudProvider = cloudProvider.ToUpperInvariant();
        Plan = plan.ToUpperInvariant();
        _regions = regions.ToList();
        CreatedAt = UpdatedAt = createdAt;
        // The CockroachDB-managed account CMEK trust is set up against (AWS account / GCP project).
        AccountId = CloudProvider == "GCP" ? $"crl-prod-{id[..Math.Min(6, id.Length)]}" : "123456789012";
    }

    public string Id { get; }
    public string Name { get; }
    public string CloudProvider { get; }
    public string Plan { get; }
    public string AccountId { get; }
    public string CockroachVersion { get; set; } = "v25.4.1";
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public ClientCaCertMachine ClientCa { get; } = new();

    /// <summary>Null until CMEK was first requested: GET .../cmek then answers 404.</summary>
    public CmekMachine? Cmek { get; internal set; }

    public object Gate { get; } = new();

    public IReadOnlyList<(string Name, int Nodes)> Regions
    {
        get { lock (Gate) return _regions.ToList(); }
    }

    public bool HasRegion(string region) => _regions.Any(r => r.Name == region);

    /// <summary>LOCKED while a cluster edit runs: "Other operations should not proceed".</summary>
    public bool IsLocked(DateTimeOffset now) => _lockedUntil is DateTimeOffset until && now < until;

    /// <summary>Replaces the region set (region_nodes lists all regions) and locks the cluster for the edit.</summary>
    internal void ApplyRegions(IReadOnlyDictionary<string, int> regionNodes, DateTimeOffset now, TimeSpan lockFor)
    {
        var next = regionNodes.Select(kv => (kv.Key, kv.Value)).ToList();
        // Keep the existing order, new regions after it, as a real cluster lists them.
        next.Sort((a, b) => Index(a.Key).CompareTo(Index(b.Key)));
        _regions.Clear();
        _regions.AddRange(next);
        _lockedUntil = now + lockFor;
        UpdatedAt = now;

        int Index(string name)
        {
            int i = _regions.FindIndex(r => r.Name == name);
            return i < 0 ? int.MaxValue : i;
        }
    }

    /// <summary><c>Cluster</c> as JSON, with the fields the spec lists.</summary>
    internal JsonObject ToJson(DateTimeOffset now)
    {
        bool locked = IsLocked(now);
        string operation = locked ? "CRDB_EDIT_CLUSTER_RUNNING"
            : Cmek?.InProgress(now) == true ? "CRDB_CMEK_OPERATION_RUNNING"
            : ClientCa.IsPending(now) ? "CRDB_CUSTOM_CLIENT_CA_RUNNING"
            : "CLUSTER_STATUS_UNSPECIFIED";
        var regions = new JsonArray();
        for (int i = 0; i < _regions.Count; i++)
        {
            (string name, int nodes) = _regions[i];
            string host = $"{Name}-{Id[..Math.Min(4, Id.Length)]}.{name}.cockroachlabs.cloud";
            regions.Add(new JsonObject
            {
                ["name"] = name,
                ["sql_dns"] = host,
                ["ui_dns"] = "admin-" + host,
                ["internal_dns"] = "internal-" + host,
                ["private_endpoint_dns"] = "",
                ["node_count"] = nodes,
                ["primary"] = i == 0,
            });
        }
        var json = new JsonObject
        {
            ["id"] = Id,
            ["name"] = Name,
            ["account_id"] = AccountId,
            ["cloud_provider"] = CloudProvider,
            ["cockroach_version"] = CockroachVersion,
            ["plan"] = Plan,
            ["state"] = locked ? "LOCKED" : "CREATED",
            ["operation_status"] = operation,
            ["upgrade_status"] = "FINALIZED",
            ["network_visibility"] = "NETWORK_VISIBILITY_PRIVATE",
            ["creator_id"] = "00000000-0000-0000-0000-000000000001",
            ["config"] = new JsonObject
            {
                ["dedicated"] = new JsonObject { ["machine_type"] = "m6i.xlarge", ["num_virtual_cpus"] = 4, ["storage_gib"] = 150, ["memory_gib"] = 16, ["disk_iops"] = 3000 },
            },
            ["regions"] = regions,
            ["created_at"] = CmekMachine.Timestamp(CreatedAt),
            ["updated_at"] = CmekMachine.Timestamp(UpdatedAt),
            ["labels"] = new JsonObject(),
            // In the spec's example but not its properties (a documented quirk): clients must ignore it.
            ["is_customer_cloud_account"] = false,
        };
        if (CloudProvider == "AZURE") json["azure_cluster_identity_client_id"] = "11111111-2222-3333-4444-555555555555";
        return json;
    }
}
