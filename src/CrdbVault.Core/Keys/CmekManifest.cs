using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

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
/// Reads and writes the Cloud API's <c>CMEKClusterSpecification</c> as a file (cockroachdb.md §1.2):
/// <c>{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"arn:...","auth_principal":"arn:..."}}]}</c>,
/// in JSON or the same shape in YAML. Every spec is validated with <see cref="CmekKeySpec.TryCreate"/>;
/// unknown fields and duplicate regions are errors (a typo must not silently drop a key).
/// </summary>
public static class CmekManifest
{
    private static readonly string[] TopFields = ["region_specs"];
    private static readonly string[] RegionFields = ["region", "key_spec"];
    private static readonly string[] KeyFields = ["type", "uri", "auth_principal"];

    /// <summary>Loads a manifest file: .yaml/.yml as YAML, anything else as JSON (YAML when it does not start with '{').</summary>
    public static IReadOnlyList<CmekKeySpec> Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CMEK manifest '{path}' does not exist.", path);
        string text = File.ReadAllText(path);
        string ext = Path.GetExtension(path).ToLowerInvariant();
        bool yaml = ext is ".yaml" or ".yml" || (ext != ".json" && !text.TrimStart().StartsWith('{'));
        return yaml ? ParseYaml(text, path) : ParseJson(text, path);
    }

    public static IReadOnlyList<CmekKeySpec> ParseJson(string text, string source = "the manifest")
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new CmekManifestException(source, [$"it is not valid JSON ({ex.Message})."]);
        }
        return FromNode(root, source);
    }

    public static IReadOnlyList<CmekKeySpec> ParseYaml(string text, string source = "the manifest")
    {
        JsonNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            root = stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode);
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CmekManifestException(source, [$"it is not valid YAML (line {ex.Start.Line}: {ex.Message})."]);
        }
        return FromNode(root, source);
    }

    /// <summary>Validates the <c>{"region_specs":[...]}</c> tree.</summary>
    public static IReadOnlyList<CmekKeySpec> FromNode(JsonNode? root, string source = "the manifest")
    {
        var problems = new List<string>();
        var specs = new List<CmekKeySpec>();
        if (root is not JsonObject top)
            throw new CmekManifestException(source, ["the top level must be an object with 'region_specs', e.g. {\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\"arn:aws:kms:...\",\"auth_principal\":\"arn:aws:iam::...\"}}]}."]);
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
                problems.Add(entry.ContainsKey("key_spec") ? $"{at}.key_spec must be an object with type, uri and auth_principal." : $"{at}.key_spec is missing.");
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
            if (CmekKeySpec.TryCreate(region, type, uri, principal, out CmekKeySpec? spec, out IReadOnlyList<CmekSpecProblem> specProblems))
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
    public static JsonObject ToClusterSpecification(IEnumerable<CmekKeySpec> specs)
    {
        var array = new JsonArray();
        foreach (CmekKeySpec s in specs) array.Add(s.ToRegionSpecification());
        return new JsonObject { ["region_specs"] = array };
    }

    public static string ToJson(IEnumerable<CmekKeySpec> specs) =>
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

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv =>
            new KeyValuePair<string, JsonNode?>(((kv.Key as YamlScalarNode)?.Value) ?? kv.Key.ToString(), ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string? value = scalar.Value;
        if (scalar.Style is YamlDotNet.Core.ScalarStyle.Plain)
        {
            if (value is null or "" or "~" or "null") return null;
            // Plain numbers stay numbers so "region: 1" is reported as not a string.
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) return JsonValue.Create(n);
        }
        return JsonValue.Create(value ?? "");
    }
}
