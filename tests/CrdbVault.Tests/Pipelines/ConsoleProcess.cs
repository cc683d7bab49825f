using System.Diagnostics;
using System.Reflection;
using System.Text;
using CrdbVault.Tests.Infrastructure;

namespace CrdbVault.Tests.Pipelines;

/// <summary>
/// A real PowerShell console process (tests/CrdbVault.ConsoleHost: PowerShell's own console host) with
/// an environment of the test's choosing, so tests read exactly what a CI agent reads: the process's
/// standard output. The CI variables of the machine running the tests are removed first, so a test
/// run inside a real pipeline neither pollutes its log nor writes to its files.
/// </summary>
internal static class ConsoleProcess
{
    internal sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string[] Lines => StdOut.Replace("\r\n", "\n").Split('\n');
    }

    private static readonly string[] CiVariables = ["TF_BUILD", "GITHUB_ACTIONS", "GITHUB_ENV", "GITHUB_OUTPUT", "CRDBVAULT_CI_MASKING", "AGENT_TEMPDIRECTORY", "RUNNER_TEMP"];

    private static string HostPath
    {
        get
        {
            string dir = typeof(ConsoleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ConsoleHostDirectory").Value!;
            return Path.Combine(dir, OperatingSystem.IsWindows() ? "CrdbVault.ConsoleHost.exe" : "CrdbVault.ConsoleHost");
        }
    }

    /// <summary>Runs the script (the module already imported, errors plain text) and returns what the process printed.</summary>
    public static async Task<Result> RunAsync(string script, IReadOnlyDictionary<string, string?> environment)
    {
        if (!File.Exists(HostPath)) throw new InvalidOperationException($"{HostPath} is missing: build the solution (the test project builds tests/CrdbVault.ConsoleHost).");
        string file = Path.Combine(Path.GetTempPath(), $"crdbvault-ci-{Guid.NewGuid():n}.ps1");
        string module = Path.Combine(PowerShellSession.RepoRoot, "out", "CrdbVault", "CrdbVault.psd1").Replace("'", "''");
        await File.WriteAllTextAsync(file, $"""
            $ErrorActionPreference = 'Stop'
            $PSStyle.OutputRendering = 'PlainText'
            Import-Module '{module}'
            {script}
            """);
        try
        {
            var start = new ProcessStartInfo(HostPath)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                StandardOutputEncoding = new UTF8Encoding(false),
            };
            foreach (string a in new[] { "-NoProfile", "-NonInteractive", "-File", file }) start.ArgumentList.Add(a);
            foreach (string v in CiVariables) start.Environment.Remove(v);
            start.Environment["NO_COLOR"] = "1";
            foreach (var (k, v) in environment)
            {
                if (v is null) start.Environment.Remove(k);
                else start.Environment[k] = v;
            }
            using Process p = Process.Start(start)!;
            p.StandardInput.Close();
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("The PowerShell process did not finish within 3 minutes:\n" + await stdout + await stderr);
            }
            return new Result(p.ExitCode, await stdout, await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
