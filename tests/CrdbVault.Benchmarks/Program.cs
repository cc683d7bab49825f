// Measured figures (README "Measured", docs/testing.md). A plain Stopwatch harness: warm-up rounds, then medians of
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
//               client's pooled connection vs its at-most-once connection, over HTTP and HTTPS.
//   percall     in a real pwsh (--pwsh PATH, CRDBVAULT_PWSH, pwsh on PATH or .tools/pwsh), interleaved:
//               New-CrdbDynamicCredential vs the floor vs an empty binary cmdlet vs Invoke-RestMethod +
//               ConvertTo-SecureString; the overhead in empty-cmdlet calls. --module PSD1 measures
//               another build of the module (e.g. the commit before a change).
//   longjobs    100 credentials through Use-CrdbDynamicCredential vs New + Revoke-CrdbLease -Sync on the sandbox;
//               the lease ledger's append rate with one writer and with two processes at once.
// No argument = all six. --quick = a smoke run with few rounds.
using CrdbVault.Benchmarks;

// The ledger benchmark's writer processes: dotnet CrdbVault.Benchmarks.dll --ledger-writer <file> <lines> <go-file>
if (args.Length == 4 && args[0] == "--ledger-writer") return LongJobBenchmark.Write(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[3]);

bool quick = args.Contains("--quick");
string? pwsh = OptionValue("--pwsh"), module = OptionValue("--module");
var selected = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal) && (i == 0 || args[i - 1] is not ("--pwsh" or "--module")))
    .ToHashSet(StringComparer.OrdinalIgnoreCase);
bool all = selected.Count == 0;
foreach (string unknown in selected.Except(["import", "credential", "bulk", "atmostonce", "percall", "longjobs"], StringComparer.OrdinalIgnoreCase))
{
    Console.Error.WriteLine($"unknown benchmark '{unknown}'; use import, credential, bulk, atmostonce, percall, longjobs and/or --quick, --pwsh PATH, --module PSD1");
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
    if (all || selected.Contains("percall")) await PerCallBenchmark.RunAsync(report, quick, pwsh, module);
    if (all || selected.Contains("longjobs")) await LongJobBenchmark.RunAsync(report, quick);
}
catch (Exception ex)
{
    report.Print();
    Console.Error.WriteLine($"benchmark failed: {ex}");
    return 1;
}
report.Print();
return report.Problems.Count == 0 ? 0 : 1;

string? OptionValue(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
