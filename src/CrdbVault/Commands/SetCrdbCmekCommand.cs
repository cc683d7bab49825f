using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Keys;
using CrdbVault.Infrastructure;
using CloudKeyType = CrdbVault.Core.Cloud.CmekKeyType;
using CloudCmekStatus = CrdbVault.Core.Cloud.CmekStatus;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Enables, rotates or extends customer-managed encryption keys (CMEK) on a CockroachDB Cloud cluster and waits per region.</para>
/// <para type="description">Takes one key spec per region from the pipeline (New-CrdbCmekKey /
/// New-CrdbCmekRegionSpec output, or any objects with Region, Type, Uri, AuthPrincipal) or from
/// -ManifestPath (the API's {"region_specs": [...]} as JSON or YAML). Without a switch it enables CMEK
/// (POST) and needs a key for every region of the cluster; -Rotate (PUT) switches to new keys or, with
/// the same URI, re-encrypts with the key's newest version after you rotated it in the KMS (never
/// disable the old key); -AddRegion adds regions to a CMEK cluster (PATCH of the cluster with every
/// region's node count and the keys of the new regions). Everything that can be checked is checked
/// before any change is sent: key type against the cluster's cloud, URI and principal shapes, region
/// names against the cluster, and the current CMEK state (enabling an enabled cluster tells you to use
/// -Rotate). Then it waits until every region is ENABLED, with a progress record per region, up to
/// -TimeoutSeconds (default 7200, Terraform's two hours), or returns after submitting with -NoWait.
/// A region that ends *_FAILED is an error carrying the Cloud's message. Ctrl+C stops the wait, not
/// the operation. Revocation is a separate cmdlet, Revoke-CrdbCmek, so this one never prompts.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbCmek", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = SpecSet)]
[OutputType(typeof(CmekStatus))]
public sealed class SetCrdbCmekCommand : CloudCmdlet
{
    private const string SpecSet = "KeySpec";
    private const string ManifestSet = "Manifest";
    private readonly List<CmekSpecInput> _specs = [];
    private readonly HashSet<string> _clusterIds = new(StringComparer.Ordinal);

    /// <summary>The cluster's ID (a UUID; not the routing ID of connection strings).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ClusterId)]
    public string ClusterId { get; set; } = "";

    /// <summary>Key specs, one per region: objects with Region, Type, Uri and AuthPrincipal (piped or as an array).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SpecSet)]
    public PSObject[] KeySpec { get; set; } = [];

    /// <summary>A JSON or YAML file with the API's {"region_specs":[{"region":…,"key_spec":{"type":…,"uri":…,"auth_principal":…}}]}.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ManifestSet)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ReadPath, ErrorId = "InvalidCmekManifest")]
    public string ManifestPath { get; set; } = "";

    /// <summary>Rotate (PUT): new keys, or the same URIs to pick up a key version rotated in the KMS.</summary>
    [Parameter]
    public SwitchParameter Rotate { get; set; }

    /// <summary>New regions with node counts, e.g. @{ 'eu-central-1' = 3 } or 'eu-central-1=3'; the key specs are then those of the new regions.</summary>
    [Parameter]
    public object? AddRegion { get; set; }

    /// <summary>Return right after the Cloud accepted the request instead of waiting for every region.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait (default 7200 s). The operation goes on at the Cloud after a timeout.</summary>
    [Parameter]
    [ValidateRange(1, 604800)]
    public int TimeoutSeconds { get; set; } = 7200;

    protected override void ProcessCheckedRecord()
    {
        _clusterIds.Add(ClusterId);
        if (ParameterSetName != SpecSet) return;
        foreach (PSObject item in KeySpec)
            _specs.Add(CmekSpecInput.FromObject(item, $"key spec {_specs.Count + 1}"));
    }

