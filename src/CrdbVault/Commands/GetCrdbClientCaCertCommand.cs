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
public sealed class GetCrdbClientCaCertCommand : ClusterReadCmdlet
{
    private protected override async Task<object> ReadAsync(CloudApiClient client, string clusterId, CancellationToken ct) =>
        ClientCaCertStatus.From(await client.GetClientCaCertAsync(clusterId, ct).ConfigureAwait(false));
}
