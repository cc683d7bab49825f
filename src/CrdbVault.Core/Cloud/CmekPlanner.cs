namespace CrdbVault.Core.Cloud;

/// <summary>What a CMEK change does to a cluster.</summary>
public enum CmekChange
{
    /// <summary>POST: enable CMEK, with a key for every region of the cluster.</summary>
    Enable,

    /// <summary>PUT: new keys, or the same URIs to pick up a key version rotated in the KMS.</summary>
    Rotate,

    /// <summary>PATCH of the cluster: new regions with their node counts and keys.</summary>
    AddRegions,
}

/// <summary>One region's key as a user gave it, not yet checked; <see cref="Source"/> says where it came from.</summary>
public sealed record CmekSpecDraft(string Region, string Type, string Uri, string AuthPrincipal, string Source)
{
    /// <summary>"key spec 2 (region 'us-east-1')": how problems name the spec.</summary>
    public string Describe => Region.Length > 0 ? $"{Source} (region '{Region}')" : Source;

    /// <summary>A spec that passed <see cref="CmekSpecRules"/> (a manifest's, New-CrdbCmekKey's), as a draft.</summary>
    public static CmekSpecDraft From(CmekRegionSpec spec, string source) =>
        new(spec.Region, spec.KeySpec.Type.Value, spec.KeySpec.Uri, spec.KeySpec.AuthPrincipal, source);

    internal CmekRegionSpec ToApi() => new(Region, Type.ToUpperInvariant(), Uri, AuthPrincipal);
}

/// <summary>A CMEK spec that cannot work, found before anything was sent (InvalidArgument).</summary>
public sealed class CmekSpecRefusedException(string message, string errorId) : ArgumentException(message)
{
    /// <summary>The stable id scripts catch: InvalidCmekSpec, CmekNotAvailable.</summary>
    public string ErrorId { get; } = errorId;
}

/// <summary>The cluster's CMEK state does not allow the change; nothing was sent (InvalidOperation).</summary>
public sealed class CmekStateException(string message, string errorId) : InvalidOperationException(message)
{
    /// <summary>The stable id scripts catch: CmekRevoked, CmekOperationInProgress, CmekAlreadyEnabled, CmekNotEnabled.</summary>
    public string ErrorId { get; } = errorId;
}

/// <summary>
/// A checked CMEK change, ready to submit: everything that can be checked has been, against the
/// specs alone, the cluster (plan, cloud, regions) and its current CMEK state (reads only).
/// </summary>
public sealed class CmekPlan
{
    internal CmekPlan(string clusterId, CloudCluster cluster, CmekChange change, IReadOnlyList<CmekRegionSpec> specs,
        IReadOnlyDictionary<string, int>? newRegions)
    {
        ClusterId = clusterId;
        Cluster = cluster;
        Change = change;
        Specs = specs;
        NewRegions = newRegions;
    }

    public string ClusterId { get; }
    public CloudCluster Cluster { get; }
    public CmekChange Change { get; }

    /// <summary>The keys to send: one per region (for <see cref="CmekChange.AddRegions"/>, of the new regions).</summary>
    public IReadOnlyList<CmekRegionSpec> Specs { get; }

    /// <summary>The regions to add with their node counts; null unless <see cref="CmekChange.AddRegions"/>.</summary>
    public IReadOnlyDictionary<string, int>? NewRegions { get; }

    /// <summary>What the change is about, as ShouldProcess shows it.</summary>
    public string Target => $"cluster {ClusterId} ({Cluster.Name})";

    /// <summary>What the change does, as ShouldProcess shows it.</summary>
    public string Action => Change switch
    {
        CmekChange.AddRegions => $"Add regions {string.Join(", ", NewRegions!.Select(r => $"{r.Key} ({r.Value} nodes)"))} with CMEK keys",
        CmekChange.Rotate => $"Rotate CMEK keys in {Regions}",
        _ => $"Enable CMEK with keys in {Regions}",
    };

    /// <summary>The name of the operation to wait for ("CMEK rotation").</summary>
    public string Operation => Change switch
    {
        CmekChange.AddRegions => "CMEK for new regions",
        CmekChange.Rotate => "CMEK rotation",
        _ => "CMEK enablement",
    };

    private string Regions => string.Join(", ", Specs.Select(s => s.Region));

