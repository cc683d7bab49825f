using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>Runs tests/scenarios/ClientCertificate.ps1 (the same file Pester can run where pwsh exists).</summary>
[Collection("sandbox")]
public sealed class CertificateScenarioTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-scenario-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ClientCertificate_scenario_passes_and_leaks_no_key_or_token()
    {
        using var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = sandbox.World.RootToken, ["CertsDir"] = _dir,
        });
        ScriptResult r = ps.Run(File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios", "ClientCertificate.ps1")), verbose: true).AssertSuccess();
        Assert.Equal("ok", r.Output.Last().ToString());
        string text = r.AllText();
        Assert.DoesNotContain(sandbox.World.RootToken, text);
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(_dir, "client.app_reader.key")).Split('\n')[1], text);
    }
}
