using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets a CockroachDB Cloud cluster's client CA certificate and its status.</para>
/// <para type="description">Status is NOT_SET, PENDING (a change is in flight; the Cloud shows no
/// certificate then), IS_SET or FAILED. Certificate is the first CA as an X509Certificate2 (Subject,
/// NotAfter, Thumbprint repeat its main facts); Certificates holds every CA of a rollover bundle.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbClientCaCert")]
[OutputType(typeof(ClientCaCertStatus))]
public sealed class GetCrdbClientCaCertCommand : CloudCmdlet
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
            if (TryRun(ct => client.GetClientCaCertAsync(id, ct), out ClientCaCertInfo info, id))
                WriteObject(CloudViews.ClientCa(info));
        }
    }
}
