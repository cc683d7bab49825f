using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Vault.Policies;

/// <summary>
/// The effective ACL of a token: the rules of all its policies merged per path pattern (union of
/// capabilities, deny wins), then for a request path the single highest-priority matching pattern
/// decides, as Vault does (see "Priority matching" in Vault's policy docs).
/// </summary>
public sealed class Acl
{
    private readonly List<MergedRule> _rules = [];
    private readonly bool _root;

    public Acl(IEnumerable<AclPolicy> policies)
    {
        var byPattern = new Dictionary<string, MergedRule>(StringComparer.Ordinal);
        foreach (AclPolicy policy in policies)
        {
            if (policy.Name == "root") _root = true;
            foreach (PathRule rule in policy.Rules)
            {
                if (!byPattern.TryGetValue(rule.Pattern, out MergedRule? merged))
                    byPattern[rule.Pattern] = merged = new MergedRule(rule.Pattern);
                merged.Merge(rule);
            }
        }
        _rules.AddRange(byPattern.Values);
    }

    public bool IsRoot => _root;

    /// <summary>Checks one request. <paramref name="parameters"/> are the body (and query) keys and values.</summary>
    public bool Allows(string path, Capability needed, bool needsSudo, JsonObject parameters)
    {
        if (_root) return true;
        MergedRule? rule = Match(path);
        if (rule is null) return false;
        Capability caps = rule.Capabilities;
        if (caps.HasFlag(Capability.Deny)) return false;
        if ((caps & needed) == 0) return false;
        if (needsSudo && !caps.HasFlag(Capability.Sudo)) return false;
        // Vault checks parameters only for operations that carry them (read, create, update, patch).
        return (needed & (Capability.Read | Capability.Create | Capability.Update | Capability.Patch)) == 0 || ParametersAllowed(rule, parameters);
    }

    /// <summary>The capabilities the token has on a path (for sys/capabilities-self and tests).</summary>
    public IReadOnlyList<string> CapabilitiesOn(string path)
    {
        if (_root) return ["root"];
        MergedRule? rule = Match(path);
        if (rule is null || rule.Capabilities.HasFlag(Capability.Deny)) return ["deny"];
        return [.. Enum.GetValues<Capability>().Where(c => c != Capability.None && rule.Capabilities.HasFlag(c)).Select(c => c.ToString().ToLowerInvariant())];
    }

    private MergedRule? Match(string path)
    {
        MergedRule? best = null;
        foreach (MergedRule r in _rules)
        {
            if (!r.IsMatch(path)) continue;
            if (best is null || Priority.Compare(r.Pattern, best.Pattern) > 0) best = r;
        }
        return best;
    }

