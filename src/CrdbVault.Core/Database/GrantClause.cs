using System.Text;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Database;

/// <summary>
/// A privilege clause such as <c>ALL ON DATABASE defaultdb</c> or <c>SELECT, INSERT ON TABLE
/// app.public.orders</c>, parsed and re-rendered from its parts so that nothing the user typed is
/// pasted into SQL verbatim (no injection through -Grant).
/// </summary>
public sealed partial class GrantClause
{
    private static readonly Dictionary<string, string[]> PrivilegesByTarget = new(StringComparer.Ordinal)
    {
        ["DATABASE"] = ["ALL", "CONNECT", "CREATE", "DROP", "ZONECONFIG", "BACKUP", "RESTORE", "CHANGEFEED", "TEMPORARY", "TEMP"],
        ["SCHEMA"] = ["ALL", "CREATE", "USAGE", "CHANGEFEED"],
        ["TABLE"] = ["ALL", "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "DROP", "ZONECONFIG", "CHANGEFEED", "BACKUP"],
        ["ALL TABLES IN SCHEMA"] = ["ALL", "SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "DROP", "ZONECONFIG", "CHANGEFEED",
            "BACKUP"],
        ["SEQUENCE"] = ["ALL", "USAGE", "SELECT", "UPDATE"],
        ["ALL SEQUENCES IN SCHEMA"] = ["ALL", "USAGE", "SELECT", "UPDATE"],
        ["TYPE"] = ["ALL", "USAGE"],
        ["FUNCTION"] = ["ALL", "EXECUTE"],
        ["ALL FUNCTIONS IN SCHEMA"] = ["ALL", "EXECUTE"],
    };

    // Unquoted identifier (folded to lower case like SQL does) or a quoted one without quotes inside.
    [GeneratedRegex(@"\G\s*(?:(?<q>""[^""\x00-\x1f\x7f]{1,63}"")|(?<u>[A-Za-z_][A-Za-z0-9_$]{0,62}))", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPart();

    private GrantClause(IReadOnlyList<string> privileges, string targetType, IReadOnlyList<string> targets)
    {
        Privileges = privileges;
        TargetType = targetType;
        Targets = targets;
    }

    /// <summary>Upper-case privilege keywords, e.g. SELECT, INSERT.</summary>
    public IReadOnlyList<string> Privileges { get; }

    /// <summary>DATABASE, SCHEMA, TABLE, ALL TABLES IN SCHEMA, SEQUENCE, TYPE, FUNCTION, ...</summary>
    public string TargetType { get; }

    /// <summary>Rendered (quoted where needed) object names.</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>The clause as it goes between GRANT/REVOKE and TO/FROM.</summary>
    public override string ToString() => $"{string.Join(", ", Privileges)} ON {TargetType} {string.Join(", ", Targets)}";

    public string GrantTo(string quotedGrantee) => $"GRANT {this} TO {quotedGrantee};";
    public string RevokeFrom(string quotedGrantee) => $"REVOKE {this} FROM {quotedGrantee};";

    /// <summary>Parses one clause; the message of a failure says what form is expected.</summary>
    public static GrantClause Parse(string text)
    {
        const string Form = "Write it as '<privileges> ON <DATABASE|SCHEMA|TABLE|ALL TABLES IN SCHEMA|SEQUENCE|TYPE|FUNCTION> <names>', e.g. " +
            "'ALL ON DATABASE defaultdb' or 'SELECT, INSERT ON TABLE app.public.orders'.";
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException($"-Grant has an empty clause. {Form}", "Grant");
        if (text.IndexOfAny([';', '\'', '-', '/', '\\', '\0']) >= 0 && !OnlyInQuotes(text))
            throw new ArgumentException($"-Grant '{text}' contains ';', quotes, comments or other characters that do not belong in a privilege clause. " +
                $"{Form}", "Grant");

        int on = IndexOfWord(text, "ON");
        if (on < 0) throw new ArgumentException($"-Grant '{text}' has no 'ON'. {Form}", "Grant");

        string privPart = text[..on].Trim();
        var privileges = new List<string>();
        foreach (string raw in privPart.Split(',', StringSplitOptions.TrimEntries))
        {
            string p = string.Join(' ', raw.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
            if (p == "ALL PRIVILEGES") p = "ALL";
            if (p.Length == 0) throw new ArgumentException($"-Grant '{text}' has an empty privilege. {Form}", "Grant");
            if (!privileges.Contains(p)) privileges.Add(p);
        }
        if (privileges.Count == 0) throw new ArgumentException($"-Grant '{text}' names no privilege. {Form}", "Grant");

        string rest = text[(on + 2)..].Trim();
        string? targetType = null;
        foreach (string candidate in PrivilegesByTarget.Keys.OrderByDescending(k => k.Length))
        {
            if (rest.Equals(candidate, StringComparison.OrdinalIgnoreCase) || rest.StartsWith(candidate + " ", StringComparison.OrdinalIgnoreCase))
            {
                targetType = candidate;
                rest = rest[candidate.Length..].Trim();
                break;
            }
        }
        if (targetType is null)
            throw new ArgumentException($"-Grant '{text}' must name the object type after ON (DATABASE, SCHEMA, TABLE, ALL TABLES IN SCHEMA, SEQUENCE, " +
                $"TYPE or FUNCTION). {Form}", "Grant");

        string[] allowed = PrivilegesByTarget[targetType];
        foreach (string p in privileges)
        {
            if (Array.IndexOf(allowed, p) < 0)
                throw new ArgumentException($"-Grant '{text}': privilege '{p}' does not apply to {targetType}. Allowed: " +
                    $"{string.Join(", ", allowed)}.", "Grant");
        }
        if (privileges.Contains("ALL") && privileges.Count > 1)
            throw new ArgumentException($"-Grant '{text}': ALL already includes {string.Join(", ", privileges.Where(p => p != "ALL"))}; " +
                $"give ALL alone.", "Grant");

        int maxParts = targetType switch
        {
            "DATABASE" => 1,
            "SCHEMA" or "ALL TABLES IN SCHEMA" or "ALL SEQUENCES IN SCHEMA" or "ALL FUNCTIONS IN SCHEMA" => 2,
            _ => 3,
        };
        var targets = new List<string>();
        foreach (string name in SplitNames(rest, text, Form))
            targets.Add(ParseQualifiedName(name, maxParts, text, Form));
        return new GrantClause(privileges, targetType, targets);
    }

    private static IEnumerable<string> SplitNames(string rest, string text, string form)
    {
        if (rest.Length == 0) throw new ArgumentException($"-Grant '{text}' names no object after the type. {form}", "Grant");
        var current = new StringBuilder();
        bool quoted = false;
        foreach (char c in rest)
        {
            if (c == '"') quoted = !quoted;
            if (c == ',' && !quoted)
            {
                yield return current.ToString().Trim();
                current.Clear();
            }
            else current.Append(c);
        }
        yield return current.ToString().Trim();
    }

    private static string ParseQualifiedName(string name, int maxParts, string text, string form)
    {
        var parts = new List<string>();
        int pos = 0;
        while (true)
        {
            Match m = IdentifierPart().Match(name, pos);
            if (!m.Success) throw new ArgumentException($"-Grant '{text}': '{name}' is not a valid object name. {form}", "Grant");
            parts.Add(m.Groups["q"].Success ? m.Groups["q"].Value : Quote(m.Groups["u"].Value.ToLowerInvariant()));
            pos = m.Index + m.Length;
            while (pos < name.Length && char.IsWhiteSpace(name[pos])) pos++;
            if (pos == name.Length) break;
            if (name[pos] != '.') throw new ArgumentException($"-Grant '{text}': unexpected '{name[pos..]}' in object name '{name}'. {form}", "Grant");
            pos++;
        }
        if (parts.Count > maxParts)
            throw new ArgumentException($"-Grant '{text}': '{name}' has more than {maxParts} part(s) for this object type. {form}", "Grant");
        return string.Join('.', parts);
    }

    /// <summary>Quotes an identifier unless it is a plain lower-case name.</summary>
    public static string Quote(string identifier) =>
        PlainIdentifier().IsMatch(identifier) ? identifier : "\"" + identifier.Replace("\"", "\"\"") + "\"";

    [GeneratedRegex(@"\A[a-z_][a-z0-9_]*\z")]
    private static partial Regex PlainIdentifier();

    private static int IndexOfWord(string text, string word)
    {
        bool quoted = false;
        for (int i = 0; i + word.Length <= text.Length; i++)
        {
            if (text[i] == '"') quoted = !quoted;
            if (quoted) continue;
            bool startOk = i == 0 || char.IsWhiteSpace(text[i - 1]);
            bool endOk = i + word.Length == text.Length || char.IsWhiteSpace(text[i + word.Length]);
            if (startOk && endOk && string.Compare(text, i, word, 0, word.Length, StringComparison.OrdinalIgnoreCase) == 0) return i;
        }
        return -1;
    }

    private static bool OnlyInQuotes(string text)
    {
        bool quoted = false;
        foreach (char c in text)
        {
            if (c == '"') { quoted = !quoted; continue; }
            if (!quoted && (c is ';' or '\'' or '-' or '/' or '\\' or '\0')) return false;
            if (c == '\0') return false;
        }
        return true;
    }
}
