using System.Text.RegularExpressions;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Pipelines;

/// <summary>
/// CI logging commands and masking as a CI agent sees them: a real PowerShell process with TF_BUILD or
/// GITHUB_ACTIONS set, its standard output read line by line, the GitHub files read back, and a
/// transcript checked for leaks.
/// </summary>
[Collection("sandbox")]
public sealed partial class CiProcessTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-ci-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Dictionary<string, string?> Azure = new() { ["TF_BUILD"] = "True" };

    private Dictionary<string, string?> GitHub() => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_ENV"] = Path.Combine(_dir, "github_env"),
        ["GITHUB_OUTPUT"] = Path.Combine(_dir, "github_output"),
    };

    private static Dictionary<string, string?> With(Dictionary<string, string?> env, params (string Key, string Value)[] more)
    {
        var copy = new Dictionary<string, string?>(env);
        foreach (var (k, v) in more) copy[k] = v;
        return copy;
    }

    // ---- Set-CrdbPipelineVariable ---------------------------------------------------------------

    private const string VariableScript = """
        Start-Transcript -Path $env:T_TRANSCRIPT | Out-Null
        $secret = [System.Net.NetworkCredential]::new('', 'S3cr%t-value').SecurePassword
        Set-CrdbPipelineVariable -Name PLAIN -Value '50% done'
        Set-CrdbPipelineVariable -Name MULTI -Value "l1`r`nl2`nl3"
        Set-CrdbPipelineVariable -Name DB_PASSWORD -Value $secret
        Set-CrdbPipelineVariable -Name TOKEN -Value 'plain-but-secret' -Secret -IsOutput -WarningAction SilentlyContinue
        Set-CrdbPipelineVariable -Name SKIPPED -Value 'whatif-value' -Secret -WhatIf
        $o = Set-CrdbPipelineVariable -Name QUIET -Value 'q'
        Write-Host "OUTPUT-OBJECTS $(@($o).Count)"
        foreach ($bad in @(@{ Name = 'KEY'; Value = "line1`nline2"; Secret = $true }, @{ Name = 'bad name'; Value = 'x' }, @{ Name = '9lives'; Value = 'x' })) {
            try { Set-CrdbPipelineVariable @bad; Write-Host 'NOT REFUSED' } catch { Write-Host "REFUSED $($_.FullyQualifiedErrorId)" }
        }
        Stop-Transcript | Out-Null
        """;

    private string Transcript => Path.Combine(_dir, "transcript.txt");

    [Fact]
    public async Task Azure_DevOps_gets_setvariable_lines_escaped_on_standard_output_and_nothing_in_the_transcript()
    {
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync(VariableScript, With(Azure, ("T_TRANSCRIPT", Transcript)));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        string[] commands = [.. r.Lines.Where(l => l.Contains("##vso[", StringComparison.Ordinal))];
        Assert.Equal(
        [
            "##vso[task.setvariable variable=PLAIN;issecret=false;isoutput=false]50%AZP25 done",
            "##vso[task.setvariable variable=MULTI;issecret=false;isoutput=false]l1%0D%0Al2%0Al3",
            "##vso[task.setvariable variable=DB_PASSWORD;issecret=true;isoutput=false]S3cr%AZP25t-value",
            "##vso[task.setvariable variable=TOKEN;issecret=true;isoutput=true]plain-but-secret",
            "##vso[task.setvariable variable=QUIET;issecret=false;isoutput=false]q",
        ], commands);
        Assert.Contains("OUTPUT-OBJECTS 0", r.Lines);
        Assert.Equal(3, r.Lines.Count(l => l.StartsWith("REFUSED InvalidPipelineVariable,", StringComparison.Ordinal)));
        Assert.DoesNotContain("NOT REFUSED", r.StdOut);
        Assert.DoesNotContain("whatif-value", r.StdOut);
        Assert.Contains(r.Lines, l => l.StartsWith("What if:", StringComparison.Ordinal) && l.Contains("'SKIPPED'"));
        Assert.DoesNotContain("line1", r.StdOut);

        string transcript = await File.ReadAllTextAsync(Transcript);
        Assert.Contains("OUTPUT-OBJECTS 0", transcript); // the transcript did record the session...
        foreach (string leak in new[] { "##vso", "S3cr", "plain-but-secret", "50% done", "50%AZP25", "l2" })
            Assert.DoesNotContain(leak, transcript); // ...but never a logging command or a value
    }

    [Fact]
    public async Task GitHub_gets_add_mask_lines_and_heredoc_entries_in_its_files_and_nothing_in_the_transcript()
    {
        var env = With(GitHub(), ("T_TRANSCRIPT", Transcript));
        await File.WriteAllTextAsync(env["GITHUB_ENV"]!, "EARLIER=kept\n");
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync(VariableScript, env);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);

        Assert.Equal(["::add-mask::S3cr%25t-value", "::add-mask::plain-but-secret"], r.Lines.Where(l => l.StartsWith("::", StringComparison.Ordinal)));
        Assert.Equal(3, r.Lines.Count(l => l.StartsWith("REFUSED InvalidPipelineVariable,", StringComparison.Ordinal)));

        string githubEnv = await File.ReadAllTextAsync(env["GITHUB_ENV"]!);
        var entries = ParseHeredocs(githubEnv["EARLIER=kept\n".Length..]);
        Assert.StartsWith("EARLIER=kept\n", githubEnv);
        Assert.Equal([("PLAIN", "50% done"), ("MULTI", "l1\r\nl2\nl3"), ("DB_PASSWORD", "S3cr%t-value"), ("QUIET", "q")], entries.Select(e => (e.Name, e.Value)));
        Assert.All(entries, e => Assert.Matches("^ghadelimiter_[0-9a-f]{32}$", e.Delimiter));
        Assert.Equal(entries.Count, entries.Select(e => e.Delimiter).Distinct().Count());
        var outputs = ParseHeredocs(await File.ReadAllTextAsync(env["GITHUB_OUTPUT"]!));
        Assert.Equal([("TOKEN", "plain-but-secret")], outputs.Select(e => (e.Name, e.Value)));
        Assert.DoesNotContain("whatif-value", githubEnv + r.StdOut);
        Assert.DoesNotContain("line1", githubEnv);

        string transcript = await File.ReadAllTextAsync(Transcript);
        foreach (string leak in new[] { "add-mask", "S3cr", "plain-but-secret", "ghadelimiter" })
            Assert.DoesNotContain(leak, transcript);
    }

    [Fact]
    public async Task Outside_both_systems_it_is_an_error_and_nothing_is_written()
    {
        var env = GitHub();
        env.Remove("GITHUB_ACTIONS"); // the files exist, but no CI system claims the job
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync("""
            try { Set-CrdbPipelineVariable -Name X -Value 'outside-value' } catch { Write-Host "ERROR $($_.FullyQualifiedErrorId) | $($_.Exception.Message)" }
            """, env);
        Assert.Contains(r.Lines, l => l.StartsWith("ERROR NotInPipeline,", StringComparison.Ordinal) && l.Contains("nothing was written"));
        Assert.DoesNotContain("outside-value", r.StdOut);
        Assert.DoesNotContain(r.Lines, l => l.StartsWith("##vso", StringComparison.Ordinal) || l.StartsWith("::", StringComparison.Ordinal));
        Assert.False(File.Exists(env["GITHUB_ENV"]!));
    }

    private sealed record Heredoc(string Name, string Delimiter, string Value);

    // The runner's reading of NAME<<DELIM / value lines / DELIM.
    private static List<Heredoc> ParseHeredocs(string text)
    {
        var result = new List<Heredoc>();
        string[] lines = text.Split(Environment.NewLine);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            Match m = HeredocStart().Match(lines[i]);
            Assert.True(m.Success, $"not a heredoc start: '{lines[i]}'");
            string delimiter = m.Groups[2].Value;
            int end = Array.IndexOf(lines, delimiter, i + 1);
            Assert.True(end > i, $"no closing delimiter for {m.Groups[1].Value}");
            result.Add(new Heredoc(m.Groups[1].Value, delimiter, string.Join(Environment.NewLine, lines[(i + 1)..end])));
            i = end;
        }
        return result;
    }

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]*)<<(.+)$")]
    private static partial Regex HeredocStart();

    // ---- Masking of every secret the module hands out -------------------------------------------

    /// <summary>Issues every kind of secret; prints each AFTER the transcript stopped, so the transcript must hold none.</summary>
    private const string MaskingScript = """
        Start-Transcript -Path $env:T_TRANSCRIPT | Out-Null
        Connect-CrdbVault -Address $env:T_VAULT_ADDR -Token ([System.Net.NetworkCredential]::new('', $env:T_VAULT_TOKEN).SecurePassword) | Out-Null
        $admin = [pscredential]::new($env:T_PG_USER, [System.Net.NetworkCredential]::new('', $env:T_PG_PASSWORD).SecurePassword)
        # -SkipPrivilegeCheck: the probe's own credential would be registered too (rightly), and the
        # test counts exactly the secrets the script hands out.
        Initialize-CrdbVaultDatabase -Name pg -MountPath $env:T_MOUNT -ConnectionUrl $env:T_PG_URL -Credential $admin -SkipPrivilegeCheck -WarningAction SilentlyContinue | Out-Null
        Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $env:T_MOUNT -Grant 'CONNECT ON DATABASE postgres' -WarningAction SilentlyContinue | Out-Null
        Set-CrdbVaultStaticRole -Name st -ConnectionName pg -MountPath $env:T_MOUNT -UserName $env:T_STATIC_USER -RotationPeriod '1h' | Out-Null
        Initialize-CrdbCertificateAuthority -MountPath $env:T_PKI -CommonName 'CI Client CA' -KeyType ec | Out-Null
        $dynamic = New-CrdbDynamicCredential -Role app -MountPath $env:T_MOUNT
        $static = Get-CrdbStaticCredential -Role st -MountPath $env:T_MOUNT
        $url = $static | Get-CrdbConnectionString -Server db.example.com -Database postgres -AsPlainText
        $safeUrl = $static | Get-CrdbConnectionString -Server db.example.com -Database postgres -WarningAction SilentlyContinue
        $cert = New-CrdbClientCert -User app -MountPath $env:T_PKI
        Write-Host 'ISSUED-EVERYTHING'
        Stop-Transcript | Out-Null
        Write-Host "PRINT-DYNAMIC $($dynamic.Credential.GetNetworkCredential().Password)"
        Write-Host "PRINT-STATIC $($static.Credential.GetNetworkCredential().Password)"
        Write-Host "PRINT-URL $url"
        Write-Host "PRINT-SAFEURL $safeUrl"
        Write-Host "PRINT-KEY"
        Write-Host ([System.Net.NetworkCredential]::new('', $cert.PrivateKey).Password)
        $env:CRDBVAULT_CI_MASKING = 'off'
        $later = New-CrdbDynamicCredential -Role app -MountPath $env:T_MOUNT
        Write-Host "PRINT-UNMASKED $($later.Credential.GetNetworkCredential().Password)"
        $dynamic, $later | Revoke-CrdbLease -Sync
        """;

    private async Task<Dictionary<string, string?>> MaskingEnvironmentAsync(Dictionary<string, string?> ci)
    {
        var pg = sandbox.World.Postgres;
        string staticUser = SandboxFixture.Unique("ci_static");
        await using (var conn = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE {staticUser} LOGIN PASSWORD 'initial-{Guid.NewGuid():n}'", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return With(ci,
            ("T_TRANSCRIPT", Transcript),
            ("T_VAULT_ADDR", sandbox.World.VaultAddress),
            ("T_VAULT_TOKEN", sandbox.World.RootToken),
            ("T_PG_USER", pg.AdminUser),
            ("T_PG_PASSWORD", pg.AdminPassword),
            ("T_PG_URL", $"postgresql://{pg.Host}:{pg.Port}/postgres?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}"),
            ("T_MOUNT", SandboxFixture.Unique("cidb")),
            ("T_PKI", SandboxFixture.Unique("cipki")),
            ("T_STATIC_USER", staticUser));
    }

    [Theory]
    [InlineData("azure")]
    [InlineData("github")]
    public async Task Every_secret_handed_out_is_registered_for_masking_before_it_is_returned(string system)
    {
        bool azure = system == "azure";
        var env = await MaskingEnvironmentAsync(azure ? Azure : GitHub());
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync(MaskingScript, env);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        string[] lines = r.Lines;
        string prefix = azure ? "##vso[task.setsecret]" : "::add-mask::";
        string Unescape(string s) => azure ? s.Replace("%AZP25", "%") : s.Replace("%25", "%");
        List<(int Index, string Value)> registered = [.. lines.Select((l, i) => (i, l)).Where(x => x.l.StartsWith(prefix, StringComparison.Ordinal)).Select(x => (x.i, Unescape(x.l[prefix.Length..])))];

        string Printed(string marker) => lines.Single(l => l.StartsWith(marker + " ", StringComparison.Ordinal))[(marker.Length + 1)..];
        int Line(string marker) => Array.FindIndex(lines, l => l.StartsWith(marker, StringComparison.Ordinal));

        // Each secret was registered, and its registration came before the first line that shows it.
        string dynamicPassword = Printed("PRINT-DYNAMIC"), staticPassword = Printed("PRINT-STATIC"), url = Printed("PRINT-URL");
        Assert.Equal(20, dynamicPassword.Length);
        Assert.Contains(staticPassword, url);
        foreach (string secret in new[] { dynamicPassword, staticPassword, url })
        {
            int first = Array.FindIndex(lines, l => l.Contains(secret, StringComparison.Ordinal) && !l.StartsWith(prefix, StringComparison.Ordinal));
            Assert.Contains(registered, x => x.Value == secret && x.Index < first);
        }
        // The key: every body line registered before the key is printed; the armour lines not at all.
        int keyStart = Line("PRINT-KEY") + 1;
        string[] keyLines = lines[keyStart..].TakeWhile(l => !l.StartsWith("PRINT-UNMASKED", StringComparison.Ordinal)).Where(l => l.Length > 0).ToArray();
        Assert.StartsWith("-----BEGIN", keyLines[0]);
        foreach (string body in keyLines.Where(l => !l.StartsWith("-----", StringComparison.Ordinal)))
            Assert.Contains(registered, x => x.Value == body && x.Index < keyStart);
        Assert.DoesNotContain(registered, x => x.Value.StartsWith("-----", StringComparison.Ordinal));
        // A connection string without the password is not a secret; nothing that is not one was registered.
        string safeUrl = Printed("PRINT-SAFEURL");
        Assert.DoesNotContain(registered, x => x.Value == safeUrl);
        string[] secrets = [dynamicPassword, staticPassword, url, .. keyLines];
        Assert.All(registered, x => Assert.Contains(secrets, s => s.Contains(x.Value, StringComparison.Ordinal)));
        // $env:CRDBVAULT_CI_MASKING = 'off' in the session: the next secret is not registered.
        string unmasked = Printed("PRINT-UNMASKED");
        Assert.DoesNotContain(registered, x => x.Value == unmasked);
        Assert.True(registered.Max(x => x.Index) < Line("PRINT-DYNAMIC"));

        // The transcript saw the whole issuing session, but neither a logging command nor a secret.
        string transcript = await File.ReadAllTextAsync(Transcript);
        Assert.Contains("ISSUED-EVERYTHING", transcript); // it was recording
        foreach (string leak in secrets.Append(prefix))
            Assert.DoesNotContain(leak, transcript);
    }

    [Fact]
    public async Task Outside_CI_no_secret_is_registered()
    {
        var env = await MaskingEnvironmentAsync([]);
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync(MaskingScript, env);
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.DoesNotContain(r.Lines, l => l.StartsWith("##vso", StringComparison.Ordinal) || l.StartsWith("::", StringComparison.Ordinal));
        Assert.Contains(r.Lines, l => l.StartsWith("PRINT-DYNAMIC ", StringComparison.Ordinal));
    }
}