    /// <summary>Vault's order (vault/acl.go AllowOperation): required, then empty data passes, denied, allowed.</summary>
    private static bool ParametersAllowed(MergedRule rule, JsonObject parameters)
    {
        if (rule.Required is { Count: > 0 } required && required.Any(r => !parameters.ContainsKey(r))) return false;
        if (parameters.Count == 0) return true;

        if (rule.Denied is { Count: > 0 } denied)
        {
            if (denied.ContainsKey("*")) return false;
            foreach (var (name, value) in parameters)
            {
                if (denied.TryGetValue(name.ToLowerInvariant(), out List<string>? values) && ValueInParameterList(value, values)) return false;
            }
        }
        if (rule.Allowed is { Count: > 0 } allowed)
        {
            bool allowAll = allowed.ContainsKey("*");
            if (allowAll && allowed.Count == 1) return true;
            foreach (var (name, value) in parameters)
            {
                bool listed = allowed.TryGetValue(name.ToLowerInvariant(), out List<string>? values);
                if (!listed && !allowAll) return false;
                if (listed && !ValueInParameterList(value, values!)) return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Vault's valueInParameterList: an empty entry list matches any value; otherwise a string value
    /// must match an entry (exactly, or with a leading/trailing '*'), and any other value (a list, a
    /// number, an object) never matches string entries.
    /// </summary>
    private static bool ValueInParameterList(JsonNode? value, List<string> entries)
    {
        if (entries.Count == 0) return true;
        if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String) return false;
        string text = v.GetValue<string>();
        return entries.Any(e => GlobbedStringsMatch(e, text));
    }

    /// <summary>Vault's strutil.GlobbedStringsMatch: '*' only as the first and/or last character; shorter than 2 = exact.</summary>
    private static bool GlobbedStringsMatch(string item, string value)
    {
        if (item.Length < 2) return value == item;
        bool prefix = item.StartsWith('*'), suffix = item.EndsWith('*');
        if (prefix && suffix) return value.Contains(item[1..^1], StringComparison.Ordinal);
        if (prefix) return value.EndsWith(item[1..], StringComparison.Ordinal);
        if (suffix) return value.StartsWith(item[..^1], StringComparison.Ordinal);
        return value == item;
    }

    private sealed class MergedRule(string pattern)
    {
        private readonly Regex _regex = BuildRegex(pattern);
        public string Pattern { get; } = pattern;
        public Capability Capabilities { get; private set; }
        public Dictionary<string, List<string>>? Allowed { get; private set; }
        public Dictionary<string, List<string>>? Denied { get; private set; }
        public List<string>? Required { get; private set; }

        public bool IsMatch(string path) => _regex.IsMatch(path);

        public void Merge(PathRule rule)
        {
            Capabilities |= rule.Capabilities;
            Allowed = MergeMaps(Allowed, rule.AllowedParameters);
            Denied = MergeMaps(Denied, rule.DeniedParameters);
            if (rule.RequiredParameters is not null) Required = [.. (Required ?? []).Union(rule.RequiredParameters)];
        }

        /// <summary>Union of values per key; an empty list ("any value") absorbs everything.</summary>
        private static Dictionary<string, List<string>>? MergeMaps(Dictionary<string, List<string>>? a, Dictionary<string, List<string>>? b)
        {
            if (b is null) return a;
            a ??= new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var (k, v) in b)
            {
                string key = k.ToLowerInvariant();
                if (!a.TryGetValue(key, out List<string>? existing)) a[key] = [.. v];
                else if (existing.Count == 0 || v.Count == 0) a[key] = [];
                else existing.AddRange(v.Except(existing));
            }
            return a;
        }

        /// <summary><c>+</c> = exactly one segment, trailing <c>*</c> = any suffix, everything else literal.</summary>
        private static Regex BuildRegex(string pattern)
        {
            bool glob = pattern.EndsWith('*');
            string body = glob ? pattern[..^1] : pattern;
            var segments = body.Split('/').Select(s => s == "+" ? "[^/]*" : Regex.Escape(s));
            return new Regex("^" + string.Join("/", segments) + (glob ? ".*" : "") + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline);
        }
    }

    /// <summary>Vault's priority between two matching patterns: positive when <paramref name="a"/> wins.</summary>
    internal static class Priority
    {
        public static int Compare(string a, string b)
        {
            // 1. The pattern whose first wildcard comes later wins (exact patterns have none).
            int wa = FirstWildcard(a), wb = FirstWildcard(b);
            if (wa != wb) return wa.CompareTo(wb);
            // 2. Not ending in * wins.
            bool ga = a.EndsWith('*'), gb = b.EndsWith('*');
            if (ga != gb) return ga ? -1 : 1;
            // 3. Fewer + segments wins.
            int pa = a.Split('/').Count(s => s == "+"), pb = b.Split('/').Count(s => s == "+");
            if (pa != pb) return pb.CompareTo(pa);
            // 4. Longer wins. 5. Lexicographically larger wins.
            if (a.Length != b.Length) return a.Length.CompareTo(b.Length);
            return string.CompareOrdinal(a, b);
        }

        private static int FirstWildcard(string p)
        {
            int star = p.EndsWith('*') ? p.Length - 1 : int.MaxValue;
            int plus = int.MaxValue;
            string[] segs = p.Split('/');
            int offset = 0;
            foreach (string s in segs)
            {
                if (s == "+") { plus = offset; break; }
                offset += s.Length + 1;
            }
            return Math.Min(star, plus);
        }
    }
}
