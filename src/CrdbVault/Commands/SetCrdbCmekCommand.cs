using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Keys;
using CrdbVault.Infrastructure;

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
    private readonly List<CmekSpecDraft> _specs = [];
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
        // ---- what the parameters and the pipeline say, before any request ----
        if (RefusedBeforePipeline) return; // already reported
        if (AnyRecordRefused)
        {
            ThrowInvalidArgument("Nothing was sent: a piped key spec or cluster ID was refused (see the error above). "
                + "CMEK changes apply to all regions at once; fix the input and run again.", "InvalidCmekSpec");
        }
        if (_clusterIds.Count != 1)
            ThrowInvalidArgument($"The piped key specs name {_clusterIds.Count} different clusters ({string.Join(", ", _clusterIds)}). " +
                $"Run Set-CrdbCmek once per cluster.", "AmbiguousClusterId");
        string clusterId = _clusterIds.Single();
        if (Rotate && AddRegion is not null)
        {
            ThrowInvalidArgument("-Rotate and -AddRegion cannot be combined: add the regions first, then rotate "
                + "(the Cloud rejects a spec for an existing region in a cluster update).", "CmekConflictingSwitches");
        }
        Dictionary<string, int>? newRegions = AddRegion is null ? null : Checked(() => CmekSpecInput.ParseRegionNodes(AddRegion), "InvalidAddRegion",
            AddRegion);
        List<CmekSpecDraft> specs = ParameterSetName == ManifestSet ? LoadManifest() : _specs;
        CmekChange change = newRegions is not null ? CmekChange.AddRegions : Rotate ? CmekChange.Rotate : CmekChange.Enable;

        // ---- checks against the cluster and its CMEK state (reads only, in Core), then the change ----
        CloudApiClient client = ResolveSession().Client;
        CmekPlan plan = Run(ct => CmekPlanner.PlanAsync(client, clusterId, change, specs, newRegions, ct), clusterId);
        if (!ShouldProcess(plan.Target, plan.Action)) return;
        CmekClusterInfo? submitted = Run(ct => plan.SubmitAsync(client, ct), clusterId);
        if (submitted is null)
        {
            WriteVerbose($"Cluster update accepted for {clusterId}; new regions {string.Join(", ", plan.NewRegions!.Keys)}.");
            if (NoWait)
            {
                WriteObject(CmekStatus.From(Run(ct => client.GetCmekAsync(clusterId, ct), clusterId)));
                return;
            }
            const int ClusterActivity = 9;
            string activity = $"Adding regions to cluster {clusterId}";
            RunWithProgress<CloudCluster, CloudWaitProgress<CloudCluster>>(
                (progress, ct) => client.WaitForClusterReadyAsync(clusterId, TimeSpan.FromSeconds(TimeoutSeconds), progress, ct),
                p => WriteProgress(WaitRecord(ClusterActivity, activity, p)),
                clusterId);
            WriteProgress(Completed(ClusterActivity, activity));
        }
        else
        {
            WriteVerbose($"{(Rotate ? "PUT" : "POST")} accepted for {clusterId}; status {submitted.Status}.");
            if (NoWait)
            {
                WriteObject(CmekStatus.From(submitted));
                return;
            }
        }
        WriteObject(CmekStatus.From(WaitForCmek(client, clusterId, plan.Operation, "ENABLED", TimeoutSeconds)));
    }

    private List<CmekSpecDraft> LoadManifest()
    {
        string path = FileSystemPath(ManifestPath, nameof(ManifestPath), "InvalidCmekManifest");
        try
        {
            return [.. CmekManifest.Load(path).Select((s, i) => CmekSpecDraft.From(s, $"{Path.GetFileName(path)} region_specs[{i}]"))];
        }
        catch (Exception ex) when (ex is CmekManifestException or FileNotFoundException or IOException or UnauthorizedAccessException)
        {
            ThrowInvalidArgument($"Nothing was sent: {ex.Message}", "InvalidCmekManifest", path);
            throw; // not reached
        }
    }
}
