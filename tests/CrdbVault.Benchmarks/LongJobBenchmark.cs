using System.Diagnostics;
using System.Management.Automation.Runspaces;
using CrdbVault.Core.Leases;
using CrdbVault.Core.Vault;
using CrdbVault.Sandbox;
using Npgsql;

namespace CrdbVault.Benchmarks;

/// <summary>
/// (f) Long jobs: 100 credentials issued, used by an empty block and revoked through Use-CrdbDynamicCredential, against
/// the hand-written equivalent (New-CrdbDynamicCredential, then Revoke-CrdbLease -Sync), interleaved rounds on the real
/// sandbox; invariant: no SQL user left. And the lease ledger's append rate: one writer, then two processes appending to
/// the same file at once (the exclusive open serialises them), every line accounted for.
/// </summary>
internal static class LongJobBenchmark
{
    /// <summary>The child mode: append <paramref name="count"/> issue lines to <paramref name="path"/>, as fast as possible.</summary>
    public static int Write(string path, int count, string go)
    {
        while (!File.Exists(go)) Thread.Sleep(1);
        var ledger = new LeaseLedger(() => new TokenLifetime("bench"), TimeProvider.System) { FilePath = path };
        int pid = Environment.ProcessId;
        for (int i = 0; i < count; i++)
            ledger.RecordIssued($"database/creds/app/P{pid}N{i}", "database", "app", $"v-app-{pid}-{i}", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        return ledger.TakeFileFailures().Count == 0 ? 0 : 1;
    }

    public static async Task RunAsync(Report report, bool quick)
    {
        await ScopedUseAsync(report, quick);
        Ledger(report, quick);
    }

    private static async Task ScopedUseAsync(Report report, bool quick)
    {
        int count = quick ? 10 : 100;
        int rounds = quick ? 1 : 3;
        Console.WriteLine($"longjobs: {count} credentials through Use-CrdbDynamicCredential vs New + Revoke-CrdbLease -Sync, {rounds} round(s) each");
        await using SandboxWorld world = await SandboxWorld.StartAsync();
        using Runspace rs = Harness.OpenSandboxRunspace(world, count);
        var pg = world.Postgres;
        await using (var conn = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("CREATE ROLE scoped_reader NOLOGIN; GRANT CONNECT ON DATABASE postgres TO scoped_reader", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        Harness.Run(rs, """
            $null = Connect-CrdbVault -Address $addr -Token ([System.Net.NetworkCredential]::new('', $token).SecurePassword)
            $admin = [pscredential]::new($pgUser, [System.Net.NetworkCredential]::new('', $pgPassword).SecurePassword)
            $null = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $pgUrl -Credential $admin -WarningAction SilentlyContinue
            $null = Set-CrdbVaultRole -Name scoped -ConnectionName pg -GrantRole scoped_reader -DefaultTtl '1h' -MaxTtl '2h' -WarningAction SilentlyContinue
            """);
        var (scoped, byHand) = Harness.Interleaved(
            () => Harness.TimeScript(rs, "foreach ($i in 1..$count) { Use-CrdbDynamicCredential -Role scoped -ScriptBlock { } }"),
            () => Harness.TimeScript(rs, "foreach ($i in 1..$count) { New-CrdbDynamicCredential -Role scoped | Revoke-CrdbLease -Sync }"),
            warmup: quick ? 0 : 1, rounds: rounds);
        double a = Harness.Median(scoped), b = Harness.Median(byHand);
        report.Add("longjobs", $"{count} x Use-CrdbDynamicCredential (issue, block, revoke; median s)", $"{a / 1000:0.00} s, {a / count:0.0} ms each");
        report.Add("longjobs", $"{count} x New-CrdbDynamicCredential | Revoke-CrdbLease -Sync (median s)", $"{b / 1000:0.00} s, {b / count:0.0} ms each");
        report.Add("longjobs", "scoped / by hand", $"{a / b:0.00}");
        int left = Convert.ToInt32(Harness.Run(rs, "@(Get-CrdbLease -Issued | Where-Object State -eq 'Live').Count").Single().BaseObject);
        await using (var conn = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-token-scoped-%'", conn);
            long users = (long)(await cmd.ExecuteScalarAsync())!;
            report.Add("longjobs", "SQL users / live leases left", $"{users} / {left}");
            if (users != 0 || left != 0) report.Problem($"{users} SQL user(s) and {left} lease(s) left after scoped use.");
        }
        Harness.Run(rs, "Disconnect-CrdbVault");
    }

    private static void Ledger(Report report, bool quick)
    {
        int perWriter = quick ? 200 : 2000;
        string dir = Directory.CreateTempSubdirectory("crdbvault-ledger-bench-").FullName;
        try
        {
            double one = Writers(dir, "one", 1, perWriter);
            double two = Writers(dir, "two", 2, perWriter);
            report.Add("longjobs", $"ledger: 1 writer, {perWriter} lines (lines/s)", $"{perWriter / one:0}");
            report.Add("longjobs", $"ledger: 2 processes at once, {2 * perWriter} lines (lines/s, all)", $"{2 * perWriter / two:0}");
            var (outstanding, _, skipped) = new LeaseLedger(() => new TokenLifetime(null), TimeProvider.System) { FilePath = Path.Combine(dir, "two.jsonl") }.Collect();
            report.Add("longjobs", "ledger: lines read back / skipped", $"{outstanding.Count} / {skipped.Count}");
            if (outstanding.Count != 2 * perWriter || skipped.Count != 0) report.Problem($"ledger: {outstanding.Count} of {2 * perWriter} lines read back, {skipped.Count} skipped.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Starts <paramref name="writers"/> processes that append to one file when a go-file appears; seconds until all are done.</summary>
    private static double Writers(string dir, string name, int writers, int perWriter)
    {
        string path = Path.Combine(dir, name + ".jsonl"), go = Path.Combine(dir, name + ".go");
        var processes = new List<Process>();
        for (int i = 0; i < writers; i++)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            // Started as `dotnet CrdbVault.Benchmarks.dll` (the host needs the dll) or through its apphost (it does not).
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(LongJobBenchmark).Assembly.Location);
            foreach (string arg in new[] { "--ledger-writer", path, perWriter.ToString(System.Globalization.CultureInfo.InvariantCulture), go }) start.ArgumentList.Add(arg);
            processes.Add(Process.Start(start)!);
        }
        Thread.Sleep(1000); // let the processes start and wait for the go-file: only the appends are timed
        var watch = Stopwatch.StartNew();
        File.WriteAllText(go, "go");
        foreach (Process p in processes)
        {
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"a ledger writer failed ({p.ExitCode}).");
            p.Dispose();
        }
        watch.Stop();
        return watch.Elapsed.TotalSeconds;
    }
}
