using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Compatibility;

/// <summary>
/// The module on pwsh 7.4's runtime (docs/dependency-isolation.md): tests/CrdbVault.Net8Host is a self-contained
/// net8.0 app (built with the solution; its build output carries the .NET 8 runtime) that loads
/// out/CrdbVault/CrdbVault.dll like PowerShell does and logs in to the sandbox PostgreSQL through
/// the module's isolated CrdbVault.Core and Npgsql. See docs/dependency-isolation.md.
/// </summary>
[Collection("sandbox")]
public sealed class Net8IsolationTests(SandboxFixture fixture)
{
    [Fact]
    public async Task Database_call_on_dotnet8_runs_through_the_module_load_context()
    {
        JsonObject report = await RunHostAsync("isolated");

        Assert.StartsWith("8.", (string?)report["runtime"]);
        Assert.Equal("8.0.0.0", (string?)report["defaultContextDiagnosticSource"]);
        Assert.Equal("Default", (string?)report["module"]!["loadContext"]);
        Assert.Equal("CrdbVault", (string?)report["core"]!["loadContext"]);
        Assert.True((bool)report["login"]!["ok"]!, report.ToJsonString());
        Assert.Equal(fixture.World.Postgres.AdminUser, (string?)report["login"]!["user"]);

        JsonObject loaded = report["loaded"]!.AsObject();
        JsonNode npgsql = Assert.Single(loaded["Npgsql"]!.AsArray())!;
        Assert.Equal("CrdbVault", (string?)npgsql["loadContext"]);
        Assert.StartsWith("10.", (string?)npgsql["version"]);
        // Two DiagnosticSource copies side by side: the runtime's 8.0 in the default context, ours (9.0) in the module's.
        var diag = loaded["System.Diagnostics.DiagnosticSource"]!.AsArray().Select(n => ((string?)n!["loadContext"], (string?)n["version"])).ToList();
        Assert.Contains(("CrdbVault", "9.0.0.0"), diag);
        Assert.Contains(("Default", "8.0.0.0"), diag);
        Assert.False((bool)report["systemManagementAutomationLoaded"]!);
        Assert.True((bool)report["proved"]!);
    }

    [Fact]
    public async Task Flat_load_on_dotnet8_fails_with_FileLoadException_for_DiagnosticSource_9()
    {
        // The negative control: the same call with the dependencies in the default context (a plain
        // binary module) fails on .NET 8, which is why the module has its own load context.
        JsonObject report = await RunHostAsync("flat");

        Assert.StartsWith("8.", (string?)report["runtime"]);
        Assert.Equal("Default", (string?)report["core"]!["loadContext"]);
        Assert.False((bool)report["login"]!["ok"]!);
        Assert.Contains("System.Diagnostics.DiagnosticSource, Version=9.0.0.0", (string?)report["login"]!["assemblyLoadFailure"]);
        Assert.True((bool)report["proved"]!);
    }

    private static string HostPath
    {
        get
        {
            string dir = typeof(Net8IsolationTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "Net8HostDirectory").Value!;
            return Path.Combine(dir, OperatingSystem.IsWindows() ? "CrdbVault.Net8Host.exe" : "CrdbVault.Net8Host");
        }
    }

    private async Task<JsonObject> RunHostAsync(string mode)
    {
        Assert.True(File.Exists(HostPath), $"{HostPath} is missing: build the solution (the test project builds tests/CrdbVault.Net8Host).");
        var pg = fixture.World.Postgres;
        var start = new ProcessStartInfo(HostPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { mode, "--module", Path.Combine(PowerShellSession.RepoRoot, "out", "CrdbVault", "CrdbVault.dll"),
                     "--host", pg.Host, "--port", pg.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--user", pg.AdminUser, "--database", "postgres", "--root-cert", pg.CaCertificatePath })
            start.ArgumentList.Add(a);
        start.Environment["CRDBVAULT_NET8_PG_PASSWORD"] = pg.AdminPassword;
        // The host must run on its own bundled .NET 8, whatever DOTNET_ROOT the test runner has.
        start.Environment.Remove("DOTNET_ROOT");

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"The net8 host ({mode}) did not finish within 2 minutes.");
        }
        string output = await stdout;
        string errors = await stderr;
        Assert.True(process.ExitCode == 0, $"net8 host ({mode}) exited {process.ExitCode}:\n{output}\n{errors}");
        return JsonNode.Parse(output)!.AsObject();
    }
}
