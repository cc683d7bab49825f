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
public sealed class GetCrdbCmekCommand : ClusterReadCmdlet
{
    private protected override async Task<object> ReadAsync(CloudApiClient client, string clusterId, CancellationToken ct) =>
        CmekStatus.From(await client.GetCmekAsync(clusterId, ct).ConfigureAwait(false));
}
