using CrdbVault.Core.Cloud;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Cloud;
using Xunit;

namespace CrdbVault.Tests.Cloud;

public sealed class CloudClusterTests
{
    [Fact]
    public async Task GetCluster_returns_the_typed_cluster_and_sends_the_pinned_version()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        CloudCluster cluster = await kit.Client.GetClusterAsync(CloudTestKit.AwsCluster);

        Assert.Equal(CloudTestKit.AwsCluster, cluster.Id);
        Assert.Equal("payments", cluster.Name);
        Assert.Equal(CloudProvider.Aws, cluster.CloudProvider);
        Assert.Equal(ClusterPlan.Advanced, cluster.Plan);
        Assert.Equal(ClusterState.Created, cluster.State);
        Assert.True(cluster.IsReady);
        Assert.Equal(CloudTestKit.AwsRegions, cluster.Regions.Select(r => r.Name));
        Assert.All(cluster.Regions, r => Assert.Equal(3, r.NodeCount));
        Assert.Equal("m6i.xlarge", cluster.Config?.Dedicated?.MachineType);
        Assert.NotNull(cluster.CreatedAt);
        Assert.Equal([CloudApiClient.ApiVersion], kit.Server.CcVersionsSeen);
        Assert.Contains(kit.Trace, line => line.StartsWith($"GET /api/v1/clusters/{CloudTestKit.AwsCluster} -> 200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_key_says_how_to_fix_it_and_never_shows_the_key()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        const string wrongKey = "CCDB1_not-the-right-key-0123456789";
        using var client = new CloudApiClient(kit.ClientOptions(wrongKey));

        var e = await Assert.ThrowsAsync<CloudApiException>(() => client.GetClusterAsync(CloudTestKit.AwsCluster));

        Assert.Equal(CloudErrorKind.Unauthenticated, e.Kind);
        Assert.Equal(401, e.Status);
        Assert.Equal(16, e.Code);
        Assert.Equal("UNAUTHENTICATED", e.CodeName);
        Assert.Contains("API key", e.Message);
        Assert.Contains("COCKROACH_API_KEY", e.Message);
        Assert.DoesNotContain(wrongKey, e.ToString());
        Assert.DoesNotContain(kit.Trace, line => line.Contains(wrongKey) || line.Contains(kit.Server.ApiKey));
        Assert.DoesNotContain(wrongKey, client.Options.ToString());
        Assert.Single(kit.Server.Requests); // 401 is not retried
    }

    [Fact]
    public async Task A_cluster_name_instead_of_its_id_is_refused_before_any_request()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => kit.Client.GetClusterAsync("payments-prod"));