    protected override void EndProcessing()
    {
        // ---- everything that needs no request ----
        if (RefusedBeforePipeline) return; // already reported
        if (AnyRecordRefused)
            ThrowInvalidArgument("Nothing was sent: a piped key spec or cluster ID was refused (see the error above). CMEK changes apply to all regions at once; fix the input and run again.", "InvalidCmekSpec");
        if (_clusterIds.Count != 1)
            ThrowInvalidArgument($"The piped key specs name {_clusterIds.Count} different clusters ({string.Join(", ", _clusterIds)}). Run Set-CrdbCmek once per cluster.", "AmbiguousClusterId");
        string clusterId = _clusterIds.Single();
        if (Rotate && AddRegion is not null)
            ThrowInvalidArgument("-Rotate and -AddRegion cannot be combined: add the regions first, then rotate (the Cloud rejects a spec for an existing region in a cluster update).", "CmekConflictingSwitches");
        Dictionary<string, int>? newRegions = null;
        if (AddRegion is not null)
            newRegions = Checked(() => CmekSpecInput.ParseRegionNodes(AddRegion), "InvalidAddRegion", AddRegion);
        List<CmekSpecInput> specs = ParameterSetName == ManifestSet ? LoadManifest() : _specs;
        List<string> problems = CmekSpecInput.OfflineProblems(specs);
        if (problems.Count > 0)
            ThrowInvalidArgument("Nothing was sent; fix the CMEK key specs: " + string.Join(" ", problems), "InvalidCmekSpec", clusterId);

        // ---- checks against the cluster and its CMEK state (reads only) ----
        CloudApiClient client = Client;
        CloudCluster cluster = Run(ct => client.GetClusterAsync(clusterId, ct), clusterId);
        CheckAgainstCluster(cluster, specs, newRegions);
        CmekClusterInfo cmek = Run(ct => client.GetCmekAsync(clusterId, ct), clusterId);
        CheckState(clusterId, cmek, newRegions is not null);

        // ---- the change ----
        List<CmekRegionSpec> api = specs.Select(s => s.ToApi()).ToList();
        string regions = string.Join(", ", specs.Select(s => s.Region));
        (string action, string operation) = newRegions is not null
            ? ($"Add regions {string.Join(", ", newRegions.Select(r => $"{r.Key} ({r.Value} nodes)"))} with CMEK keys", "CMEK for new regions")
            : Rotate ? ($"Rotate CMEK keys in {regions}", "CMEK rotation")
            : ($"Enable CMEK with keys in {regions}", "CMEK enablement");
        if (!ShouldProcess($"cluster {clusterId} ({cluster.Name})", action)) return;

        CmekClusterInfo submitted;
        if (newRegions is not null)
        {
            Run(ct => client.AddClusterRegionsAsync(clusterId, newRegions, api, ct), clusterId);
            WriteVerbose($"Cluster update accepted for {clusterId}; new regions {string.Join(", ", newRegions.Keys)}.");
            if (NoWait)
            {
                WriteObject(CloudViews.Cmek(Run(ct => client.GetCmekAsync(clusterId, ct), clusterId)));
                return;
            }
            const int clusterActivity = 9;
            string activity = $"Adding regions to cluster {clusterId}";
            RunWithProgress<CloudCluster, CloudWaitProgress<CloudCluster>>(
                (progress, ct) => client.WaitForClusterReadyAsync(clusterId, TimeSpan.FromSeconds(TimeoutSeconds), progress, ct),
                p => WriteProgress(WaitRecord(clusterActivity, activity, p)),
                clusterId);
            WriteProgress(Completed(clusterActivity, activity));
        }
        else
        {
            submitted = Run(ct => Rotate ? client.RotateCmekAsync(clusterId, api, ct) : client.EnableCmekAsync(clusterId, api, ct), clusterId);
            WriteVerbose($"{(Rotate ? "PUT" : "POST")} accepted for {clusterId}; status {submitted.Status}.");
            if (NoWait)
            {
                WriteObject(CloudViews.Cmek(submitted));
                return;
            }
        }
        WriteObject(CloudViews.Cmek(WaitForCmek(client, clusterId, operation, "ENABLED", TimeoutSeconds)));
    }

    private List<CmekSpecInput> LoadManifest()
    {
        string path = FileSystemPath(ManifestPath, nameof(ManifestPath), "InvalidCmekManifest");
        try
        {
            return CmekManifest.Load(path).Select((s, i) => CmekSpecInput.FromValidated(s, $"{Path.GetFileName(path)} region_specs[{i}]")).ToList();
        }
        catch (Exception ex) when (ex is CmekManifestException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            ThrowInvalidArgument($"Nothing was sent: {ex.Message}", "InvalidCmekManifest", path);
            throw; // not reached
        }
    }

