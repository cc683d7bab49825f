using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace CrdbVault.Benchmarks;

/// <summary>
/// What one cmdlet call costs in a real pwsh, in units users can picture. Four cases run
/// interleaved in ONE pwsh process against the same local stub (<see cref="StubVault"/>), each
/// sample a batch of calls divided by the batch size:
/// <list type="bullet">
/// <item><c>module</c>: <c>New-CrdbDynamicCredential</c> (connect once, then issue);</item>
/// <item><c>floor</c>: the same GET with a reused bare <c>HttpClient</c> and <c>JsonDocument</c>;</item>
/// <item><c>empty</c>: an empty binary cmdlet (<c>Get-Empty</c> of out/EmptyModule): the unit;</item>
/// <item><c>handwritten</c>: what users write without the module, <c>Invoke-RestMethod</c> and
/// <c>ConvertTo-SecureString</c>.</item>
/// </list>
/// Figures: the module's overhead over the floor in empty-cmdlet calls (target under 1.5) and the
/// module against the handwritten call (target at most 0.7x). The machine's load average before and
/// after is reported, because the figures mean little on a busy machine.
/// </summary>
internal static class PerCallBenchmark
{
    private const string Script = """
        param([string]$Module, [string]$EmptyModule, [string]$Address, [string]$Token, [int]$Rounds, [int]$Warmup, [int]$Batch)
        $ErrorActionPreference = 'Stop'
        Import-Module $Module
        Import-Module $EmptyModule
        $null = Connect-CrdbVault -Address $Address -Token ([System.Net.NetworkCredential]::new('', $Token).SecurePassword)
        $floor = [System.Net.Http.HttpClient]::new()
        $floor.DefaultRequestHeaders.Add('X-Vault-Token', $Token)
        $floor.DefaultRequestHeaders.Add('X-Vault-Request', 'true')
        $uri = "$Address/v1/database/creds/bench"
        $headers = @{ 'X-Vault-Token' = $Token; 'X-Vault-Request' = 'true' }
        # One call of each case, as a user writes it.
        $calls = [ordered]@{
            module      = '$null = New-CrdbDynamicCredential bench'
            floor       = '$r = $floor.GetAsync($uri).GetAwaiter().GetResult(); $d = [System.Text.Json.JsonDocument]::Parse($r.Content.ReadAsStringAsync().GetAwaiter().GetResult()); $null = $d.RootElement.GetProperty(''data'').GetProperty(''password'').GetString(); $d.Dispose(); $r.Dispose()'
            empty       = '$null = Get-Empty'
            handwritten = '$r = Invoke-RestMethod -Uri $uri -Headers $headers; $null = ConvertTo-SecureString $r.data.password -AsPlainText -Force'
            nothing     = '$null = $null'
        }
        # Two ways to call: 'statement' = the call as a statement of a running script (a loop of
        # $Batch calls, compiled like a runbook's body); 'pipeline' = every call a pipeline of its own
        # (what a command typed at the prompt, or each Invoke() of a host, costs).
        $cases = [ordered]@{}
        foreach ($n in $calls.Keys) {
            $cases["statement/$n"] = [scriptblock]::Create("for (`$i = 0; `$i -lt `$Batch; `$i++) { $($calls[$n]) }")
            $text = $calls[$n]
            $cases["pipeline/$n"] = [scriptblock]::Create("for (`$i = 0; `$i -lt `$Batch; `$i++) { `$ps = [powershell]::Create('CurrentRunspace'); `$null = `$ps.AddScript('$($text.Replace("'", "''"))').Invoke(); if (`$ps.HadErrors) { throw `$ps.Streams.Error[0] }; `$ps.Dispose() }")
        }
        # The module really parses the stub's answer.
        if ((New-CrdbDynamicCredential bench).UserName -ne 'v-token-bench-abcdefghij-1700000000') { throw 'the module did not parse the answer' }
        $names = @($cases.Keys)
        $samples = @{}
        foreach ($n in $names) { $samples[$n] = [System.Collections.Generic.List[double]]::new() }
        $watch = [System.Diagnostics.Stopwatch]::new()
        for ($round = 0; $round -lt $Warmup + $Rounds; $round++) {
            # Rotate who goes first so that no case always runs on a "warmer" machine.
            for ($k = 0; $k -lt $names.Count; $k++) {
                $n = $names[($round + $k) % $names.Count]
                $watch.Restart()
                & $cases[$n]
                $watch.Stop()
                if ($round -ge $Warmup) { $samples[$n].Add($watch.Elapsed.TotalMilliseconds / $Batch) }
            }
        }
        $floor.Dispose()
        $samples | ConvertTo-Json -Compress
        """;

