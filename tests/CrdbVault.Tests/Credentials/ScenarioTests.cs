using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>Runs tests/scenarios/DynamicCredentials.ps1 — the same file Pester runs where pwsh exists.</summary>
[Collection("sandbox")]
public sealed class ScenarioTests(SandboxFixture sandbox) : CredentialTestBase(sandbox)
{
    [Fact]
    public async Task DynamicCredentials_scenario_passes_and_leaks_no_secret()
    {
        string group = SandboxFixture.Unique("scenario_rw");
        await ExecSqlAsync($"CREATE ROLE {group}; GRANT CONNECT ON DATABASE postgres TO {group};");
        Session.SetVariable("VaultToken", Sandbox.World.RootToken);
        Session.SetVariable("GroupRole", group);
        string script = File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios", "DynamicCredentials.ps1"));
        var r = Session.Run(script, verbose: true);
        Assert.Equal("DynamicCredentials scenario passed", r.Output.LastOrDefault()?.ToString());
        Assert.Null(r.Terminating);
        string text = r.AllText();
        Assert.DoesNotContain(Sandbox.World.RootToken, text);
        Assert.DoesNotContain(Sandbox.World.Postgres.AdminPassword, text);
        string password = (string)Session.Run("$cred.Credential.GetNetworkCredential().Password").Output[0].BaseObject;
        Assert.DoesNotContain(password, text);
    }
}
