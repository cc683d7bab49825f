namespace CrdbVault.Core.Cloud;

// The cluster's client CA certificate (docs/cockroachdb-notes.md#client-ca-certificate). Every change answers PENDING at once;
// WaitForClientCaCertAsync follows it to IS_SET / NOT_SET.
public sealed partial class CloudApiClient
{
    public async Task<ClientCaCertInfo> GetClientCaCertAsync(string clusterId, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        ClientCaCertInfo info = await SendAsync<ClientCaCertInfo>(HttpMethod.Get, ClientCaPath(id), null, CloudCall.Read(clusterId), ct).ConfigureAwait(false);
        info.ClusterId = clusterId;
        return info;
    }

    /// <summary>POST: sets the first client CA. Fails with a conflict when one is already set (then use <see cref="UpdateClientCaCertAsync"/>).</summary>
    public Task<ClientCaCertInfo> SetClientCaCertAsync(string clusterId, string pem, CancellationToken ct = default) =>
        ChangeClientCaAsync(HttpMethod.Post, clusterId, pem,
            $"A client CA certificate is already set (or being set) on cluster {clusterId}: replace it with an update (PATCH), " +
                $"or wait until it is no longer PENDING.", ct);

    /// <summary>PATCH: replaces the client CA (a PEM bundle of old + new CA allows a gradual rollover).</summary>
    public Task<ClientCaCertInfo> UpdateClientCaCertAsync(string clusterId, string pem, CancellationToken ct = default) =>
        ChangeClientCaAsync(HttpMethod.Patch, clusterId, pem,
            $"Cluster {clusterId} has no client CA certificate to replace (set one first with POST), or a change is still PENDING: wait for it.", ct);

    /// <summary>DELETE: removes the client CA. Already gone (404 while the cluster exists) answers NOT_SET, as Terraform treats it.</summary>
    public async Task<ClientCaCertInfo> DeleteClientCaCertAsync(string clusterId, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        CloudCall call = CloudCall.Change(clusterId, CheckClientCa(clusterId),
            $"A client CA change on cluster {clusterId} is still PENDING: wait for it, then delete.");
        try
        {
            ClientCaCertInfo info = await SendAsync<ClientCaCertInfo>(HttpMethod.Delete, ClientCaPath(id), null, call, ct).ConfigureAwait(false);
            info.ClusterId = clusterId;
            return info;
        }
        catch (CloudApiException e) when (e.Kind == CloudErrorKind.NotFound)
        {
            // 404 means "no CA" or "no cluster"; the GET tells which (and throws the cluster message if the latter).
            ClientCaCertInfo now = await GetClientCaCertAsync(clusterId, ct).ConfigureAwait(false);
            if (now.Status == ClientCaState.NotSet) return now;
            throw;
        }
    }

    /// <summary>
    /// Polls until the client CA is no longer PENDING and <paramref name="done"/> agrees (default:
    /// any settled status). FAILED throws <see cref="CloudOperationFailedException"/>; running out
    /// of time throws <see cref="CloudOperationTimeoutException"/> (the change goes on server-side).
    /// A settled status that <paramref name="done"/> rejects is polled on, in case the read was stale.
    /// </summary>
    public Task<ClientCaCertInfo> WaitForClientCaCertAsync(string clusterId, Func<ClientCaCertInfo, bool>? done, TimeSpan timeout,
        IProgress<CloudWaitProgress<ClientCaCertInfo>>? progress = null, CancellationToken ct = default)
    {
        ClusterSegment(clusterId);
        const string operation = "Client CA certificate change";
        return CloudPoller.PollAsync(_options, clusterId, operation,
            token => GetClientCaCertAsync(clusterId, token),
            info =>
            {
                if (info.Status == ClientCaState.Failed)
                    throw new CloudOperationFailedException(clusterId, operation, [new CloudOperationFailure(null, info.Status.Value, null)],
                        "The Cloud accepted the request but could not apply it: check that the PEM holds valid, unexpired CA certificates (CA:TRUE), " +
                            "then set it again.");
                return info.Status != ClientCaState.Pending && (done?.Invoke(info) ?? true);
            },
            info => info.Status.Value,
            timeout, CheckClientCa(clusterId), progress, ct);
    }

    private async Task<ClientCaCertInfo> ChangeClientCaAsync(HttpMethod method, string clusterId, string pem, string conflictHint, CancellationToken ct)
    {
        string id = ClusterSegment(clusterId);
        ClientCaPem.Check(pem);
        CloudCall call = CloudCall.Change(clusterId, CheckClientCa(clusterId), conflictHint);
        ClientCaCertInfo info = await SendAsync<ClientCaCertInfo>(method, ClientCaPath(id), new ClientCaCertRequest(pem), call, ct).ConfigureAwait(false);
        info.ClusterId = clusterId;
        return info;
    }

    private static string ClientCaPath(string escapedId) => $"/api/v1/clusters/{escapedId}/client-ca-cert";

    private static string CheckClientCa(string clusterId) => $"Get-CrdbClientCaCert -ClusterId {clusterId} (GET /api/v1/clusters/{clusterId}/client-ca-cert)";
}
