using CrdbVault.Core.Cloud;
using Xunit;

namespace CrdbVault.Tests.Cloud;

/// <summary>
/// A runbook that calls Core's CMEK planner gets the checks Set-CrdbCmek makes: every problem is
/// found before a change is sent (the double records every request, so "nothing was sent" is seen).
/// </summary>
public sealed class CmekPlannerTests
{
    private const string Id = CloudTestKit.AwsCluster;

    private static List<CmekSpecDraft> Drafts(IEnumerable<CmekRegionSpec> specs) =>
        [.. specs.Select((s, i) => CmekSpecDraft.From(s, $"key spec {i + 1}"))];

    private static bool AnyChangeSent(CloudTestKit kit) => kit.Server.Requests.Any(r => r.Method != "GET");

    [Fact]
    public async Task A_plan_names_every_problem_of_the_specs_before_any_request()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        List<CmekSpecDraft> drafts =
        [
            new("us-east-1", "AWS", "arn:aws:kms:us-east-1:111122223333:key/nope", "arn:aws:iam::111122223333:role/r", "key spec 1"),
            new("us-east-1", "AWS_KMS", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "someone", "key spec 2"),
        ];

        var e = await Assert.ThrowsAsync<CmekSpecRefusedException>(() => CmekPlanner.PlanAsync(kit.Client, Id, CmekChange.Enable, drafts, null, default));

        Assert.Equal("InvalidCmekSpec", e.ErrorId);
        Assert.Contains("key spec 1 (region 'us-east-1'): -Type 'AWS' is not a CMEK key type", e.Message);
        Assert.Contains("Did you mean AWS_KMS?", e.Message);
        Assert.Contains("key spec 2 (region 'us-east-1'): -AuthPrincipal 'someone' does not fit AWS_KMS", e.Message);
        Assert.Contains("already has a key from key spec 1", e.Message);
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task A_plan_checks_the_cluster_and_its_state_with_reads_only()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        var missingRegion = await Assert.ThrowsAsync<CmekSpecRefusedException>(() =>
            CmekPlanner.PlanAsync(kit.Client, Id, CmekChange.Enable, Drafts(CloudTestKit.AwsSpecs().Take(2)), null, default));
        Assert.Contains("Region 'eu-west-1' of cluster", missingRegion.Message);

        var basic = await Assert.ThrowsAsync<CmekSpecRefusedException>(() =>
            CmekPlanner.PlanAsync(kit.Client, CloudTestKit.BasicCluster, CmekChange.Enable, Drafts([CloudTestKit.AwsSpec("us-east-1")]), null, default));
        Assert.Equal("CmekNotAvailable", basic.ErrorId);

        var notEnabled = await Assert.ThrowsAsync<CmekStateException>(() =>
            CmekPlanner.PlanAsync(kit.Client, Id, CmekChange.Rotate, Drafts(CloudTestKit.AwsSpecs()), null, default));
        Assert.Equal("CmekNotEnabled", notEnabled.ErrorId);
        Assert.False(AnyChangeSent(kit));
    }

    [Fact]
    public async Task A_plan_submits_what_it_checked_and_refuses_to_enable_twice()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        CmekPlan plan = await CmekPlanner.PlanAsync(kit.Client, Id, CmekChange.Enable, Drafts(CloudTestKit.AwsSpecs()), null, default);
        Assert.Equal($"cluster {Id} (payments)", plan.Target);
        Assert.Equal("Enable CMEK with keys in us-east-1, us-west-2, eu-west-1", plan.Action);
        Assert.False(AnyChangeSent(kit));

        CmekClusterInfo? submitted = await plan.SubmitAsync(kit.Client, default);
        Assert.NotNull(submitted);
        await kit.Client.WaitForCmekAsync(Id, TimeSpan.FromSeconds(5));

        var again = await Assert.ThrowsAsync<CmekStateException>(() =>
            CmekPlanner.PlanAsync(kit.Client, Id, CmekChange.Enable, Drafts(CloudTestKit.AwsSpecs()), null, default));
        Assert.Equal("CmekAlreadyEnabled", again.ErrorId);
        Assert.True(CmekPlanner.NeedsRevocation(Id, await kit.Client.GetCmekAsync(Id)));
    }
}
