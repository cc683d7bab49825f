using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Removes the client CA certificate of a CockroachDB Cloud cluster and waits until it is gone.</para>
/// <para type="description">Sends DELETE and waits (PENDING → NOT_SET) with a progress bar, up to
/// -TimeoutSeconds (default 600), or returns at once with -NoWait. Afterwards SQL clients can no longer
/// log in with certificates signed by that CA. A cluster without a client CA is left as it is.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CrdbClientCaCert", SupportsShouldProcess = true)]
[OutputType(typeof(ClientCaCertStatus))]
public sealed class RemoveCrdbClientCaCertCommand : ClusterChangeCmdlet
{
    /// <summary>How long to wait for NOT_SET (default 600 s).</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 600;

    protected override void ProcessRecordWithSession(CloudConnection cloud)
    {
        CloudApiClient client = cloud.Client;
        ClientCaCertInfo current = Run(ct => client.GetClientCaCertAsync(ClusterId, ct), ClusterId);
        if (current.Status == ClientCaState.NotSet)
        {
            WriteVerbose($"Cluster {ClusterId} has no client CA certificate; nothing to remove.");
            WriteObject(ClientCaCertStatus.From(current));
            return;
        }
        string subject = ClientCaCertStatus.From(current).Subject is string s ? $" ('{s}')" : "";
        if (!ShouldProcess($"cluster {ClusterId}", $"Remove the client CA certificate{subject}: certificate logins signed by it stop working"))
            return;
        ClientCaCertInfo submitted = Run(ct => client.DeleteClientCaCertAsync(ClusterId, ct), ClusterId);
        WriteOutcome(submitted, submitted.Status == ClientCaState.NotSet, ClientCaCertStatus.From, () =>
        {
            string activity = $"Removing the client CA certificate of cluster {ClusterId}";
            ClientCaCertInfo done = RunWithProgress<ClientCaCertInfo, CloudWaitProgress<ClientCaCertInfo>>(
                (progress, ct) => client.WaitForClientCaCertAsync(ClusterId, i => i.Status == ClientCaState.NotSet, TimeSpan.FromSeconds(TimeoutSeconds),
                    progress, ct),
                p => WriteProgress(WaitRecord(2, activity, p)),
                ClusterId);
            WriteProgress(Completed(2, activity));
            return done;
        });
    }
}
