using System.Collections;
using System.Globalization;
using System.Management.Automation;
using CrdbVault.Core.Cloud;

namespace CrdbVault.Infrastructure;

/// <summary>
/// What a user gives Set-CrdbCmek, read into Core's types: any object with Region, Type, Uri and
/// AuthPrincipal (New-CrdbCmekKey's CmekKeySpec, a PSCustomObject, a hashtable) or the API shape
/// {region, key_spec: {type, uri, auth_principal}}, and -AddRegion's regions with node counts. Only
/// the reading is here (PowerShell's objects); the rules are Core's (CmekSpecRules, CmekPlanner).
/// </summary>
internal static class CmekSpecInput
{
    public static CmekSpecDraft FromObject(object? input, string source)
    {
        Func<string, object?> get = Getter(input);
        Func<string, object?> key = get("key_spec") is object nested and not string ? Getter(nested) : get;
        return new CmekSpecDraft(
            Text(get("Region")),
            Text(key("Type") ?? key("KeyType")),
            Text(key("Uri")),
            Text(key("AuthPrincipal") ?? key("auth_principal")),
            source);
    }

    /// <summary>Reads -AddRegion: @{ 'eu-central-1' = 3 } or 'eu-central-1=3' (several as an array or comma-separated).</summary>
    public static Dictionary<string, int> ParseRegionNodes(object? value)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        object? v = value is PSObject p ? p.BaseObject : value;
        const string Example = "Give each new region with its node count, e.g. -AddRegion @{ 'eu-central-1' = 3 } or -AddRegion 'eu-central-1=3'.";
        if (v is IDictionary map)
        {
            foreach (DictionaryEntry e in map)
                Add(result, Text(e.Key), e.Value, Example);
        }
        else
        {
            IEnumerable items = v is string or null ? new[] { v } : v as IEnumerable ?? new[] { v };
            foreach (object? item in items)
            {
                foreach (string part in Text(item).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    int eq = part.IndexOf('=');
                    if (eq <= 0)
                        throw new ArgumentException($"-AddRegion '{part}' has no node count. {Example}");
                    Add(result, part[..eq].Trim(), part[(eq + 1)..].Trim(), Example);
                }
            }
        }
        if (result.Count == 0)
            throw new ArgumentException($"-AddRegion is empty. {Example}");
        return result;
    }

    private static void Add(Dictionary<string, int> result, string region, object? nodes, string example)
    {
        object? n = nodes is PSObject p ? p.BaseObject : nodes;
        if (region.Length == 0 || !CmekSpecRules.IsRegionName(region))
            throw new ArgumentException($"-AddRegion '{region}' is not a region name (lower-case letters, digits and '-'). {example}");
        if (!int.TryParse(Convert.ToString(n, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out int count) || count < 1)
            throw new ArgumentException($"-AddRegion '{region}' has node count '{n}'; give a whole number of at least 1 (3 for production). {example}");
        if (!result.TryAdd(region, count))
            throw new ArgumentException($"-AddRegion names '{region}' twice.");
    }

    private static Func<string, object?> Getter(object? input)
    {
        object? value = input is PSObject p ? p.BaseObject : input;
        if (value is IDictionary map)
        {
            return name =>
            {
                foreach (DictionaryEntry e in map)
                    if (string.Equals(Text(e.Key), name, StringComparison.OrdinalIgnoreCase)) return Unwrap(e.Value);
                return null;
            };
        }
        PSObject wrapped = input as PSObject ?? PSObject.AsPSObject(value ?? new object());
        return name => Unwrap(wrapped.Properties[name]?.Value);
    }

    private static object? Unwrap(object? o) => o is PSObject p ? p.BaseObject : o;

    private static string Text(object? o) => (Convert.ToString(Unwrap(o), CultureInfo.InvariantCulture) ?? "").Trim();
}
