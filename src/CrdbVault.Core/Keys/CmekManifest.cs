using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Keys;

/// <summary>A CMEK manifest that is not valid; <see cref="Problems"/> lists every problem with its location.</summary>
public sealed class CmekManifestException(string source, IReadOnlyList<string> problems)
    : FormatException($"{source} is not a valid CMEK manifest: {string.Join(" ", problems)}")
{
    /// <summary>The manifest file (or text origin) the problems were found in.</summary>
    public string ManifestSource { get; } = source;
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Reads and writes the Cloud API's <c>CMEKClusterSpecification</c> as a file (docs/cockroachdb-notes.md#cmek):
/// <c>{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"arn:...","auth_principal":"arn:..."}}]}</c>,
/// in JSON or the same shape in YAML. Every spec is validated with <see cref="CmekSpecRules.TryCreate"/>;
/// unknown fields and duplicate regions are errors (a typo must not silently drop a key).
/// </summary>
public static class CmekManifest
{
    private static readonly string[] TopFields = ["region_specs"];

    private const string TopLevelProblem =
        "the top level must be an object with 'region_specs', e.g. {\"region_specs\":[{\"region\":\"us-east-1\"," +
        "\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\"arn:aws:kms:...\",\"auth_principal\":\"arn:aws:iam::...\"}}]}.";
    private static readonly string[] RegionFields = ["region", "key_spec"];
    private static readonly string[] KeyFields = ["type", "uri", "auth_principal"];

    /// <summary>
    /// Loads a manifest file: .yaml/.yml as YAML, anything else as JSON (YAML when it does not start with '{').
    /// Files over <see cref="InputBudgets.ManifestBytes"/> are refused before they are read.
    /// </summary>
    public static IReadOnlyList<CmekRegionSpec> Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CMEK manifest '{path}' does not exist.", path);
        string budget = InputBudgets.Describe(InputBudgets.ManifestBytes);
        byte[] bytes = InputBudgets.ReadFile(path, InputBudgets.ManifestBytes, size =>
            new CmekManifestException(path, [$"the file is {size / 1024} KiB, " +
                $"more than the {budget} a manifest may be (one region spec is about 300 bytes)."]));
        string text = Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF');
        string ext = Path.GetExtension(path).ToLowerInvariant();
        bool yaml = ext is ".yaml" or ".yml" || (ext != ".json" && !text.TrimStart().StartsWith('{'));
        return yaml ? ParseYaml(text, path) : ParseJson(text, path);
    }

    public static IReadOnlyList<CmekRegionSpec> ParseJson(string text, string source = "the manifest")
    {
        CheckBudget(text, source, yaml: false);
        JsonNode? root;
        var problems = new List<string>();
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
                MaxDepth = InputBudgets.ManifestDepth,
            });
            root = ToNode(doc.RootElement, "", problems);
        }
        catch (JsonException ex)
        {
            throw new CmekManifestException(source, [$"it is not valid JSON ({ex.Message})."]);
        }
        if (problems.Count > 0) throw new CmekManifestException(source, problems);
        return FromNode(root, source);
    }

    /// <summary>
    /// Reads YAML event by event (YamlDotNet's <see cref="YamlDotNet.Core.IParser"/>), never through its
    /// representation model: nesting is counted and capped, aliases are refused (they are how a
    /// 700-byte file expands to gigabytes, or refers to itself), duplicate keys are errors.
    /// </summary>
    public static IReadOnlyList<CmekRegionSpec> ParseYaml(string text, string source = "the manifest")
    {
        CheckBudget(text, source, yaml: true);
        JsonNode? root;
        try
        {
            root = YamlEvents.Read(text, source);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CmekManifestException(source, [$"it is not valid YAML (line {ex.Start.Line}: {ex.Message})."]);
        }
        return FromNode(root, source);
    }

    /// <summary>Size and bracket nesting, judged on the raw text before any parser sees it.</summary>
    private static void CheckBudget(string text, string source, bool yaml)
    {
        if (Encoding.UTF8.GetByteCount(text) > InputBudgets.ManifestBytes)
            throw new CmekManifestException(source, [$"it is more than the {InputBudgets.Describe(InputBudgets.ManifestBytes)} a manifest may be."]);
        if (FlowDepth(text, yaml) > InputBudgets.ManifestDepth)
            throw new CmekManifestException(source, [TooDeep]);
    }

    private static readonly string TooDeep = $"it is nested deeper than {InputBudgets.ManifestDepth} levels; a manifest needs 4.";

    /// <summary>
    /// The deepest nesting of '[' and '{' outside strings (and, in YAML, comments). A cheap scan that
    /// stops a document of 200 KB of '[' before a parser builds anything for it.
    /// </summary>
    private static int FlowDepth(string text, bool yaml)
    {
        int depth = 0, max = 0;
        char previous = '\n';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '"' || (yaml && c == '\'' && (char.IsWhiteSpace(previous) || previous is '[' or '{' or ',' or ':' or '-')))
            {
                i = SkipQuoted(text, i, c);
                previous = c;
                continue;
            }
            if (yaml && c == '#' && char.IsWhiteSpace(previous))
            {
                while (i < text.Length && text[i] != '\n') i++;
                previous = '\n';
                continue;
            }
            if (c is '[' or '{') { if (++depth > max) max = depth; if (max > InputBudgets.ManifestDepth) return max; }
            else if (c is ']' or '}' && depth > 0) depth--;
            previous = c;
        }
        return max;
    }

    private static int SkipQuoted(string text, int start, char quote)
    {
        for (int i = start + 1; i < text.Length; i++)
        {
            if (quote == '"' && text[i] == '\\') { i++; continue; }
            if (text[i] != quote) continue;
            if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { i++; continue; } // '' inside '...'
            return i;
        }
        return text.Length;
    }

    /// <summary>A JsonDocument element as a JsonNode, refusing a key given twice in one object (JsonDocument allows it).</summary>
    private static JsonNode? ToNode(JsonElement e, string at, List<string> problems)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new JsonObject();
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    if (obj.ContainsKey(p.Name))
                    {
                        problems.Add(Duplicate(at, p.Name));
                        continue;
                    }
                    obj[p.Name] = ToNode(p.Value, at.Length == 0 ? p.Name : $"{at}.{p.Name}", problems);
                }
                return obj;
            case JsonValueKind.Array:
                var arr = new JsonArray();
                int i = 0;
                foreach (JsonElement item in e.EnumerateArray()) arr.Add(ToNode(item, $"{at}[{i++}]", problems));
                return arr;
            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            default:
                return JsonNode.Parse(e.GetRawText());
        }
    }

    internal static string Duplicate(string at, string name) =>
        $"{(at.Length == 0 ? "" : at + ": ")}'{name}' appears twice; give each field once.";

    /// <summary>Validates the <c>{"region_specs":[...]}</c> tree.</summary>
    public static IReadOnlyList<CmekRegionSpec> FromNode(JsonNode? root, string source = "the manifest")
    {
        var problems = new List<string>();
        var specs = new List<CmekRegionSpec>();
        if (root is not JsonObject top)
            throw new CmekManifestException(source, [TopLevelProblem]);
        UnknownFields(top, TopFields, "", problems);
        if (top["region_specs"] is not JsonArray list)
        {
            problems.Add(top.ContainsKey("region_specs") ? "'region_specs' must be a list." : "'region_specs' is missing.");
            throw new CmekManifestException(source, problems);
        }
        if (list.Count == 0) problems.Add("'region_specs' is empty: add one entry per cluster region.");
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < list.Count; i++)
        {
            string at = $"region_specs[{i}]";
            if (list[i] is not JsonObject entry)
            {
                problems.Add($"{at} must be an object with 'region' and 'key_spec'.");
                continue;
            }
            UnknownFields(entry, RegionFields, at + ".", problems);
            JsonObject? key = entry["key_spec"] as JsonObject;
            if (key is null)
            {
                problems.Add(entry.ContainsKey("key_spec") ? $"{at}.key_spec must be an object with type, " +
                    $"uri and auth_principal." : $"{at}.key_spec is missing.");
                key = [];
            }
            else
            {
                UnknownFields(key, KeyFields, at + ".key_spec.", problems);
            }
            string? region = Text(entry, "region", at + ".", problems);
            string? type = Text(key, "type", at + ".key_spec.", problems);
            string? uri = Text(key, "uri", at + ".key_spec.", problems);
            string? principal = Text(key, "auth_principal", at + ".key_spec.", problems);
            if (CmekSpecRules.TryCreate(region, type, uri, principal, out CmekRegionSpec? spec, out IReadOnlyList<CmekSpecProblem> specProblems))
            {
                if (seen.TryGetValue(spec!.Region, out int first))
                    problems.Add($"{at}.region '{spec.Region}' repeats region_specs[{first}]: give one key per region.");
                else
                {
                    seen[spec.Region] = i;
                    specs.Add(spec);
                }
            }
            else
            {
                foreach (CmekSpecProblem p in specProblems) problems.Add($"{at}.{Location(p.Field)}: {WithoutParameter(p.Message)}");
            }
        }
        if (problems.Count > 0) throw new CmekManifestException(source, problems);
        return specs;
    }

    /// <summary>The API body <c>{"region_specs":[...]}</c> for the given specs.</summary>
    public static JsonObject ToClusterSpecification(IEnumerable<CmekRegionSpec> specs)
    {
        var array = new JsonArray();
        foreach (CmekRegionSpec s in specs)
        {
            array.Add(new JsonObject
            {
                ["region"] = s.Region,
                ["key_spec"] = new JsonObject { ["type"] = s.KeySpec.Type.Value, ["uri"] = s.KeySpec.Uri, ["auth_principal"] = s.KeySpec.AuthPrincipal },
            });
        }
        return new JsonObject { ["region_specs"] = array };
    }

    public static string ToJson(IEnumerable<CmekRegionSpec> specs) =>
        ToClusterSpecification(specs).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static string Location(string field) => field switch
    {
        "Region" => "region",
        "Type" => "key_spec.type",
        "Uri" => "key_spec.uri",
        _ => "key_spec.auth_principal",
    };

    /// <summary>"-Uri 'x' is not ..." → "'x' is not ..." (the location already names the field).</summary>
    private static string WithoutParameter(string message)
    {
        if (!message.StartsWith('-')) return message;
        int space = message.IndexOf(' ');
        return space < 0 ? message : message[(space + 1)..];
    }

    private static string? Text(JsonObject o, string name, string at, List<string> problems)
    {
        switch (o[name])
        {
            case null:
                return null; // reported by the spec check as empty
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return v.GetValue<string>();
            case JsonNode n:
                problems.Add($"{at}{name} must be a string, not {n.ToJsonString()}.");
                return "";
        }
    }

    private static void UnknownFields(JsonObject o, string[] known, string at, List<string> problems)
    {
        foreach ((string name, _) in o)
        {
            if (known.Contains(name)) continue;
            string norm = Normalise(name);
            string? close = known.FirstOrDefault(k => Normalise(k) == norm);
            problems.Add($"{at}{name} is not a field here{(close is null ? "" : $"; did you mean '{close}'?")} (expected {string.Join(", ", known)}).");
        }
    }

    private static string Normalise(string s) => new string(s.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
}
