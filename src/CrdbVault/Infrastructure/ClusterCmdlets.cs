using System.Management.Automation;
using CrdbVault.Core.Cloud;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Base of the cmdlets that read one state of CockroachDB Cloud clusters (Get-CrdbClientCaCert,
/// Get-CrdbCmek): cluster ids from the command line or the pipeline, one object per cluster, and a
/// cluster that cannot be read is a non-terminating error that does not stop the others.
/// </summary>
public abstract class ClusterReadCmdlet : CloudCmdlet
{
    /// <summary>The cluster's ID (UUID); several may be given or piped.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ClusterId, PipelineProperty = nameof(ClusterId))]
    public string[] ClusterId { get; set; } = [];

    /// <summary>Reads one cluster's state and returns it as users see it.</summary>
    private protected abstract Task<object> ReadAsync(CloudApiClient client, string clusterId, CancellationToken ct);

    protected override void ProcessRecordWithSession(CloudConnection cloud)
    {
        CloudApiClient client = cloud.Client;
        foreach (string id in ClusterId)
        {
            if (TryRun(ct => ReadAsync(client, id, ct), out object state, id)) WriteObject(state);
        }
    }
}

/// <summary>
/// Base of the cmdlets that take something away from one CockroachDB Cloud cluster and wait until it
/// is gone (Remove-CrdbClientCaCert, Revoke-CrdbCmek): the cluster id, -NoWait, and the end they share.
/// </summary>
public abstract class ClusterChangeCmdlet : CloudCmdlet
{
    /// <summary>The cluster's ID (UUID).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ClusterId)]
    public string ClusterId { get; set; } = "";

    /// <summary>Return right after the Cloud accepted the change, without waiting for it to apply.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>Writes what the Cloud answered to the change, or, unless -NoWait or it is already done, what the wait ends with.</summary>
    private protected void WriteOutcome<T>(T submitted, bool done, Func<T, object> view, Func<T> wait) =>
        WriteObject(view(NoWait || done ? submitted : wait()));
}
