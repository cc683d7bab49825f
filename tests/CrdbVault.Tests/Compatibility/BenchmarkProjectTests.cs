using System.Diagnostics;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Compatibility;

/// <summary>
/// The benchmarks (tests/CrdbVault.Benchmarks) are run by hand, not by the suite: this only keeps them
/// building and starting. No timing is measured or asserted here.
/// </summary>
public sealed class BenchmarkProjectTests
{
    [Fact]
    public void Benchmark_harness_and_its_baseline_module_are_built()
    {
        string root = PowerShellSession.RepoRoot;
        Assert.True(File.Exists(Path.Combine(root, "out", "EmptyModule", "EmptyModule.psd1")), "out/EmptyModule is missing: the EmptyModule layout target did not run.");
        Assert.True(File.Exists(Path.Combine(root, "out", "EmptyModule", "EmptyModule.dll")));
        Assert.NotNull(BenchmarkDll());
    }

    [Fact]
    public async Task Benchmark_harness_starts_and_rejects_an_unknown_benchmark()
    {
        string dll = BenchmarkDll() ?? throw new Xunit.Sdk.XunitException("CrdbVault.Benchmarks.dll was not built.");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("no-such-benchmark");
        using Process p = Process.Start(start)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(60_000), "the benchmark harness did not exit");
        _ = await stdout;
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("unknown benchmark 'no-such-benchmark'", stderr);
    }

    private static string? BenchmarkDll()
    {
        string bin = Path.Combine(PowerShellSession.RepoRoot, "tests", "CrdbVault.Benchmarks", "bin");
        if (!Directory.Exists(bin)) return null;
        // The configuration the tests were built with (Debug or Release), newest first.
        return Directory.EnumerateFiles(bin, "CrdbVault.Benchmarks.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault();
    }
}
