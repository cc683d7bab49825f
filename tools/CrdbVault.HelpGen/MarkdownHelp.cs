using System.Text;
using System.Text.RegularExpressions;

namespace CrdbVault.HelpGen;

/// <summary>
/// docs/cmdlets/&lt;Cmdlet&gt;.md, a small platyPS-like subset:
/// <code>
/// # Verb-Noun
/// ## SYNOPSIS        (optional: replaces the code's synopsis)
/// ## DESCRIPTION     (optional: paragraphs added after the code's description)
/// ## EXAMPLES        ### Example N: title, one ```powershell block, prose around it
/// ## PARAMETERS      (optional) ### -Name, prose: the description when the code has no &lt;summary&gt;
///                    (added after it when it has one); a line "Accept wildcard characters: True" sets globbing
/// ## INPUTS / ## OUTPUTS (optional) ### TypeName, prose added to the generated entry
/// ## NOTES           paragraphs
/// ## RELATED LINKS   - Cmdlet-Name  or  - [text](https://...)
/// </code>
/// </summary>
internal sealed partial class MarkdownHelp
{
    public string? Synopsis { get; private set; }
    public List<string> Description { get; } = [];
    public List<HelpExample> Examples { get; } = [];
    public Dictionary<string, MdParameter> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, List<string>> Inputs { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, List<string>> Outputs { get; } = new(StringComparer.OrdinalIgnoreCase);
    public List<string> Notes { get; } = [];
    public List<(string Text, string? Uri)> Links { get; } = [];

    public static MarkdownHelp Parse(string path, Diagnostics diagnostics)
    {
        var help = new MarkdownHelp();
        string[] lines = File.ReadAllLines(path);
        string? section = null;
        var block = new List<(int Line, string Text)>();
        string? sub = null;
        int subLine = 0;

        void Flush()
        {
            if (section is null) { block.Clear(); return; }
            help.Take(path, section, sub, subLine, block, diagnostics);
            block.Clear();
        }

        bool inFence = false;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) inFence = !inFence;
            if (!inFence && line.StartsWith("## ", StringComparison.Ordinal))
            {
                Flush();
                section = line[3..].Trim().ToUpperInvariant();
                sub = null;
                continue;
            }
            if (!inFence && line.StartsWith("### ", StringComparison.Ordinal))
            {
                Flush();
                sub = line[4..].Trim();
                subLine = i + 1;
                continue;
            }
            if (!inFence && line.StartsWith("# ", StringComparison.Ordinal)) continue;
            block.Add((i + 1, line));
        }
        if (inFence) throw new HelpGenException("a ``` code fence is not closed.", path);
        Flush();
        return help;
    }

    private void Take(string path, string section, string? sub, int subLine, List<(int Line, string Text)> block, Diagnostics diagnostics)
    {
        switch (section)
        {
            case "SYNOPSIS":
                string synopsis = string.Join(" ", Paragraphs(block));
                if (synopsis.Length > 0) Synopsis = synopsis;
                break;
            case "DESCRIPTION":
                Description.AddRange(Paragraphs(block));
                break;
            case "NOTES":
                Notes.AddRange(Paragraphs(block));
                break;
            case "EXAMPLES":
                if (sub is null)
                {
                    if (Paragraphs(block).Any()) diagnostics.Warn($"{path}({block[0].Line})", "text under ## EXAMPLES before the first ### Example heading is ignored.");
                    break;
                }
                Examples.Add(Example(path, sub, subLine, block));
                break;
            case "PARAMETERS":
                if (sub is null) break;
                string name = sub.TrimStart('-').Trim();
                var wildcard = block.FirstOrDefault(l => WildcardLine().IsMatch(l.Text));
                var rest = block.Where(l => !WildcardLine().IsMatch(l.Text)).ToList();
                Parameters[name] = new MdParameter(name, [.. Paragraphs(rest)], wildcard.Text is null ? null : WildcardLine().Match(wildcard.Text).Groups[1].Value.Equals("true", StringComparison.OrdinalIgnoreCase), subLine);
                break;
            case "INPUTS":
            case "OUTPUTS":
                if (sub is null) break;
                (section == "INPUTS" ? Inputs : Outputs)[sub] = [.. Paragraphs(block)];
                break;
            case "RELATED LINKS":
                foreach (var (_, text) in block)
                {
                    string item = text.Trim();
                    if (!item.StartsWith('-') && !item.StartsWith('*')) continue;
                    item = item[1..].Trim();
                    Match link = MdLink().Match(item);
                    Links.Add(link.Success ? (link.Groups[1].Value, NullIfEmpty(link.Groups[2].Value)) : (item, null));
                }
                break;
            default:
                diagnostics.Warn($"{path}({block.FirstOrDefault().Line})", $"unknown section '## {section}' is ignored.");
                break;
        }
    }

    private static HelpExample Example(string path, string title, int line, List<(int Line, string Text)> block)
    {
        var code = new List<string>();
        var prose = new List<(int, string)>();
        int fences = 0;
        bool inFence = false;
        foreach (var (n, text) in block)
        {
            string t = text.TrimStart();
            if (t.StartsWith("```", StringComparison.Ordinal))
            {
                if (!inFence)
                {
                    fences++;
                    string lang = t[3..].Trim();
                    if (lang.Length > 0 && !lang.Equals("powershell", StringComparison.OrdinalIgnoreCase) && !lang.Equals("pwsh", StringComparison.OrdinalIgnoreCase))
                        throw new HelpGenException($"example '{title}': code blocks are ```powershell, not ```{lang}.", $"{path}({n})");
                }
                inFence = !inFence;
                continue;
            }
            if (inFence) code.Add(text);
            else prose.Add((n, text));
        }
        if (fences != 1)
            throw new HelpGenException($"example '{title}' needs exactly one ```powershell block (has {fences}).", $"{path}({line})");
        while (code.Count > 0 && code[^1].Trim().Length == 0) code.RemoveAt(code.Count - 1);
        return new HelpExample(title, string.Join("\n", code), [.. Paragraphs(prose)]);
    }

    /// <summary>
    /// Blank-line separated paragraphs; list items stay one paragraph each; inline markup removed.
    /// A line that is an HTML comment (e.g. the docs test's <c>&lt;!-- docs-test skip: … --&gt;</c>
    /// marker) is invisible in rendered markdown, so it is left out of the help too.
    /// </summary>
    private static IEnumerable<string> Paragraphs(IEnumerable<(int Line, string Text)> lines)
    {
        var current = new StringBuilder();
        foreach (var (_, raw) in lines)
        {
            string line = raw.Trim();
            if (line.StartsWith("<!--", StringComparison.Ordinal) && line.EndsWith("-->", StringComparison.Ordinal)) continue;
            bool item = line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal);
            if (line.Length == 0 || item)
            {
                if (current.Length > 0) yield return Inline(current.ToString());
                current.Clear();
                if (item) current.Append("- ").Append(line[2..]);
                continue;
            }
            if (current.Length > 0) current.Append(' ');
            current.Append(line);
        }
        if (current.Length > 0) yield return Inline(current.ToString());
    }

    /// <summary>`code` → code, **bold** → bold, [text](url) → text (url).</summary>
    private static string Inline(string text)
    {
        text = MdLink().Replace(text, m => m.Groups[2].Value.Length == 0 || m.Groups[2].Value.EndsWith(".md", StringComparison.OrdinalIgnoreCase) ? m.Groups[1].Value : $"{m.Groups[1].Value} ({m.Groups[2].Value})");
        text = text.Replace("**", "", StringComparison.Ordinal);
        return InlineCode().Replace(text, "$1");
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    [GeneratedRegex(@"\[([^\]]+)\]\(([^)]*)\)")]
    private static partial Regex MdLink();

    [GeneratedRegex(@"`([^`]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^\s*Accept wildcard characters:\s*(true|false)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex WildcardLine();
}

internal sealed record HelpExample(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record MdParameter(string Name, IReadOnlyList<string> Description, bool? Globbing, int Line);
