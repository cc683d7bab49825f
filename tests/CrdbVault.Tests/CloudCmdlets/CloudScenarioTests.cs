using CrdbVault.Tests.Cloud;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>Runs tests/scenarios/CloudClientCa.ps1 and Cmek.ps1 against the sandbox world's Cloud API double.</summary>
[Collection("sandbox")]
public sealed class CloudScenarioTests(SandboxFixture sandbox)
{
    static CloudScenarioTests()
    {
        Environment.SetEnvironmentVariable("CRDBVAULT_POLL_INTERVAL_MS", "25");
        Environment.SetEnvironmentVariable("CRDBVAULT_RETRY_DELAY_MS", "20");
    }

    private ScriptResult RunScenario(string name, string clusterId, IDictionary<string, object?> extra)
    {
        var variables = new Dictionary<string, object?>(extra)
        {
            ["CloudServer"] = sandbox.World.CloudAddress,
            ["CloudApiKey"] = sandbox.World.CloudApiKey,
            ["ClusterId"] = clusterId,
        };
        using var session = new PowerShellSession(variables);
        string script = File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios", name));
        return session.Run(script, verbose: true);
    }

    [Fact]
    public void CloudClientCa_scenario_passes_and_leaks_no_key()
    {
        string id = Guid.NewGuid().ToString();
        sandbox.World.Cloud.AddCluster(id, "scenario-ca", "AWS", "ADVANCED", "us-east-1");

        ScriptResult r = RunScenario("CloudClientCa.ps1", id, new Dictionary<string, object?>
        {
            ["CaPem"] = CloudTestKit.CaPem("Scenario CA 1"),
            ["NextCaPem"] = CloudTestKit.CaPem("Scenario CA 2"),
        });

        r.AssertSuccess();
        Assert.Equal("CloudClientCa scenario passed", r.Output.LastOrDefault()?.ToString());
        Assert.DoesNotContain(sandbox.World.CloudApiKey, r.AllText());
    }

    [Fact]
    public void Cmek_scenario_passes_on_the_seeded_world_cluster_shape()
    {
        string id = Guid.NewGuid().ToString();
        sandbox.World.Cloud.AddCluster(id, "scenario-cmek", "AWS", "ADVANCED", "us-east-1", "us-west-2");

        ScriptResult r = RunScenario("Cmek.ps1", id, new Dictionary<string, object?> { ["AllowRevoke"] = true });

        r.AssertSuccess();
        Assert.Equal("Cmek scenario passed", r.Output.LastOrDefault()?.ToString());
        Assert.DoesNotContain(sandbox.World.CloudApiKey, r.AllText());
        Assert.Contains(sandbox.World.Cloud.Requests, q => q.Method == "PATCH" && q.Path == $"/api/v1/clusters/{id}/cmek");
    }
}