    public static async Task RunAsync(Report report, bool quick, string? pwshOverride, string? moduleOverride)
    {
        string pwsh = FindPwsh(pwshOverride);
        string module = moduleOverride is null ? Harness.ModuleManifest : Path.GetFullPath(moduleOverride);
        string emptyModule = Path.Combine(Harness.RepoRoot, "out", "EmptyModule", "EmptyModule.psd1");
        foreach (string m in new[] { module, emptyModule })
            if (!File.Exists(m)) throw new FileNotFoundException($"{m} is missing: build the solution first.", m);
        Console.WriteLine($"percall: {module} vs floor vs empty cmdlet vs Invoke-RestMethod, interleaved in {pwsh}");
        await using var stub = StubVault.Start();
        string scriptFile = Path.Combine(Path.GetTempPath(), $"crdbvault-percall-{Environment.ProcessId}.ps1");
        await File.WriteAllTextAsync(scriptFile, Script);
        // Tiered JIT makes the first hundreds of calls several times slower: a long warm-up, then many rounds.
        int rounds = quick ? 20 : 400, warmup = quick ? 5 : 150, batch = quick ? 5 : 10;
        string loadBefore = LoadAverage();
        string json;
        try
        {
            json = await RunPwshAsync(pwsh, module, scriptFile, stub, rounds, warmup, batch);
        }
        finally
        {
            File.Delete(scriptFile);
        }
        string loadAfter = LoadAverage();
        Dictionary<string, List<double>> samples = JsonSerializer.Deserialize<Dictionary<string, List<double>>>(json)
            ?? throw new InvalidOperationException("pwsh printed no samples.");
        long expected = (long)(rounds + warmup) * batch * 6 + 1; // module, floor and handwritten in both ways ask for creds
        if (stub.CredsServed < expected) throw new InvalidOperationException($"Only {stub.CredsServed} creds requests reached the stub; expected at least {expected}.");

        foreach (string way in new[] { "statement", "pipeline" })
        {
            double Med(string n) => Harness.Median(samples[$"{way}/{n}"]);
            foreach (string n in new[] { "module", "floor", "empty", "handwritten", "nothing" })
            {
                List<double> s = samples[$"{way}/{n}"];
                report.Add("percall", $"{way}: median {n} (n={s.Count} x {batch}, ms per call)", $"{Med(n):0.000} (p90 {Harness.Percentile(s, 0.9):0.000})");
            }
            double overhead = Med("module") - Med("floor");
            double units = overhead / Med("empty");
            report.Add("percall", $"{way}: module - floor (ms)", $"{overhead:0.000}");
            report.Add("percall", $"{way}: overhead in empty-cmdlet calls (target < 1.5)", $"{units:0.00}");
            report.Add("percall", $"{way}: module / handwritten (target <= 0.7)", $"{Med("module") / Med("handwritten"):0.00}x");
            if (way == "pipeline" && units >= 1.5)
                report.Problem($"New-CrdbDynamicCredential costs {units:0.00} empty-cmdlet calls more than the floor (target < 1.5).");
            if (way == "pipeline" && Med("module") / Med("handwritten") > 0.7)
                report.Problem($"New-CrdbDynamicCredential is {Med("module") / Med("handwritten"):0.00}x Invoke-RestMethod + ConvertTo-SecureString (target 0.7x).");
        }
        await CoreShareAsync(report, stub, quick);
        report.Add("percall", "load average before / after (1, 5, 15 min)", $"{loadBefore} / {loadAfter} on {Environment.ProcessorCount} cores");
    }