    /// <summary>
    /// Sends the change. Enable and rotate answer the CMEK state at once; adding regions answers the
    /// cluster (null here): wait for the cluster, then for CMEK.
    /// </summary>
    public async Task<CmekClusterInfo?> SubmitAsync(CloudApiClient client, CancellationToken ct)
    {
        switch (Change)
        {
            case CmekChange.AddRegions:
                await client.AddClusterRegionsAsync(ClusterId, NewRegions!, Specs, ct).ConfigureAwait(false);
                return null;
            case CmekChange.Rotate:
                return await client.RotateCmekAsync(ClusterId, Specs, ct).ConfigureAwait(false);
            default:
                return await client.EnableCmekAsync(ClusterId, Specs, ct).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Plans a CMEK change the way Set-CrdbCmek does, so a runbook calling Core gets the same safety:
/// first the checks that need no request (type names, URI and principal shapes, one key per
/// region), then the cluster (an Advanced plan, keys of its own cloud, the right regions), then its
/// CMEK state (not revoked, nothing running, enabled or not as the change needs). Any problem
/// throws before a change is sent.
/// </summary>
public static class CmekPlanner
{
    /// <summary>The checks that need no request; the specs to send, or <see cref="CmekSpecRefusedException"/> listing every problem.</summary>
    public static IReadOnlyList<CmekRegionSpec> CheckOffline(IReadOnlyList<CmekSpecDraft> drafts)
    {
        var problems = new List<string>();
        if (drafts.Count == 0)
        {
            problems.Add("No CMEK key specs were given. Pipe one spec per region (New-CrdbCmekKey or New-CrdbCmekRegionSpec output, "
                + "or objects with Region, Type, Uri, AuthPrincipal) or pass -ManifestPath.");
        }
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (CmekSpecDraft d in drafts)
        {
            CmekSpecRules.TryCreate(d.Region, d.Type, d.Uri, d.AuthPrincipal, out _, out IReadOnlyList<CmekSpecProblem> found);
            // Whether a well-formed region name fits the cluster is left to the cluster check, which
            // also explains a key of the wrong cloud better than a region-pattern message.
            problems.AddRange(found.Where(p => p.Field != "Region" || !CmekSpecRules.IsRegionName(d.Region)).Select(p => $"{d.Describe}: {p.Message}"));
            if (d.Region.Length > 0 && !seen.TryAdd(d.Region, d.Source))
                problems.Add($"{d.Describe}: region '{d.Region}' already has a key from {seen[d.Region]}; give exactly one key per region.");
        }
        if (problems.Count > 0) throw SpecsRefused(problems);
        return [.. drafts.Select(d => d.ToApi())];
    }

    /// <summary>
    /// Checks the specs, the cluster and its CMEK state (reads only) and returns the change to submit.
    /// <paramref name="newRegions"/> is required with <see cref="CmekChange.AddRegions"/> and ignored otherwise.
    /// </summary>
    public static async Task<CmekPlan> PlanAsync(CloudApiClient client, string clusterId, CmekChange change, IReadOnlyList<CmekSpecDraft> drafts,
        IReadOnlyDictionary<string, int>? newRegions, CancellationToken ct)
    {
        if (change == CmekChange.AddRegions && newRegions is null) throw new ArgumentNullException(nameof(newRegions));
        IReadOnlyList<CmekRegionSpec> specs = CheckOffline(drafts);
        CloudCluster cluster = await client.GetClusterAsync(clusterId, ct).ConfigureAwait(false);
        CheckAgainstCluster(cluster, clusterId, change, drafts, change == CmekChange.AddRegions ? newRegions : null);
        CmekClusterInfo cmek = await client.GetCmekAsync(clusterId, ct).ConfigureAwait(false);
        CheckState(clusterId, cmek, change);
        return new CmekPlan(clusterId, cluster, change, specs, change == CmekChange.AddRegions ? newRegions : null);
    }

    private static void CheckAgainstCluster(CloudCluster cluster, string clusterId, CmekChange change, IReadOnlyList<CmekSpecDraft> specs,
        IReadOnlyDictionary<string, int>? newRegions)
    {
        string id = cluster.Id.Length > 0 ? cluster.Id : clusterId;
        if (cluster.Plan.Value is { Length: > 0 } plan
            && !plan.Equals("ADVANCED", StringComparison.OrdinalIgnoreCase) && !plan.Equals("DEDICATED", StringComparison.OrdinalIgnoreCase))
        {
            throw new CmekSpecRefusedException(
                $"Cluster {id} is on the {plan} plan; CMEK needs an Advanced cluster created with advanced security features. " +
                    $"Nothing was sent.", "CmekNotAvailable");
        }
        var problems = new List<string>();
        if (CmekKeyType.ForProvider(cluster.CloudProvider) is CmekKeyType expected)
        {
            foreach (CmekSpecDraft s in specs.Where(s => !expected.Equals(s.Type)))
            {
                problems.Add($"{s.Describe}: key type {s.Type.ToUpperInvariant()} does not match the cluster's cloud {cluster.CloudProvider}; "
                    + $"CMEK keys must live in the cluster's own cloud, so use {expected} keys.");
            }
        }
        var inCluster = cluster.Regions.Select(r => r.Name).ToList();
        string listed = string.Join(", ", inCluster);
        if (newRegions is not null)
        {
            foreach (string r in newRegions.Keys.Where(inCluster.Contains))
                problems.Add($"-AddRegion '{r}' is already a region of cluster {id} ({listed}). To change its key, use -Rotate.");
            foreach (CmekSpecDraft s in specs.Where(s => !newRegions.ContainsKey(s.Region)))
            {
                problems.Add($"{s.Describe}: '{s.Region}' is not one of the regions being added ({string.Join(", ", newRegions.Keys)}); "
                    + "with -AddRegion give keys for the new regions only.");
            }
            foreach (string r in newRegions.Keys.Where(r => specs.All(s => s.Region != r)))
                problems.Add($"New region '{r}' has no CMEK key spec: a CMEK cluster needs a key for every new region (New-CrdbCmekKey -Region {r} …).");
        }
        else
        {
            bool rotate = change == CmekChange.Rotate;
            foreach (CmekSpecDraft s in specs.Where(s => !inCluster.Contains(s.Region)))
                problems.Add($"{s.Describe}: '{s.Region}' is not a region of cluster {id} ({listed}).{(rotate ? "" : " To add a region, use -AddRegion.")}");
            if (!rotate)
            {
                foreach (string r in inCluster.Where(r => specs.All(s => s.Region != r)))
                    problems.Add($"Region '{r}' of cluster {id} has no key spec: enabling CMEK needs a key for every region ({listed}).");
            }
        }
        if (problems.Count > 0) throw SpecsRefused(problems);
    }

    private static void CheckState(string clusterId, CmekClusterInfo cmek, CmekChange change)
    {
        bool enabledSomewhere = cmek.IsConfigured && cmek.RegionInfos.Any(r => r.Status != CmekState.Disabled && r.Status != CmekState.EnableFailed);
        string now = cmek.RegionInfos.Count == 0 ? cmek.Status.Value : string.Join(", ", cmek.RegionInfos.Select(r => $"{r.Region} {r.Status}"));
        if (cmek.RegionInfos.Any(r => r.Status == CmekState.Revoked || r.Status == CmekState.Revoking))
        {
            throw new CmekStateException(
                $"CMEK access on cluster {clusterId} has been revoked ({now}). Re-enabling needs Cockroach Labs support; nothing was sent.", "CmekRevoked");
        }
        if (cmek.RegionInfos.Any(r => !r.Status.IsSettled && !r.Status.IsFailed))
        {
            throw new CmekStateException(
                $"A CMEK operation is still running on cluster {clusterId} ({now}). Wait for it (Get-CrdbCmek -ClusterId {clusterId}), then run this again; " +
                    $"nothing was sent.",
                "CmekOperationInProgress");
        }
        if (change == CmekChange.Enable && enabledSomewhere)
        {
            throw new CmekStateException(
                $"CMEK is already enabled on cluster {clusterId} ({now}). To change keys, use Set-CrdbCmek -Rotate; to add regions, use -AddRegion. " +
                    $"Nothing was sent.",
                "CmekAlreadyEnabled");
        }
        if (change != CmekChange.Enable && !enabledSomewhere)
        {
            throw new CmekStateException(
                $"CMEK is not enabled on cluster {clusterId} ({now}). Enable it first: Set-CrdbCmek without -Rotate/-AddRegion, with a key for every region. "
                + "Nothing was sent.", "CmekNotEnabled");
        }
    }

    /// <summary>
    /// Whether a revocation has anything to do: false when every region is already REVOKED (nothing
    /// to send); <see cref="CmekStateException"/> CmekNotEnabled when CMEK is not on.
    /// </summary>
    public static bool NeedsRevocation(string clusterId, CmekClusterInfo cmek)
    {
        if (cmek.RegionInfos.Count > 0 && cmek.RegionInfos.All(r => r.Status == CmekState.Revoked)) return false;
        if (!cmek.IsConfigured || cmek.RegionInfos.All(r => r.Status == CmekState.Disabled || r.Status == CmekState.EnableFailed))
            throw new CmekStateException($"CMEK is not enabled on cluster {clusterId}; there is nothing to revoke. Nothing was sent.", "CmekNotEnabled");
        return true;
    }

    private static CmekSpecRefusedException SpecsRefused(IEnumerable<string> problems) =>
        new("Nothing was sent; fix the CMEK key specs: " + string.Join(" ", problems), "InvalidCmekSpec");
}
