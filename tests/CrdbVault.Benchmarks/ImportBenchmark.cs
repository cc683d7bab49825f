using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.Loader;

namespace CrdbVault.Benchmarks;

/// <summary>
/// (a) Import-Module CrdbVault vs an empty binary module (out/EmptyModule), each in a fresh hosted
/// runspace of the same engine in the same process. Target: median ratio ≤ 1.1. Also: after every
/// import, neither CrdbVault.Core nor Npgsql is loaded anywhere in the process.
/// </summary>
internal static class ImportBenchmark
{
    public static void Run(Report report, bool quick)
    {
        Console.WriteLine("import: Import-Module in fresh runspaces");
        string crdb = Harness.ModuleManifest;
        string empty = Path.Combine(Harness.RepoRoot, "out", "EmptyModule", "EmptyModule.psd1");
        foreach (string m in new[] { crdb, empty })
            if (!File.Exists(m)) throw new FileNotFoundException($"{m} is missing: build the solution first.", m);

        // Where the time goes: the same module without its format file (a temp copy of the folder).
        string noFormat = CopyWithoutFormats(Path.GetDirectoryName(crdb)!);

        // The first import in a process also starts the engine's caches and loads the assembly: reported
        // on its own (a throwaway import goes first so neither module pays the engine's cold start).
        TimeImport(empty, "Get-Empty");
        double coldCrdb = TimeImport(crdb, "New-CrdbDynamicCredential");
        var c = new List<double>();
        (List<double> a, List<double> b) = Harness.Interleaved(
            () => TimeImport(crdb, "New-CrdbDynamicCredential"),
            () => { c.Add(TimeImport(noFormat, "New-CrdbDynamicCredential")); return TimeImport(empty, "Get-Empty"); },
            warmup: quick ? 2 : 10, rounds: quick ? 10 : 60);
        c.RemoveRange(0, quick ? 2 : 10);
        double mc = Harness.Median(a), me = Harness.Median(b);
        report.Add("import", "first import of CrdbVault in the process (ms)", $"{coldCrdb:0.0}");
        report.Add("import", $"median CrdbVault (n={a.Count}, ms)", $"{mc:0.0} (p90 {Harness.Percentile(a, 0.9):0.0})");
        report.Add("import", $"median empty module (n={b.Count}, ms)", $"{me:0.0} (p90 {Harness.Percentile(b, 0.9):0.0})");
        report.Add("import", $"median CrdbVault without format file (n={c.Count}, ms)", $"{Harness.Median(c):0.0}");
        double ratio = mc / me;
        report.Add("import", "ratio (target <= 1.1)", $"{ratio:0.00}x");
        if (ratio > 1.1) report.Problem($"Import-Module CrdbVault is {ratio:0.00}x the empty module (target 1.1x).");

        string[] heavy = ["CrdbVault.Core", "Npgsql"];
        var loaded = AssemblyLoadContext.All.SelectMany(c => c.Assemblies.Select(x => (Context: c.Name, Name: x.GetName().Name)))
            .Where(x => heavy.Contains(x.Name)).ToList();
        report.Add("import", "Core/Npgsql loaded after imports", loaded.Count == 0 ? "none" : string.Join(", ", loaded.Select(x => $"{x.Name} in {x.Context}")));
        if (loaded.Count > 0) report.Problem("Import-Module loaded " + string.Join(", ", loaded.Select(x => x.Name)) + ": nothing heavy may load at import.");
    }

    private static string CopyWithoutFormats(string moduleDir)
    {
        string target = Path.Combine(Path.GetTempPath(), "crdbvault-bench-noformat", "CrdbVault");
        if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
        foreach (string file in Directory.EnumerateFiles(moduleDir, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(target, Path.GetRelativePath(moduleDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        string psd1 = Path.Combine(target, "CrdbVault.psd1");
        File.WriteAllText(psd1, File.ReadAllText(psd1).Replace("FormatsToProcess     = @('CrdbVault.format.ps1xml')", "FormatsToProcess     = @()"));
        return psd1;
    }

    private static double TimeImport(string manifest, string expectedCommand)
    {
        using Runspace rs = Harness.OpenRunspace();
        using var ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("PassThru");
        var watch = Stopwatch.StartNew();
        var result = ps.Invoke();
        watch.Stop();
        if (ps.HadErrors || result.Count != 1)
            throw new InvalidOperationException($"Import-Module {manifest} failed: " + string.Join("; ", ps.Streams.Error.Select(e => e.Exception.Message)));
        var module = (PSModuleInfo)result[0].BaseObject;
        if (!module.ExportedCmdlets.ContainsKey(expectedCommand))
            throw new InvalidOperationException($"{manifest} imported without {expectedCommand}.");
        return watch.Elapsed.TotalMilliseconds;
    }
}
