using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using CrdbVault.Tests.Compatibility;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Help;

/// <summary>
/// The module's help as a user meets it: <c>Get-Help &lt;cmdlet&gt; -Full</c> in the real engine reads
/// out/CrdbVault/en-US/CrdbVault.dll-Help.xml, which tools/CrdbVault.HelpGen generates at build time from
/// the cmdlets and docs/cmdlets/&lt;cmdlet&gt;.md. The per-cmdlet theories run over CmdletsToExport, so a
/// cmdlet another branch adds is covered as soon as it is in the manifest.
/// </summary>
public sealed partial class HelpTests(HelpTests.Module module) : IClassFixture<HelpTests.Module>
{
    private static string DocsDir => Path.Combine(PowerShellSession.RepoRoot, "docs", "cmdlets");
    private static string MamlPath => Path.Combine(PowerShellSession.RepoRoot, "out", "CrdbVault", "en-US", "CrdbVault.dll-Help.xml");

    public static TheoryData<string> ExportedCmdlets()
    {
        var data = new TheoryData<string>();
        foreach (string name in PesterFilesTests.ReadExportedCmdlets()) data.Add(name);
        return data;
    }

    /// <summary>One engine with the module imported, and what Get-Command says about its cmdlets.</summary>
    public sealed class Module : IDisposable
    {
        public PowerShellSession Session { get; } = new();
        public Dictionary<string, CmdletInfo> Cmdlets { get; }

        public Module()
        {
            ScriptResult r = Session.Run("Get-Command -Module CrdbVault -CommandType Cmdlet").AssertSuccess();
            Cmdlets = r.Output.Select(o => (CmdletInfo)o.BaseObject).ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        }

