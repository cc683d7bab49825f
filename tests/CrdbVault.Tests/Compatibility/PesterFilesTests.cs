using System.Management.Automation.Language;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Compatibility;

/// <summary>
/// The Pester suite itself runs in real pwsh (.ci/run, build.ps1 -Task Test); these checks hold it to
/// its shape even where only the .NET SDK exists: build.ps1, tools/*.ps1 and every tests/pester and
/// tests/scenarios script parse with PowerShell's own parser, there is one <c>&lt;Cmdlet&gt;.Tests.ps1</c>
/// per exported cmdlet that calls its cmdlet (behaviour, not only export and help), and every
/// scenario runs under Pester.
/// </summary>
public sealed class PesterFilesTests
{
    private static string PesterDir => Path.Combine(PowerShellSession.RepoRoot, "tests", "pester");
    private static string ScenarioDir => Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios");

    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string> { "build.ps1" };
        foreach (string dir in new[] { PesterDir, ScenarioDir, Path.Combine(PowerShellSession.RepoRoot, "tools") }.Where(Directory.Exists))
            foreach (string file in Directory.EnumerateFiles(dir, "*.ps1").Order(StringComparer.Ordinal))
                data.Add(Path.GetRelativePath(PowerShellSession.RepoRoot, file));
        return data;
    }

    public static TheoryData<string> ExportedCmdlets()
    {
        var data = new TheoryData<string>();
        foreach (string name in ReadExportedCmdlets()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(PowerShellSession.RepoRoot, relativePath), out _, out ParseError[] errors);
        Assert.True(errors.Length == 0,
            $"{relativePath}:\n" + string.Join("\n", errors.Select(e => $"  line {e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Every_exported_cmdlet_has_a_Pester_file_that_describes_it(string cmdlet)
    {
        string path = Path.Combine(PesterDir, cmdlet + ".Tests.ps1");
        Assert.True(File.Exists(path), $"tests/pester/{cmdlet}.Tests.ps1 is missing: every cmdlet in CmdletsToExport gets one.");
        ScriptBlockAst ast = Parser.ParseFile(path, out _, out _);
        List<CommandAst> commands = ast.FindAll(a => a is CommandAst, searchNestedScriptBlocks: true).Cast<CommandAst>().ToList();

        CommandAst? describe = commands.FirstOrDefault(c => string.Equals(c.GetCommandName(), "Describe", StringComparison.OrdinalIgnoreCase));
        Assert.True(describe is not null, $"{cmdlet}.Tests.ps1 has no Describe block.");
        // Describe '<Cmdlet>' { ... } names the cmdlet, so Pester's output says what failed.
        Assert.Contains(describe!.CommandElements.OfType<StringConstantExpressionAst>(), s => s.Value == cmdlet);
        Assert.Contains(commands, c => string.Equals(c.GetCommandName(), "It", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(commands, c => string.Equals(c.GetCommandName(), "Should", StringComparison.OrdinalIgnoreCase));
        // It exercises its own cmdlet: a call outside Get-CrdbCommandFacts, in an It block (a file that
        // only checks export and help is not a behaviour test).
        bool calledInIt = commands
            .Where(c => string.Equals(c.GetCommandName(), cmdlet, StringComparison.OrdinalIgnoreCase))
            .Any(c => Ancestors(c).OfType<CommandAst>().Any(a => string.Equals(a.GetCommandName(), "It", StringComparison.OrdinalIgnoreCase)));
        Assert.True(calledInIt, $"{cmdlet}.Tests.ps1 never calls {cmdlet} in an It block: test what it does, not only that it exists.");
    }

    private static IEnumerable<Ast> Ancestors(Ast ast)
    {
        for (Ast? a = ast.Parent; a is not null; a = a.Parent) yield return a;
    }

    [Fact]
    public void Every_scenario_runs_under_Pester()
    {
        ScriptBlockAst ast = Parser.ParseFile(Path.Combine(PesterDir, "Scenarios.Tests.ps1"), out _, out ParseError[] errors);
        Assert.Empty(errors);
        var invoked = ast.FindAll(a => a is CommandAst c && c.GetCommandName() == "Invoke-CrdbScenario", true).Cast<CommandAst>()
            .Select(c => c.CommandElements.OfType<StringConstantExpressionAst>().Skip(1).FirstOrDefault()?.Value)
            .ToHashSet(StringComparer.Ordinal);
        foreach (string scenario in Directory.EnumerateFiles(ScenarioDir, "*.ps1").Select(f => Path.GetFileNameWithoutExtension(f)))
            Assert.True(invoked.Contains(scenario), $"tests/scenarios/{scenario}.ps1 is not run by tests/pester/Scenarios.Tests.ps1 (Invoke-CrdbScenario {scenario} ...).");
    }

    [Fact]
    public void Pester_folder_holds_cmdlet_files_scenarios_package_and_the_shared_helpers()
    {
        var exported = ReadExportedCmdlets().ToHashSet(StringComparer.Ordinal);
        string[] others = ["Common.ps1", "Invoke-CrdbPesterSuite.ps1", "Scenarios.Tests.ps1", "Package.Tests.ps1",
            // The docs test (docs/testing.md, "Docs as tests"): the test, its machinery, the pwsh it starts per docs file,
            // the pipeline runner for the ```yaml blocks and its command-line front.
            "DocExamples.Tests.ps1", "DocExamples.ps1", "DocExamples.Driver.ps1", "DocPipelines.ps1", "Invoke-CrdbDocPipeline.ps1"];
        foreach (string file in Directory.EnumerateFiles(PesterDir, "*.ps1"))
        {
            string name = Path.GetFileName(file);
            if (others.Contains(name)) continue;
            Assert.EndsWith(".Tests.ps1", name, StringComparison.Ordinal);
            Assert.Contains(name[..^".Tests.ps1".Length], exported);
        }
    }

    [Fact]
    public void Behaviour_files_start_the_sandbox_and_stop_it()
    {
        // The dynamic-credential cmdlets' files talk to the real sandbox; a file that starts it and
        // never stops it would leave PostgreSQL running after the suite.
        foreach (string file in Directory.EnumerateFiles(PesterDir, "*.Tests.ps1"))
        {
            ScriptBlockAst ast = Parser.ParseFile(file, out _, out _);
            var calls = ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>().ToList();
            if (!calls.Any(c => c.GetCommandName() == "Start-CrdbSandbox")) continue;
            CommandAst? afterAll = calls.FirstOrDefault(c => c.GetCommandName() == "AfterAll");
            bool stops = afterAll is not null && afterAll.FindAll(a => a is CommandAst { } c && c.GetCommandName() == "Stop-CrdbSandbox", true).Any();
            Assert.True(stops, $"{Path.GetFileName(file)} starts the sandbox but has no AfterAll {{ Stop-CrdbSandbox ... }}.");
        }
        string common = File.ReadAllText(Path.Combine(PesterDir, "Common.ps1"));
        Assert.Contains("'serve', '--info-file'", common);
    }

    /// <summary>CmdletsToExport of CrdbVault.psd1, read with PowerShell's parser (not a regex).</summary>
    internal static IReadOnlyList<string> ReadExportedCmdlets()
    {
        ScriptBlockAst ast = Parser.ParseFile(Path.Combine(PowerShellSession.RepoRoot, "CrdbVault.psd1"), out _, out ParseError[] errors);
        Assert.Empty(errors);
        var table = (HashtableAst)ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false)!;
        var entry = table.KeyValuePairs.Single(kv => kv.Item1 is StringConstantExpressionAst { Value: "CmdletsToExport" });
        var names = entry.Item2.FindAll(a => a is StringConstantExpressionAst, searchNestedScriptBlocks: false)
            .Cast<StringConstantExpressionAst>().Select(s => s.Value).ToList();
        Assert.NotEmpty(names);
        return names;
    }
}
