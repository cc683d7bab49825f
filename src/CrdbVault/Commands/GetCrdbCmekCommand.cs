using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets the CMEK status of a CockroachDB Cloud cluster, per region.</para>
/// <para type="description">Status is the cluster-level CMEK status (DISABLED, ENABLING, ENABLED,
/// ROTATING, REVOKING, REVOKED or a *_FAILED value); Regions has one row per region with the key in
/// force (type and URI), the Cloud's user_message and when it last changed. A cluster that never
/// had CMEK shows DISABLED with Configured = false.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbCmek")]
[OutputType(typeof(CmekStatus))]
public sealed class GetCrdbCmekCommand : CloudCmdlet
{
    /// <summary>The cluster's ID (UUID); several may be given or piped.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ClusterId, PipelineProperty = nameof(ClusterId))]
    public string[] ClusterId { get; set; } = [];

    protected override void ProcessCheckedRecord()
    {
        CloudApiClient client = Client;
        foreach (string id in ClusterId)
        {
            if (TryRun(ct => client.GetCmekAsync(id, ct), out CmekClusterInfo info, id))
                WriteObject(CloudViews.Cmek(info));
        }
    }
}
