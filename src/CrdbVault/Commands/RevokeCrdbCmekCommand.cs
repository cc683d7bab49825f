using System.Management.Automation;
using System.Management.Automation.Host;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Revokes CockroachDB Cloud's use of a cluster's CMEK keys. The cluster becomes unreadable.</para>
/// <para type="description">Sends PATCH .../cmek {"action":"REVOKE"} and waits until every region is
/// REVOKED. This is the emergency stop for data encrypted with your keys: remove CockroachDB Cloud's
/// access to the keys in your KMS first, then revoke. The cluster then cannot read its data, its
/// nodes fail to restart, and it stays unreadable until the keys are restored and Cockroach Labs
/// support re-enables CMEK; this cmdlet cannot undo it. ConfirmImpact is High, so PowerShell asks
/// for confirmation by default. Where nobody can answer (Azure Automation runbooks, CI pipelines,
/// any host without a console) the request fails safe: nothing is sent. To revoke from automation,
/// pass -Confirm:$false deliberately. -WhatIf shows what would happen.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "CrdbCmek", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(CmekStatus))]
public sealed class RevokeCrdbCmekCommand : ClusterChangeCmdlet
{
    /// <summary>How long to wait for REVOKED (default 7200 s).</summary>
    [Parameter]
    [ValidateRange(1, 604800)]
    public int TimeoutSeconds { get; set; } = 7200;

    protected override void ProcessRecordWithSession(CloudConnection cloud)
    {
        CloudApiClient client = cloud.Client;
        CmekClusterInfo cmek = Run(ct => client.GetCmekAsync(ClusterId, ct), ClusterId);
        if (!Mapped(() => CmekPlanner.NeedsRevocation(ClusterId, cmek), ClusterId))
        {
            WriteVerbose($"CMEK on cluster {ClusterId} is already REVOKED; nothing sent.");
            WriteObject(CmekStatus.From(cmek));
            return;
        }

        string regions = string.Join(", ", cmek.RegionInfos.Select(r => r.Region));
        bool confirmed;
        try
        {
            confirmed = ShouldProcess(
                $"cluster {ClusterId} (regions {regions})",
                "Revoke CockroachDB Cloud's use of the CMEK keys: " +
                    "the cluster becomes unreadable until the keys are restored and Cockroach Labs support re-enables CMEK");
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            // No one can answer the prompt (runbook, pipeline, hosted engine; hosts throw HostException,
            // PSInvalidOperationException or their own "not implemented"): fail safe, whatever the host threw.
            ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException($"Revoke-CrdbCmek needs confirmation and this host cannot ask for it ({ex.Message.TrimEnd('.')}). Nothing was " +
                    $"sent to cluster {ClusterId}. To revoke deliberately from automation, run Revoke-CrdbCmek -ClusterId {ClusterId} -Confirm:$false.", ex),
                "CmekRevokeNotConfirmed", ErrorCategory.PermissionDenied, ClusterId));
            return;
        }
        if (!confirmed) return;

        CmekClusterInfo submitted = Run(ct => client.RevokeCmekAsync(ClusterId, ct), ClusterId);
        WriteWarning($"CMEK revocation submitted for cluster {ClusterId}: " +
            $"it will not be able to read its data until the keys are restored and Cockroach Labs support re-enables CMEK.");
        WriteOutcome(submitted, false, CmekStatus.From, () => WaitForCmek(client, ClusterId, "CMEK revocation", "REVOKED", TimeoutSeconds));
    }
}