        public void Dispose() => Session.Dispose();
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Get_Help_Full_has_synopsis_description_examples_and_every_parameter(string cmdlet)
    {
        // A cmdlet in the manifest that this build does not contain yet (it lands with another branch)
        // has nothing to show; its markdown is still checked by the tests below.
        if (!module.Cmdlets.TryGetValue(cmdlet, out CmdletInfo? info)) return;

        ScriptResult r = module.Session.Run($$"""
            $h = Get-Help {{cmdlet}} -Full
            [pscustomobject]@{
                Synopsis    = "$($h.Synopsis)".Trim()
                Description = (@($h.description | ForEach-Object Text) -join "`n").Trim()
                Examples    = @($h.examples.example | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ Title = "$($_.title)"; Code = "$($_.code)"; Remarks = (@($_.remarks | ForEach-Object Text) -join ' ').Trim() } })
                Parameters  = @($h.parameters.parameter | Where-Object { $_ } | ForEach-Object { [pscustomobject]@{ Name = "$($_.name)"; Description = (@($_.description | ForEach-Object Text) -join ' ').Trim() } })
                Syntax      = @($h.syntax.syntaxItem).Count
                Inputs      = @($h.inputTypes.inputType | ForEach-Object { "$($_.type.name)" })
                Outputs     = @($h.returnValues.returnValue | ForEach-Object { "$($_.type.name)" })
                Notes       = (@($h.alertSet.alert | ForEach-Object Text) -join ' ')
            }
            """).AssertSuccess();
        dynamic help = r.Output.Single();

        string synopsis = help.Synopsis;
        Assert.False(string.IsNullOrWhiteSpace(synopsis), $"{cmdlet}: no synopsis (is out/CrdbVault/en-US/CrdbVault.dll-Help.xml there?)");
        Assert.DoesNotMatch(new Regex($@"^\s*{Regex.Escape(cmdlet)}(\s|$)"), synopsis); // not the syntax line PowerShell makes up without help
        Assert.False(string.IsNullOrWhiteSpace((string)help.Description), $"{cmdlet}: no description");

        var examples = ((object[])help.Examples).Cast<dynamic>().ToList();
        Assert.True(examples.Count >= 2, $"{cmdlet}: {examples.Count} example(s), want at least 2");
        foreach (dynamic e in examples)
        {
            Assert.Contains(cmdlet, (string)e.Code, StringComparison.OrdinalIgnoreCase);
            Assert.False(string.IsNullOrWhiteSpace((string)e.Remarks), $"{cmdlet}: example '{e.Title}' explains nothing");
            // HTML comments (the docs test's "docs-test skip" markers) are invisible in markdown and in help.
            Assert.DoesNotContain("<!--", (string)e.Remarks);
        }

        var documented = ((object[])help.Parameters).Cast<dynamic>().ToDictionary(p => (string)p.Name, p => (string)p.Description, StringComparer.OrdinalIgnoreCase);
        var common = Cmdlet.CommonParameters.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (string parameter in info.Parameters.Keys.Where(k => !common.Contains(k)))
        {
            Assert.True(documented.TryGetValue(parameter, out string? text), $"{cmdlet}: -{parameter} is missing from help");
            Assert.False(string.IsNullOrWhiteSpace(text), $"{cmdlet}: -{parameter} has no description");
        }
        Assert.All(documented.Keys, p => Assert.True(info.Parameters.ContainsKey(p), $"{cmdlet}: help documents -{p}, which the cmdlet does not have"));

        Assert.Equal(info.ParameterSets.Count, (int)help.Syntax);
        var outputs = ((object[])help.Outputs).Cast<string>().ToList();
        foreach (PSTypeName t in info.OutputType.Where(t => t.Type != typeof(void)))
            Assert.Contains(t.Type?.FullName ?? t.Name, outputs);
        Assert.NotEmpty((object[])help.Inputs);
        Assert.Contains("about_CommonParameters", (string)help.Notes, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Markdown_has_at_least_two_examples_that_parse(string cmdlet)
    {
        string path = Path.Combine(DocsDir, cmdlet + ".md");
        Assert.True(File.Exists(path), $"docs/cmdlets/{cmdlet}.md is missing: every cmdlet in CmdletsToExport gets one (examples, notes).");
        List<(string Title, string Code)> examples = Examples(path);
        Assert.True(examples.Count >= 2, $"{cmdlet}.md has {examples.Count} example(s) under ## EXAMPLES; write at least 2.");
        foreach ((string title, string code) in examples)
        {
            Parser.ParseInput(code, out _, out ParseError[] errors);
            Assert.True(errors.Length == 0, $"{cmdlet}.md, '{title}':\n" + string.Join("\n", errors.Select(e => $"  line {e.Extent.StartLineNumber}: {e.Message}")));
            Assert.Contains(cmdlet, code, StringComparison.OrdinalIgnoreCase);
            // No secrets typed into examples: they come from Read-Host -AsSecureString, Get-Credential or the environment.
            Assert.DoesNotMatch(PlainSecret(), code);
        }
    }

    [Fact]
    public void Examples_use_only_parameters_the_cmdlets_have()
    {
        var problems = new List<string>();
        var common = Cmdlet.CommonParameters.Concat(Cmdlet.OptionalCommonParameters).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (string path in Directory.EnumerateFiles(DocsDir, "*.md").Order(StringComparer.Ordinal))
        {
            foreach ((string title, string code) in Examples(path))
            {
                ScriptBlockAst ast = Parser.ParseInput(code, out _, out _);
                foreach (CommandAst call in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
                {
                    if (call.GetCommandName() is not string name || !module.Cmdlets.TryGetValue(name, out CmdletInfo? info)) continue;
                    foreach (CommandParameterAst p in call.CommandElements.OfType<CommandParameterAst>())
                    {
                        bool known = common.Contains(p.ParameterName) || info.Parameters.Values.Any(m =>
                            m.Name.Equals(p.ParameterName, StringComparison.OrdinalIgnoreCase) || m.Aliases.Contains(p.ParameterName, StringComparer.OrdinalIgnoreCase));
                        if (!known) problems.Add($"{Path.GetFileName(path)}, '{title}': {name} has no parameter -{p.ParameterName}");
                    }
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Markdown_files_belong_to_exported_cmdlets_and_name_real_parameters()
    {
        var exported = PesterFilesTests.ReadExportedCmdlets().ToHashSet(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFiles(DocsDir, "*.md"))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            Assert.Contains(name, exported);
            Assert.StartsWith($"# {name}", File.ReadAllText(path).TrimStart(), StringComparison.Ordinal);
            if (!module.Cmdlets.TryGetValue(name, out CmdletInfo? info)) continue;
            foreach (string parameter in Section(path, "PARAMETERS").Where(l => l.StartsWith("### -", StringComparison.Ordinal)).Select(l => l[5..].Trim()))
                Assert.True(info.Parameters.ContainsKey(parameter), $"{name}.md documents -{parameter}, which {name} does not have");
        }
    }

    [Fact]
    public void Maml_is_valid_and_holds_one_command_per_cmdlet()
    {
        Assert.True(File.Exists(MamlPath), "The build did not generate " + MamlPath);
        XDocument doc = XDocument.Load(MamlPath); // throws on malformed XML
        XNamespace msh = "http://msh", command = "http://schemas.microsoft.com/maml/dev/command/2004/10", maml = "http://schemas.microsoft.com/maml/2004/10";
        Assert.Equal(msh + "helpItems", doc.Root!.Name);
        Assert.Equal("maml", (string?)doc.Root.Attribute("schema"));
        var names = doc.Root.Elements(command + "command").Select(c => c.Element(command + "details")!.Element(command + "name")!.Value).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(module.Cmdlets.Keys.Order(StringComparer.OrdinalIgnoreCase), names.Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
        foreach (XElement c in doc.Root.Elements(command + "command"))
        {
            foreach (string part in new[] { "syntax", "parameters", "inputTypes", "returnValues", "examples" })
                Assert.NotNull(c.Element(command + part));
            Assert.NotNull(c.Element(maml + "description"));
        }
    }

    [Fact]
    public void Help_of_a_destructive_cmdlet_lists_WhatIf_and_Confirm()
    {
        ScriptResult r = module.Session.Run("(Get-Help Revoke-CrdbLease -Parameter WhatIf).name; (Get-Help Revoke-CrdbLease -Parameter Confirm).name").AssertSuccess();
        Assert.Equal(["WhatIf", "Confirm"], r.Output.Select(o => o.ToString()));
    }

    /// <summary>### headings under ## EXAMPLES, each with the text of its ```powershell block.</summary>
    internal static List<(string Title, string Code)> Examples(string path)
    {
        var result = new List<(string, string)>();
        string? title = null;
        List<string>? code = null;
        bool inFence = false;
        foreach (string line in Section(path, "EXAMPLES"))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                if (inFence) code = [];
                else if (title is not null && code is not null) result.Add((title, string.Join("\n", code)));
                continue;
            }
            if (inFence) code!.Add(line);
            else if (line.StartsWith("### ", StringComparison.Ordinal)) title = line[4..].Trim();
        }
        return result;
    }

    private static IEnumerable<string> Section(string path, string heading)
    {
        bool inside = false, inFence = false;
        foreach (string line in File.ReadLines(path))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal)) { inside = line[3..].Trim().Equals(heading, StringComparison.OrdinalIgnoreCase); continue; }
            if (inside) yield return line;
        }
    }

    [GeneratedRegex(@"ConvertTo-SecureString\s+['""]|-AsPlainText\s+-Force|\bhvs\.[A-Za-z0-9]{10,}|CCDB1_[A-Za-z0-9]{10,}_", RegexOptions.IgnoreCase)]
    private static partial Regex PlainSecret();
}
