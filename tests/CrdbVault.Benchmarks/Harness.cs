using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace CrdbVault.Benchmarks;

/// <summary>Warm-up, interleaved rounds, medians.</summary>
internal static class Harness
{
    /// <summary>Runs <paramref name="a"/> and <paramref name="b"/> alternately; returns each side's samples in ms.</summary>
    public static (List<double> A, List<double> B) Interleaved(Func<double> a, Func<double> b, int warmup, int rounds)
    {
        for (int i = 0; i < warmup; i++)
        {
            a();
            b();
        }
        var sa = new List<double>(rounds);
        var sb = new List<double>(rounds);
        for (int i = 0; i < rounds; i++)
        {
            // Swap who goes first every round so neither always runs on a "warmer" machine.
            if (i % 2 == 0) { sa.Add(a()); sb.Add(b()); }
            else { sb.Add(b()); sa.Add(a()); }
        }
        return (sa, sb);
    }

    public static double Median(IReadOnlyList<double> samples)
    {
        var sorted = samples.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    /// <summary>Times one script invocation in <paramref name="runspace"/>; fails loudly on any error.</summary>
    public static double TimeScript(Runspace runspace, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        var watch = Stopwatch.StartNew();
        ps.Invoke();
        watch.Stop();
        ThrowOnErrors(ps, script);
        return watch.Elapsed.TotalMilliseconds;
    }

    public static IReadOnlyList<PSObject> Run(Runspace runspace, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script);
        var output = ps.Invoke();
        ThrowOnErrors(ps, script);
        return output;
    }

    private static void ThrowOnErrors(PowerShell ps, string script)
    {
        if (ps.Streams.Error.Count > 0)
            throw new InvalidOperationException($"'{script}' failed: " + string.Join("; ", ps.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
    }

    public static Runspace OpenRunspace()
    {
        Runspace rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        return rs;
    }

    /// <summary>
    /// A runspace with the module imported and what a sandbox benchmark's scripts use: $addr, $token (Vault),
    /// $pgUser, $pgPassword and $pgUrl (its PostgreSQL, TLS verified against the sandbox CA), $count.
    /// </summary>
    public static Runspace OpenSandboxRunspace(CrdbVault.Sandbox.SandboxWorld world, int count)
    {
        Runspace rs = OpenRunspace();
        var pg = world.Postgres;
        rs.SessionStateProxy.SetVariable("addr", world.VaultAddress);
        rs.SessionStateProxy.SetVariable("token", world.RootToken);
        rs.SessionStateProxy.SetVariable("pgUser", pg.AdminUser);
        rs.SessionStateProxy.SetVariable("pgPassword", pg.AdminPassword);
        rs.SessionStateProxy.SetVariable("pgUrl", $"postgresql://{pg.Host}:{pg.Port}/postgres?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}");
        rs.SessionStateProxy.SetVariable("count", count);
        Run(rs, $"Import-Module '{ModuleManifest}'");
        return rs;
    }

    /// <summary>Repository root (the folder with CrdbVault.sln) above the running binary.</summary>
    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "CrdbVault.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("Cannot find CrdbVault.sln above " + AppContext.BaseDirectory);
        }
    }

    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "CrdbVault", "CrdbVault.psd1");
}

/// <summary>Rows of the final table, plus anything that missed its figure or its invariant.</summary>
internal sealed class Report
{
    private readonly List<(string Benchmark, string Measure, string Value)> _rows = [];

    public List<string> Problems { get; } = [];

    public void Add(string benchmark, string measure, string value)
    {
        _rows.Add((benchmark, measure, value));
        Console.WriteLine($"  {benchmark}: {measure} = {value}");
    }

    public void Problem(string text)
    {
        Problems.Add(text);
        Console.WriteLine("  PROBLEM: " + text);
    }

    public void Print()
    {
        int w1 = Math.Max(9, _rows.Select(r => r.Benchmark.Length).DefaultIfEmpty().Max());
        int w2 = Math.Max(7, _rows.Select(r => r.Measure.Length).DefaultIfEmpty().Max());
        Console.WriteLine();
        Console.WriteLine($"{"benchmark".PadRight(w1)} | {"measure".PadRight(w2)} | value");
        Console.WriteLine($"{new string('-', w1)}-+-{new string('-', w2)}-+-{new string('-', 24)}");
        foreach (var (b, m, v) in _rows) Console.WriteLine($"{b.PadRight(w1)} | {m.PadRight(w2)} | {v}");
        foreach (string p in Problems) Console.WriteLine("PROBLEM: " + p);
    }
}
