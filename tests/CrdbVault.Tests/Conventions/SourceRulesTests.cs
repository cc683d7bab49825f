using System.Text.RegularExpressions;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Conventions;

/// <summary>
/// The house rules that a compiler does not check (docs/contributing.md lists them): source lines fit
/// a screen, the repository cites only files it holds, and every environment variable the module reads
/// is on the one settings page, with the module's own knobs read in one class.
/// </summary>
public sealed partial class SourceRulesTests
{
    private const int MaxLineLength = 160;

    private static string Root => PowerShellSession.RepoRoot;

    /// <summary>Files under <paramref name="folder"/> ending in <paramref name="extension"/>, build output left out.</summary>
    private static IEnumerable<string> Files(string folder, string extension) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*" + extension, SearchOption.AllDirectories)
            .Where(f => !Relative(f).Split('/').Any(part => part is "bin" or "obj"));

    private static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Everything a reader of the repository reads: code, tests and documentation.</summary>
    private static IEnumerable<string> ReadableFiles() =>
        Files("src", ".cs").Concat(Files("tests", ".cs")).Concat(Files("docs", ".md"))
            .Append(Path.Combine(Root, "README.md")).Append(Path.Combine(Root, "CHANGELOG.md"));

    [Fact]
    public void Source_lines_in_src_are_at_most_160_characters()
    {
        var tooLong = new List<string>();
        foreach (string file in Files("src", ".cs"))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].Length > MaxLineLength) tooLong.Add($"{Relative(file)}:{i + 1} ({lines[i].Length})");
            }
        }
        Assert.True(tooLong.Count == 0, $"Lines longer than {MaxLineLength} characters:\n{string.Join("\n", tooLong)}");
    }

    [GeneratedRegex(@"(?<![\w/.-])(?<path>[\w./-]+\.md)\b")]
    private static partial Regex MarkdownMention();

    /// <summary>Documents that live outside this repository and must not be cited; their facts are in docs/.</summary>
    [GeneratedRegex(@"\bDESIGN\b|\bCONVENTIONS\b|vault-api|powershell-ecosystem|/work/|\.\./shared|§")]
    private static partial Regex OutsideDocument();

    [Fact]
    public void Every_cited_document_is_in_the_repository()
    {
        var missing = new List<string>();
        foreach (string file in ReadableFiles().Where(f => !f.EndsWith(nameof(SourceRulesTests) + ".cs", StringComparison.Ordinal)))
        {
            string dir = Path.GetDirectoryName(file)!;
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (OutsideDocument().Match(lines[i]) is { Success: true } outside)
                    missing.Add($"{Relative(file)}:{i + 1} cites '{outside.Value}', which is not in the repository");
                foreach (Match m in MarkdownMention().Matches(lines[i]))
                {
                    string cited = m.Groups["path"].Value;
                    bool found = File.Exists(Path.Combine(Root, cited)) || File.Exists(Path.Combine(dir, cited))
                        || File.Exists(Path.Combine(Root, "docs", cited));
                    if (!found) missing.Add($"{Relative(file)}:{i + 1} cites {cited}, which is not in the repository");
                }
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [GeneratedRegex(@"""(?<name>(?:VAULT|COCKROACH|CRDBVAULT|TF|GITHUB|SYSTEM|ACTIONS|IDENTITY)_[A-Z0-9_]+)""")]
    private static partial Regex VariableLiteral();

    [Fact]
    public void Every_environment_variable_the_module_reads_is_on_the_settings_page()
    {
        string settings = File.ReadAllText(Path.Combine(Root, "docs", "settings.md"));
        var unlisted = Files("src", ".cs")
            .SelectMany(f => VariableLiteral().Matches(File.ReadAllText(f)).Select(m => (File: Relative(f), Name: m.Groups["name"].Value)))
            .Where(v => !settings.Contains($"`{v.Name}`", StringComparison.Ordinal))
            .Select(v => $"{v.Name} ({v.File})")
            .Distinct()
            .ToList();
        Assert.True(unlisted.Count == 0, $"Read by the module but not in docs/settings.md: {string.Join(", ", unlisted)}");
    }

    [Fact]
    public void The_modules_own_knobs_are_named_in_one_class()
    {
        string[] knobs = ["CRDBVAULT_RETRY_DELAY_MS", "CRDBVAULT_POLL_INTERVAL_MS", "CRDBVAULT_IMDS_ENDPOINT"];
        var elsewhere = Files("src", ".cs")
            .Where(f => !f.EndsWith(Path.Combine("Settings", "ModuleSettings.cs"), StringComparison.Ordinal))
            .SelectMany(f => knobs.Where(k => File.ReadAllText(f).Contains(k, StringComparison.Ordinal)).Select(k => $"{k} in {Relative(f)}"))
            .ToList();
        Assert.True(elsewhere.Count == 0, $"Read outside ModuleSettings: {string.Join(", ", elsewhere)}");

        string settings = File.ReadAllText(Path.Combine(Root, "docs", "settings.md"));
        Assert.All(knobs, k => Assert.Contains($"`{k}`", settings));
    }

    /// <summary>A catch of ArgumentException (or one of its kinds), as a type or in a when filter.</summary>
    [GeneratedRegex(@"catch\s*\(\s*(?:System\.)?\w*Argument\w*Exception\b|catch\s*\([^)]*\)\s*when\s*\([^\n]*\bArgument\w*Exception\b")]
    private static partial Regex CatchOfArgumentException();

    [Fact]
    public void No_cmdlet_catches_ArgumentException()
    {
        // Core's checks name their stable id (InputRefusedException) or run through Checked/TryChecked,
        // and the one error mapping reports them: a cmdlet that catches ArgumentException picks ids
        // of its own and hides Core's (docs/contributing.md).
        var catches = new List<string>();
        foreach (string file in Files(Path.Combine("src", "CrdbVault", "Commands"), ".cs"))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (CatchOfArgumentException().IsMatch(lines[i])) catches.Add($"{Relative(file)}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(catches.Count == 0, "Cmdlets that catch ArgumentException:\n" + string.Join("\n", catches));
        Assert.Matches(CatchOfArgumentException(), "        catch (ArgumentException ex)");
        Assert.Matches(CatchOfArgumentException(), "catch (Exception ex) when (ex is ArgumentOutOfRangeException or IOException)");
    }
}