    /// <summary>
    /// Where the overhead goes: the same call from C# through Core (DatabaseEngine, the Vault client,
    /// the HTTP pipeline) against a bare HttpClient + JsonDocument, no PowerShell at all. What the
    /// module costs beyond this share is the cmdlet's.
    /// </summary>
    private static async Task CoreShareAsync(Report report, StubVault stub, bool quick)
    {
        using var bare = new HttpClient();
        bare.DefaultRequestHeaders.Add("X-Vault-Token", StubVault.Token);
        bare.DefaultRequestHeaders.Add("X-Vault-Request", "true");
        var uri = new Uri(stub.Address + "/v1/database/creds/bench");
        using var client = new Core.Vault.VaultClient(new Core.Vault.VaultClientOptions { Address = new Uri(stub.Address) }, new StubToken());
        var engine = new Core.Database.DatabaseEngine(client);
        double Bare()
        {
            long t = Stopwatch.GetTimestamp();
            using HttpResponseMessage r = bare.GetAsync(uri).GetAwaiter().GetResult();
            using var d = JsonDocument.Parse(r.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            _ = d.RootElement.GetProperty("data").GetProperty("password").GetString();
            return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        double ThroughCore()
        {
            long t = Stopwatch.GetTimestamp();
            Core.Database.IssuedCredential issued = engine.IssueCredentialAsync("bench", CancellationToken.None).GetAwaiter().GetResult();
            issued.Password.Dispose();
            return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        await Task.Yield();
        (List<double> core, List<double> floor) = Harness.Interleaved(ThroughCore, Bare, warmup: quick ? 20 : 500, rounds: quick ? 50 : 2000);
        report.Add("percall", "C#: median Core IssueCredentialAsync vs bare HttpClient (ms)", $"{Harness.Median(core):0.000} vs {Harness.Median(floor):0.000}");
        report.Add("percall", "C#: Core's share of the overhead (ms)", $"{Harness.Median(core) - Harness.Median(floor):0.000}");
    }

    private sealed class StubToken : Core.Vault.IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(StubVault.Token);
    }

    private static async Task<string> RunPwshAsync(string pwsh, string module, string scriptFile, StubVault stub, int rounds, int warmup, int batch)
    {
        var start = new ProcessStartInfo(pwsh)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "-NoProfile", "-NonInteractive", "-File", scriptFile,
            "-Module", module, "-EmptyModule", Path.Combine(Harness.RepoRoot, "out", "EmptyModule", "EmptyModule.psd1"),
            "-Address", stub.Address, "-Token", StubVault.Token,
            "-Rounds", rounds.ToString(CultureInfo.InvariantCulture), "-Warmup", warmup.ToString(CultureInfo.InvariantCulture),
            "-Batch", batch.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        // Nothing of the machine's CI may register masks or change the module's behaviour here.
        foreach (string v in new[] { "TF_BUILD", "GITHUB_ACTIONS", "VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE" }) start.Environment.Remove(v);
        using Process p = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {pwsh}.");
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        string output = await stdout, errors = await stderr;
        if (p.ExitCode != 0) throw new InvalidOperationException($"pwsh exited with {p.ExitCode}: {errors}{output}");
        return output.Trim().Split('\n').Last();
    }

    /// <summary>--pwsh PATH, else CRDBVAULT_PWSH, else pwsh on PATH, else the repo's .tools/pwsh (what .ci/run installs).</summary>
    private static string FindPwsh(string? pwshOverride)
    {
        string? candidate = pwshOverride ?? Environment.GetEnvironmentVariable("CRDBVAULT_PWSH");
        if (!string.IsNullOrEmpty(candidate)) return candidate;
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string file = Path.Combine(dir, OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
            if (File.Exists(file)) return file;
        }
        string tools = Path.Combine(Harness.RepoRoot, ".tools", "pwsh", OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        return File.Exists(tools) ? tools : throw new FileNotFoundException("No pwsh found: pass --pwsh <path> or set CRDBVAULT_PWSH.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
