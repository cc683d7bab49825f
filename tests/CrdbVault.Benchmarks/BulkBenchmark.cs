using System.Diagnostics;
using System.Management.Automation.Runspaces;
using CrdbVault.Sandbox;
using Npgsql;

namespace CrdbVault.Benchmarks;

/// <summary>
/// (c) 1,000 dynamic credentials issued through the module, then revoked with one
/// <c>Revoke-CrdbLease -Prefix -Sync</c>, against the real sandbox (Vault double + PostgreSQL that
/// really runs CREATE ROLE / DROP ROLE). Twice, to see that memory stays flat across repeats.
/// Invariant: no role issued by the run is left in PostgreSQL.
/// </summary>
internal static class BulkBenchmark
{
    public static async Task RunAsync(Report report, bool quick)
    {
        int count = quick ? 50 : 1000;
        Console.WriteLine($"bulk: {count} credentials issued then revoked by prefix, on the sandbox");
        await using SandboxWorld world = await SandboxWorld.StartAsync();
        using Runspace rs = Harness.OpenSandboxRunspace(world, count);
        var pg = world.Postgres;
        // Users get their rights through membership of one SQL role (-GrantRole, the recommended form).
        // Per-user privilege grants (-Grant 'CONNECT ON DATABASE ...') would make every revocation
        // REVOKE on the same catalog row, which PostgreSQL refuses under concurrency
        // ("tuple concurrently updated") when revoke-prefix drops users in parallel.
        await ExecuteAsync(pg.AdminConnectionString, "CREATE ROLE bulk_reader NOLOGIN; GRANT CONNECT ON DATABASE postgres TO bulk_reader");
        Harness.Run(rs, """
            $null = Connect-CrdbVault -Address $addr -Token ([System.Net.NetworkCredential]::new('', $token).SecurePassword)
            $admin = [pscredential]::new($pgUser, [System.Net.NetworkCredential]::new('', $pgPassword).SecurePassword)
            $null = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $pgUrl -Credential $admin -WarningAction SilentlyContinue
            $null = Set-CrdbVaultRole -Name bulk -ConnectionName pg -GrantRole bulk_reader -DefaultTtl '1h' -MaxTtl '2h' -WarningAction SilentlyContinue
            """);
        HashSet<string> rolesBefore = await RolesAsync(pg.AdminConnectionString);

        var memory = new List<(long Managed, long WorkingSet)> { Memory() };
        for (int repeat = 1; repeat <= 2; repeat++)
        {
            var issue = Stopwatch.StartNew();
            var issued = Harness.Run(rs, "$issued = foreach ($i in 1..$count) { New-CrdbDynamicCredential bulk }; $issued.Count");
            issue.Stop();
            if (Convert.ToInt32(issued.Single().BaseObject) != count) throw new InvalidOperationException($"Issued {issued.Single()} of {count}.");
            HashSet<string> during = await RolesAsync(pg.AdminConnectionString);
            int created = during.Except(rolesBefore).Count();

            var revoke = Stopwatch.StartNew();
            Harness.Run(rs, "Revoke-CrdbLease -Prefix 'database/creds/bulk' -Sync; $issued = $null");
            revoke.Stop();
            HashSet<string> after = await RolesAsync(pg.AdminConnectionString);
            int left = after.Except(rolesBefore).Count();
            int leftV = after.Count(r => r.StartsWith("v-", StringComparison.Ordinal));
            memory.Add(Memory());

            string r = $"repeat {repeat}";
            report.Add("bulk", $"{r}: issue {count} (s, per second)", $"{issue.Elapsed.TotalSeconds:0.00} s, {count / issue.Elapsed.TotalSeconds:0} /s");
            report.Add("bulk", $"{r}: roles created in PostgreSQL", $"{created}");
            report.Add("bulk", $"{r}: revoke by prefix -Sync (s)", $"{revoke.Elapsed.TotalSeconds:0.00}");
            report.Add("bulk", $"{r}: roles left (new / pg_roles 'v-%')", $"{left} / {leftV}");
            if (created != count) report.Problem($"{r}: {created} roles appeared in PostgreSQL for {count} credentials.");
            if (left != 0 || leftV != 0) report.Problem($"{r}: {left} role(s) left in PostgreSQL after revoke-prefix ({leftV} named v-%).");
        }
        report.Add("bulk", "managed heap before / after 1 / after 2 (MB)", string.Join(" / ", memory.Select(m => $"{m.Managed / 1048576.0:0.0}")));
        report.Add("bulk", "working set before / after 1 / after 2 (MB)", string.Join(" / ", memory.Select(m => $"{m.WorkingSet / 1048576.0:0}")));
        // Flat: the second repeat does not keep what the first one had (generous margin for GC noise).
        if (memory[2].Managed > memory[1].Managed * 1.25 + 8 * 1048576)
            report.Problem($"Managed memory grew from {memory[1].Managed / 1048576.0:0.0} MB to {memory[2].Managed / 1048576.0:0.0} MB between repeats.");
        Harness.Run(rs, "Disconnect-CrdbVault");
    }

    private static (long, long) Memory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var self = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), self.WorkingSet64);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<HashSet<string>> RolesAsync(string adminConnectionString)
    {
        await using var conn = new NpgsqlConnection(adminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT rolname FROM pg_roles", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
