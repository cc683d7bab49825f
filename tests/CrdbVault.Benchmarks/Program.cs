// Measured figures for DESIGN §8. A plain Stopwatch harness: warm-up rounds, then medians of
// interleaved rounds (A, B, A, B, ...) so drift hits both sides alike. Figures, not asserts.
//
//   dotnet run --project tests/CrdbVault.Benchmarks -c Release -- [--quick] [import] [credential] [bulk]
//
//   import      Import-Module out/CrdbVault/CrdbVault.psd1 vs an empty binary module, fresh hosted
//               runspaces, same engine, same run; checks nothing heavy (Core, Npgsql) loads at import.
//   credential  New-CrdbDynamicCredential vs the floor (bare HttpClient GET + JsonDocument.Parse in the
//               same engine) against a local stub that answers at once: client overhead only.
//   bulk        1,000 credentials issued, then revoked by prefix, on the real sandbox (Vault double +
//               PostgreSQL), twice: time, rate, roles left in PostgreSQL, memory across repeats.
//   atmostonce  what sending a creating call at most once costs: the same creds GET through the Vault
//               client's pooled connection vs its single-shot connection, over HTTP and HTTPS.
// No argument = all four. --quick = a smoke run with few rounds.
using CrdbVault.Benchmarks;

bool quick = args.Contains("--quick");
var selected = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
bool all = selected.Count == 0;
foreach (string unknown in selected.Except(["import", "credential", "bulk", "atmostonce"], StringComparer.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"unknown benchmark '{unknown}'; use import, credential, bulk, atmostonce and/or --quick");
    return 2;
}

var report = new Report();
Console.WriteLine($"CrdbVault benchmarks on .NET {Environment.Version}, {Environment.ProcessorCount} cores{(quick ? " (quick)" : "")}");
try
{
    // Import first: it checks that nothing heavy is loaded, so it must run before anything loads Npgsql.
    if (all || selected.Contains("import")) ImportBenchmark.Run(report, quick);
    if (all || selected.Contains("credential")) await CredentialBenchmark.RunAsync(report, quick);
    if (all || selected.Contains("bulk")) await BulkBenchmark.RunAsync(report, quick);
    if (all || selected.Contains("atmostonce")) await AtMostOnceBenchmark.RunAsync(report, quick);
}
catch (Exception ex)
{
    report.Print();
    Console.Error.WriteLine($"benchmark failed: {ex}");
    return 1;
}
report.Print();
return report.Problems.Count == 0 ? 0 : 1;
