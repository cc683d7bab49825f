namespace CrdbVault.Core.Cloud;

// Customer-managed encryption keys (docs/cockroachdb-notes.md#cmek). POST enables, PUT rotates (or enables),
// PATCH {action: REVOKE} revokes; all answer at once and WaitForCmekAsync follows every region.
public sealed partial class CloudApiClient
{
    /// <summary>
    /// <c>GET .../cmek</c>. A cluster that never had CMEK answers DISABLED with no regions and
    /// <see cref="CmekClusterInfo.IsConfigured"/> false, whether the Cloud says so with a 404 (what
    /// Terraform expects) or with a DISABLED body (the documented default status).
    /// </summary>
    public async Task<CmekClusterInfo> GetCmekAsync(string clusterId, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        try
        {
            CmekClusterInfo info = await SendAsync<CmekClusterInfo>(HttpMethod.Get, CmekPath(id), null, CloudCall.Read(clusterId), ct).ConfigureAwait(false);
            info.ClusterId = clusterId;
            info.IsConfigured = info.RegionInfos.Count > 0 || info.Status != CmekState.Disabled;
            return info;
        }
        catch (CloudApiException e) when (e.Kind == CloudErrorKind.NotFound)
        {
            // 404 means "no CMEK" or "no cluster"; reading the cluster throws the cluster message if the latter.
            await GetClusterAsync(clusterId, ct).ConfigureAwait(false);
            return new CmekClusterInfo { ClusterId = clusterId, Status = CmekState.Disabled, IsConfigured = false };
        }
    }

    /// <summary>POST: enables CMEK. The Cloud wants a spec for every region of the cluster.</summary>
    public Task<CmekClusterInfo> EnableCmekAsync(string clusterId, IEnumerable<CmekRegionSpec> regionSpecs, CancellationToken ct = default) =>
        SendCmekSpecAsync(HttpMethod.Post, clusterId, regionSpecs,
            $"CMEK is already enabled (or being changed) on cluster {clusterId}: rotate keys with a PUT (RotateCmekAsync / Set-CrdbCmek), " +
                $"add regions through the cluster update, or wait until the current operation settles.", ct);

    /// <summary>
    /// PUT: rotates. The same URI re-encrypts with the key's newest version (needed after rotating
    /// it in the KMS); a new URI switches keys. Never disable the old key in the KMS.
    /// </summary>
    public Task<CmekClusterInfo> RotateCmekAsync(string clusterId, IEnumerable<CmekRegionSpec> regionSpecs, CancellationToken ct = default) =>
        SendCmekSpecAsync(HttpMethod.Put, clusterId, regionSpecs,
            $"CMEK on cluster {clusterId} cannot be rotated now: " +
                $"an operation is still running or access was revoked (re-enabling then needs Cockroach Labs support).", ct);

    /// <summary>PATCH <c>{action}</c>; the only action is REVOKE (see <see cref="RevokeCmekAsync"/>).</summary>
    public async Task<CmekClusterInfo> UpdateCmekAsync(string clusterId, CmekCustomerAction action, CancellationToken ct = default)
    {
        string id = ClusterSegment(clusterId);
        if (string.IsNullOrWhiteSpace(action.Value))
            throw new ArgumentException("No CMEK action given; the API defines REVOKE.", nameof(action));
        CloudCall call = CloudCall.Change(clusterId, CheckCmek(clusterId),
            $"CMEK on cluster {clusterId} cannot be revoked now: it is not enabled, or another CMEK operation is still running.");
        CmekClusterInfo info = await SendAsync<CmekClusterInfo>(HttpMethod.Patch, CmekPath(id), new UpdateCmekStatusRequest(action), call, ct)
            .ConfigureAwait(false);
        info.ClusterId = clusterId;
        return info;
    }

    /// <summary>
    /// Revokes CockroachDB Cloud's use of the keys. Remove its access in the KMS first; the cluster
    /// stops working and re-enabling needs Cockroach Labs support.
    /// </summary>
    public Task<CmekClusterInfo> RevokeCmekAsync(string clusterId, CancellationToken ct = default) =>
        UpdateCmekAsync(clusterId, CmekCustomerAction.Revoke, ct);

    /// <summary>
    /// Polls until every region is settled (ENABLED, DISABLED or REVOKED), as Terraform's waiter
    /// does. Any *_FAILED region throws <see cref="CloudOperationFailedException"/> with the Cloud's
    /// user_message for each failed region; running out of time throws
    /// <see cref="CloudOperationTimeoutException"/> (the operation goes on server-side).
    /// </summary>
    public Task<CmekClusterInfo> WaitForCmekAsync(string clusterId, TimeSpan timeout,
        IProgress<CloudWaitProgress<CmekClusterInfo>>? progress = null, CancellationToken ct = default)
    {
        ClusterSegment(clusterId);
        return CloudPoller.PollAsync(_options, clusterId, "CMEK operation",
            token => GetCmekAsync(clusterId, token),
            info =>
            {
                var failed = info.RegionInfos.Where(r => r.Status.IsFailed).ToList();
                if (failed.Count > 0)
                    throw new CloudOperationFailedException(clusterId, CmekOperationName(failed[0].Status),
                        failed.Select(r => new CloudOperationFailure(r.Region, r.Status.Value, r.UserMessage)).ToList(),
                        "Fix what the Cloud says at the KMS (key exists, not disabled, its policy lets CockroachDB Cloud's principal use it), " +
                            "then run the operation again.");
                if (info.RegionInfos.Count == 0)
                    return !info.Status.IsFailed && (info.Status.IsSettled || string.IsNullOrEmpty(info.Status.Value));
                return info.RegionInfos.All(r => r.Status.IsSettled);
            },
            Describe,
            timeout, CheckCmek(clusterId), progress, ct);
    }

    private async Task<CmekClusterInfo> SendCmekSpecAsync(HttpMethod method, string clusterId, IEnumerable<CmekRegionSpec> regionSpecs, string conflictHint,
        CancellationToken ct)
    {
        string id = ClusterSegment(clusterId);
        ArgumentNullException.ThrowIfNull(regionSpecs);
        List<CmekRegionSpec> specs = regionSpecs.ToList();
        CmekSpecs.Check(specs, nameof(regionSpecs));
        CloudCall call = CloudCall.Change(clusterId, CheckCmek(clusterId), conflictHint);
        CmekClusterInfo info = await SendAsync<CmekClusterInfo>(method, CmekPath(id), new CmekClusterSpecification(specs), call, ct).ConfigureAwait(false);
        info.ClusterId = clusterId;
        return info;
    }

    private static string Describe(CmekClusterInfo info) =>
        info.RegionInfos.Count == 0 ? info.Status.Value : string.Join(", ", info.RegionInfos.Select(r => $"{r.Region} {r.Status}"));

    private static string CmekOperationName(CmekState failed) =>
        failed == CmekState.EnableFailed ? "CMEK enablement"
        : failed == CmekState.RotateFailed ? "CMEK rotation"
        : failed == CmekState.RevokeFailed ? "CMEK revocation"
        : failed == CmekState.DisableFailed ? "CMEK disablement"
        : "CMEK operation";

    private static string CmekPath(string escapedId) => $"/api/v1/clusters/{escapedId}/cmek";

    private static string CheckCmek(string clusterId) => $"Get-CrdbCmek -ClusterId {clusterId} (GET /api/v1/clusters/{clusterId}/cmek)";
}