    private void CheckAgainstCluster(CloudCluster cluster, List<CmekSpecInput> specs, Dictionary<string, int>? newRegions)
    {
        string id = cluster.Id.Length > 0 ? cluster.Id : ClusterId;
        if (cluster.Plan.Value is { Length: > 0 } plan && !plan.Equals("ADVANCED", StringComparison.OrdinalIgnoreCase) && !plan.Equals("DEDICATED", StringComparison.OrdinalIgnoreCase))
            ThrowInvalidArgument($"Cluster {id} is on the {plan} plan; CMEK needs an Advanced cluster created with advanced security features. Nothing was sent.", "CmekNotAvailable", id);
        var problems = new List<string>();
        if (CloudKeyType.ForProvider(cluster.CloudProvider) is CloudKeyType expected)
        {
            foreach (CmekSpecInput s in specs.Where(s => !expected.Equals(s.Type)))
                problems.Add($"{s.Describe}: key type {s.Type.ToUpperInvariant()} does not match the cluster's cloud {cluster.CloudProvider}; CMEK keys must live in the cluster's own cloud, so use {expected} keys.");
        }
        var inCluster = cluster.Regions.Select(r => r.Name).ToList();
        string listed = string.Join(", ", inCluster);
        if (newRegions is not null)
        {
            foreach (string r in newRegions.Keys.Where(inCluster.Contains))
                problems.Add($"-AddRegion '{r}' is already a region of cluster {id} ({listed}). To change its key, use -Rotate.");
            foreach (CmekSpecInput s in specs.Where(s => !newRegions.ContainsKey(s.Region)))
                problems.Add($"{s.Describe}: '{s.Region}' is not one of the regions being added ({string.Join(", ", newRegions.Keys)}); with -AddRegion give keys for the new regions only.");
            foreach (string r in newRegions.Keys.Where(r => specs.All(s => s.Region != r)))
                problems.Add($"New region '{r}' has no CMEK key spec: a CMEK cluster needs a key for every new region (New-CrdbCmekKey -Region {r} …).");
        }
        else
        {
            foreach (CmekSpecInput s in specs.Where(s => !inCluster.Contains(s.Region)))
                problems.Add($"{s.Describe}: '{s.Region}' is not a region of cluster {id} ({listed}).{(Rotate ? "" : " To add a region, use -AddRegion.")}");
            if (!Rotate)
                foreach (string r in inCluster.Where(r => specs.All(s => s.Region != r)))
                    problems.Add($"Region '{r}' of cluster {id} has no key spec: enabling CMEK needs a key for every region ({listed}).");
        }
        if (problems.Count > 0)
            ThrowInvalidArgument("Nothing was sent; fix the CMEK key specs: " + string.Join(" ", problems), "InvalidCmekSpec", id);
    }

    private void CheckState(string clusterId, CmekClusterInfo cmek, bool addingRegions)
    {
        bool enabledSomewhere = cmek.IsConfigured && cmek.RegionInfos.Any(r => r.Status != CloudCmekStatus.Disabled && r.Status != CloudCmekStatus.EnableFailed);
        string now = cmek.RegionInfos.Count == 0 ? cmek.Status.Value : string.Join(", ", cmek.RegionInfos.Select(r => $"{r.Region} {r.Status}"));
        if (cmek.RegionInfos.Any(r => r.Status == CloudCmekStatus.Revoked || r.Status == CloudCmekStatus.Revoking))
            ThrowState($"CMEK access on cluster {clusterId} has been revoked ({now}). Re-enabling needs Cockroach Labs support; nothing was sent.", "CmekRevoked", clusterId);
        if (cmek.RegionInfos.Any(r => !r.Status.IsSettled && !r.Status.IsFailed))
            ThrowState($"A CMEK operation is still running on cluster {clusterId} ({now}). Wait for it (Get-CrdbCmek -ClusterId {clusterId}), then run this again; nothing was sent.", "CmekOperationInProgress", clusterId);
        if (!Rotate && !addingRegions && enabledSomewhere)
            ThrowState($"CMEK is already enabled on cluster {clusterId} ({now}). To change keys, use Set-CrdbCmek -Rotate; to add regions, use -AddRegion. Nothing was sent.", "CmekAlreadyEnabled", clusterId);
        if ((Rotate || addingRegions) && !enabledSomewhere)
            ThrowState($"CMEK is not enabled on cluster {clusterId} ({now}). Enable it first: Set-CrdbCmek without -Rotate/-AddRegion, with a key for every region. Nothing was sent.", "CmekNotEnabled", clusterId);
    }

    private void ThrowState(string message, string id, string target) =>
        ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(message), id, ErrorCategory.InvalidOperation, target));
}