        Assert.Contains("'payments-prod' is not a cluster ID", e.Message);
        Assert.Contains("UUID", e.Message);
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task Unknown_cluster_names_the_id_and_the_likely_mistake()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        string id = Guid.NewGuid().ToString();

        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.GetClusterAsync(id));

        Assert.Equal(CloudErrorKind.NotFound, e.Kind);
        Assert.Equal(5, e.Code);
        Assert.Equal(id, e.ClusterId);
        Assert.Contains($"'{id}'", e.Message);
        Assert.Contains($"/api/v1/clusters/{id}", e.Message);
    }

    [Fact]
    public async Task A_key_without_the_cluster_admin_role_gets_a_role_hint()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.AddApiKey("CCDB1_developer", CloudKeyRole.ClusterDeveloper);
        using var client = new CloudApiClient(kit.ClientOptions("CCDB1_developer"));

        await client.GetClusterAsync(CloudTestKit.AwsCluster); // reading the cluster is allowed
        var e = await Assert.ThrowsAsync<CloudApiException>(() => client.GetCmekAsync(CloudTestKit.AwsCluster));

        Assert.Equal(CloudErrorKind.PermissionDenied, e.Kind);
        Assert.Contains("Cluster Admin", e.Message);
        Assert.Contains(CloudTestKit.AwsCluster, e.Message);
    }

    [Fact]
    public async Task Http_429_is_retried_after_the_Retry_After_the_server_sent()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.Faults.Add(new Fault { Method = "GET", PathPrefix = "/api/v1/clusters/", Status = 429, RetryAfterSeconds = 1 });

        CloudCluster cluster = await kit.Client.GetClusterAsync(CloudTestKit.AwsCluster);

        Assert.Equal("payments", cluster.Name);
        Assert.Equal([429, 200], kit.Server.Requests.Select(r => r.Status));
        // The wait the retry asked for is the server's Retry-After, not the 20 ms base delay.
        Assert.Contains(kit.Trace, l => l.StartsWith("retrying (attempt 2 of 3) after 1000 ms", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_doubles_real_rate_limit_answers_429_and_the_client_recovers()
    {
        // No client-side cap: 15 parallel reads overrun the double's 10/s and must be retried.
        await using CloudTestKit kit = await CloudTestKit.StartAsync(tune: o => new CloudClientOptions
        {
            ServerUrl = o.ServerUrl, ApiKey = o.ApiKey, RetryBaseDelay = o.RetryBaseDelay, Trace = o.Trace, MaxRequestsPerSecond = 0,
        });

        CloudCluster[] all = await Task.WhenAll(Enumerable.Range(0, 15).Select(_ => kit.Client.GetClusterAsync(CloudTestKit.AwsCluster)));

        Assert.All(all, c => Assert.Equal("payments", c.Name));
        // At least the 5 over the limit got 429. Exactly 5 only if all 15 arrive within one instant:
        // on a loaded machine the first ten spread out, so a retry after Retry-After: 1 can meet a
        // still-full window and get 429 again; the client must then wait again, not give up.
        Assert.True(kit.Server.Requests.Count(r => r.Status == 429) >= 5, "the double did not limit 15 parallel reads");
        Assert.Equal(15, kit.Server.Requests.Count(r => r.Status == 200));
    }

    [Fact]
    public async Task The_client_keeps_under_ten_requests_per_second_by_itself()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => kit.Client.GetClusterAsync(CloudTestKit.AwsCluster)));

        // 20 reads started at once: without the client's own cap all 20 would arrive within a second.
        Assert.Equal(20, kit.Server.Requests.Count(r => r.Status == 200));
        Assert.InRange(kit.Server.MaxRequestsPerSecondObserved, 1, 10);
        Assert.DoesNotContain(kit.Server.Requests, r => r.Status == 429);
    }

    [Fact]
    public async Task Reads_are_retried_on_503_but_changes_are_not_and_say_so()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.Faults.Add(new Fault { Method = "GET", PathPrefix = "/api/v1/clusters/", Status = 503 });
        await kit.Client.GetClusterAsync(CloudTestKit.AwsCluster);

        kit.Server.Faults.Add(new Fault { Method = "POST", PathPrefix = "/api/v1/clusters/", Status = 503, AfterExecution = true });
        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.SetClientCaCertAsync(CloudTestKit.AwsCluster, CloudTestKit.CaPem()));

        Assert.Equal(CloudErrorKind.ServerError, e.Kind);
        Assert.True(e.MayHaveExecuted);
        Assert.Contains("may have been applied", e.Message);
        Assert.Contains("Get-CrdbClientCaCert", e.Message);
        Assert.Single(kit.Server.Requests, r => r.Method == "POST");
        // It was applied: the double did the work before failing the answer.
        Assert.Equal(ClientCaState.Pending, (await kit.Client.GetClientCaCertAsync(CloudTestKit.AwsCluster)).Status);
    }

    [Fact]
    public async Task Adding_a_region_to_a_CMEK_cluster_sends_specs_for_the_new_region_only()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.EnableCmekAsync(CloudTestKit.AwsCluster, CloudTestKit.AwsSpecs());
        await kit.Client.WaitForCmekAsync(CloudTestKit.AwsCluster, TimeSpan.FromSeconds(5));

        var missingSpec = await Assert.ThrowsAsync<CloudApiException>(() =>
            kit.Client.AddClusterRegionsAsync(CloudTestKit.AwsCluster, new Dictionary<string, int> { ["ap-south-1"] = 3 }));
        Assert.Equal(CloudErrorKind.Conflict, missingSpec.Kind);
        Assert.Contains("ap-south-1", missingSpec.Message);

        CloudCluster updated = await kit.Client.AddClusterRegionsAsync(CloudTestKit.AwsCluster,
            new Dictionary<string, int> { ["ap-south-1"] = 3 }, [CloudTestKit.AwsSpec("ap-south-1")]);
        Assert.Equal(ClusterState.Locked, updated.State);
        Assert.Contains(updated.Regions, r => r.Name == "ap-south-1");

        CloudCluster ready = await kit.Client.WaitForClusterReadyAsync(CloudTestKit.AwsCluster, TimeSpan.FromSeconds(5));
        CmekClusterInfo cmek = await kit.Client.WaitForCmekAsync(CloudTestKit.AwsCluster, TimeSpan.FromSeconds(5));

        Assert.Equal(4, ready.Regions.Count);
        Assert.Equal(CmekState.Enabled, cmek.RegionInfos.Single(r => r.Region == "ap-south-1").Status);
        Assert.InRange(kit.Server.MaxRequestsPerSecondObserved, 1, 10);
    }

    [Fact]
    public void Options_never_show_the_key()
    {
        var options = new CloudClientOptions { ApiKey = Core.Secrets.SecureStrings.From("CCDB1_secret_value") };
        Assert.DoesNotContain("CCDB1_secret_value", options.ToString());
        Assert.Contains("API key set", options.ToString());
        Assert.Equal(new Uri("https://cockroachlabs.cloud"), options.ServerUrl);
    }

    [Fact]
    public void Plain_http_is_refused_for_anything_but_loopback()
    {
        var options = new CloudClientOptions { ServerUrl = new Uri("http://cockroachlabs.cloud"), ApiKey = Core.Secrets.SecureStrings.From("k") };
        var e = Assert.Throws<ArgumentException>(() => new CloudApiClient(options));
        Assert.Contains("unencrypted", e.Message);
    }
}
