using CrdbVault.Core.Cloud;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Cloud;
using Xunit;

namespace CrdbVault.Tests.Cloud;

public sealed class CmekTests
{
    private const string Id = CloudTestKit.AwsCluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_cluster_that_never_had_CMEK_reads_as_disabled_and_unconfigured()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        CmekClusterInfo info = await kit.Client.GetCmekAsync(Id);

        Assert.False(info.IsConfigured);
        Assert.Equal(CmekState.Disabled, info.Status);
        Assert.Empty(info.RegionInfos);
        // The double answers 404 (what Terraform expects); the client told it from a missing cluster:
        await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.GetCmekAsync("3f0c1f9e-0000-4000-8000-000000000000"));
    }

    [Fact]
    public async Task Enable_three_regions_and_wait_until_every_region_is_enabled()
    {
        // Slow enough transitions that the first poll sees ENABLING even on a loaded machine.
        await using CloudTestKit kit = await CloudTestKit.StartAsync(new CloudDoubleOptions { CmekTransitionDelay = TimeSpan.FromSeconds(2) });
        var reports = new List<string>();

        CmekClusterInfo submitted = await kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs());
        CmekClusterInfo done = await kit.Client.WaitForCmekAsync(Id, Wait, new SyncProgress<CloudWaitProgress<CmekClusterInfo>>(p => reports.Add(p.Status)));

        Assert.Equal(CmekState.Enabling, submitted.Status);
        Assert.All(submitted.RegionInfos, r => Assert.Equal(CmekState.Enabling, r.Status));
        Assert.Equal(CmekState.Enabled, done.Status);
        Assert.True(done.IsConfigured);
        Assert.Equal(CloudTestKit.AwsRegions, done.RegionInfos.Select(r => r.Region));
        Assert.All(done.RegionInfos, r =>
        {
            Assert.Equal(CmekState.Enabled, r.Status);
            CmekKeyInfo key = Assert.Single(r.KeyInfos);
            Assert.Equal(CmekKeyType.AwsKms, key.Spec!.Type);
            Assert.StartsWith("arn:aws:kms:" + r.Region, key.Spec.Uri);
            Assert.NotNull(key.UpdatedAt);
        });
        Assert.Contains(reports, s => s.Contains("ENABLING"));
        Assert.InRange(kit.Server.MaxRequestsPerSecondObserved, 1, 10);
    }

    [Fact]
    public async Task Enable_is_checked_against_the_cluster()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        var missing = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs().Take(2)));
        Assert.Equal(CloudErrorKind.InvalidRequest, missing.Kind);
        Assert.Contains("eu-west-1", missing.Message);

        CmekRegionSpec gcpKey = new("us-east1", CmekKeyType.GcpCloudKms, "projects/p/locations/us-east1/keyRings/r/cryptoKeys/k", "sa@p.iam.gserviceaccount.com");
        var wrongCloud = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs().Take(2).Append(new CmekRegionSpec("eu-west-1", CmekKeyType.GcpCloudKms, gcpKey.KeySpec.Uri, gcpKey.KeySpec.AuthPrincipal))));
        Assert.Contains("does not match the cluster's cloud provider AWS", wrongCloud.Message);

        var badUri = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.EnableCmekAsync(CloudTestKit.GcpCluster, [new CmekRegionSpec("us-east1", CmekKeyType.GcpCloudKms, "projects/p/keys/k", "sa@p.iam.gserviceaccount.com")]));
        Assert.Contains("invalid key uri", badUri.Message);

        var basic = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.EnableCmekAsync(CloudTestKit.BasicCluster, [CloudTestKit.AwsSpec("us-east-1")]));
        Assert.Equal(CloudErrorKind.Conflict, basic.Kind);
        Assert.Contains("Advanced", basic.Message);

        await kit.Client.EnableCmekAsync(CloudTestKit.GcpCluster, [gcpKey]);
        Assert.Equal(CmekState.Enabled, (await kit.Client.WaitForCmekAsync(CloudTestKit.GcpCluster, Wait)).Status);
    }

    [Fact]
    public async Task Enabling_twice_tells_to_rotate_instead()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs());

        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs()));

        Assert.Equal(CloudErrorKind.Conflict, e.Kind);
        Assert.Contains("use PUT", e.CloudMessage);
        Assert.Contains("rotate", e.Message);
    }

    [Fact]
    public async Task Rotation_failing_in_one_region_throws_with_the_Clouds_message()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs());
        await kit.Client.WaitForCmekAsync(Id, Wait);
        const string why = "Insufficient permissions to access the KMS key: kms:GenerateDataKey denied";
        kit.Server.FailNextRotation("us-west-2", why);

        CmekClusterInfo submitted = await kit.Client.RotateCmekAsync(Id, CloudTestKit.AwsSpecs("9999abcd-12ab-34cd-56ef-1234567890ab"));
        var e = await Assert.ThrowsAsync<CloudOperationFailedException>(() => kit.Client.WaitForCmekAsync(Id, Wait));

        Assert.Equal(CmekState.Rotating, submitted.Status);
        Assert.Equal("CMEK rotation", e.Operation);
        CloudOperationFailure failure = Assert.Single(e.Failures);
        Assert.Equal("us-west-2", failure.Region);
        Assert.Equal("ROTATE_FAILED", failure.Status);
        Assert.Equal(why, failure.UserMessage);
        Assert.Contains(why, e.Message);
        Assert.Contains(Id, e.Message);

        CmekClusterInfo after = await kit.Client.GetCmekAsync(Id);
        CmekRegionInfo failed = after.RegionInfos.Single(r => r.Region == "us-west-2");
        Assert.Equal(why, failed.UserMessage);
        Assert.Equal(CmekState.Enabled, failed.KeyInfos[0].Status); // the old key stays in force
        Assert.All(after.RegionInfos.Where(r => r.Region != "us-west-2"), r =>
        {
            Assert.Equal(CmekState.Enabled, r.Status);
            Assert.Equal([CmekState.Disabled, CmekState.Enabled], r.KeyInfos.Select(k => k.Status));
        });
    }

    [Fact]
    public async Task Revoke_ends_REVOKED_and_rotation_is_refused_afterwards()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs());
        await kit.Client.WaitForCmekAsync(Id, Wait);

        CmekClusterInfo submitted = await kit.Client.RevokeCmekAsync(Id);
        CmekClusterInfo done = await kit.Client.WaitForCmekAsync(Id, Wait);

        Assert.Equal(CmekState.Revoking, submitted.Status);
        Assert.Equal(CmekState.Revoked, done.Status);
        Assert.All(done.RegionInfos, r => Assert.Equal(CmekState.Revoked, r.Status));
        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.RotateCmekAsync(Id, CloudTestKit.AwsSpecs()));
        Assert.Contains("support", e.Message);
    }

    [Fact]
    public async Task A_transient_503_while_polling_does_not_end_the_wait()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.EnableCmekAsync(Id, CloudTestKit.AwsSpecs());
        kit.Server.Faults.Add(new Fault { Method = "GET", PathPrefix = $"/api/v1/clusters/{Id}/cmek", Status = 503, Times = 4 });

        CmekClusterInfo done = await kit.Client.WaitForCmekAsync(Id, Wait);

        Assert.Equal(CmekState.Enabled, done.Status);
        Assert.Equal(4, kit.Server.Requests.Count(r => r.Status == 503));
    }
}
