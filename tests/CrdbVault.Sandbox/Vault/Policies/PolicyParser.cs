using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Policies;

/// <summary>
/// Parses the subset of HCL that ACL policies use (and the JSON form of the same):
/// <code>
/// path "pki/issue/client" {
///   capabilities = ["create", "update"]
///   denied_parameters = { "alt_names" = [] }
///   allowed_parameters = { "common_name" = ["alice"], "*" = [] }
/// }
/// </code>
/// Comments (#, //, /* */), unquoted keys, commas or newlines between items, and the legacy
/// <c>policy = "read|write|deny|sudo|list"</c> are accepted. Errors throw <see cref="FormatException"/>.
/// </summary>
public static class PolicyParser
{
    public static List<PathRule> Parse(string text)
    {
        string trimmed = text.TrimStart();
        JsonNode? root = trimmed.StartsWith('{') ? ParseJson(text) : new HclReader(text).ReadDocument();
        if (root is not JsonObject doc) throw new FormatException("failed to parse policy: expected an object");

        var rules = new List<PathRule>();
        foreach (var (key, value) in doc)
        {
            if (key != "path") continue; // "name" and unknown top-level keys are ignored, as Vault ignores them
            foreach (var (pattern, body) in Blocks(value))
                rules.Add(BuildRule(pattern, body));
        }
        return rules;
    }

    private static JsonNode? ParseJson(string text)
    {
        try { return JsonNode.Parse(text); }
        catch (JsonException ex) { throw new FormatException("failed to parse policy: " + ex.Message); }
    }

    /// <summary>HCL repeats blocks (a list of objects); JSON uses one object keyed by path.</summary>
    private static IEnumerable<(string, JsonObject)> Blocks(JsonNode? value)
    {
        if (value is JsonArray list)
        {
            foreach (JsonNode? item in list)
                foreach (var b in Blocks(item)) yield return b;
            yield break;
        }
        if (value is not JsonObject paths) throw new FormatException("failed to parse policy: path must be a block");
        foreach (var (pattern, body) in paths)
        {
            if (body is JsonArray arr)
            {
                foreach (JsonNode? b in arr)
                    yield return (pattern, b as JsonObject ?? throw new FormatException($"failed to parse policy: path \"{pattern}\" must be a block"));
            }
            else yield return (pattern, body as JsonObject ?? throw new FormatException($"failed to parse policy: path \"{pattern}\" must be a block"));
        }
    }

    private static PathRule BuildRule(string pattern, JsonObject body)
    {
        var rule = new PathRule { Pattern = pattern.TrimStart('/') };
        foreach (var (key, value) in body)
        {
            switch (key)
            {
                case "capabilities":
                    foreach (string cap in Strings(value, key)) rule.Capabilities |= ParseCapability(cap, pattern);
                    break;
                case "policy":
                    rule.Capabilities |= (value?.GetValue<string>() ?? "") switch
                    {
                        "deny" => Capability.Deny,
                        "read" => Capability.Read | Capability.List,
                        "write" => Capability.Create | Capability.Read | Capability.Update | Capability.Delete | Capability.List,
                        "sudo" => Capability.Create | Capability.Read | Capability.Update | Capability.Delete | Capability.List | Capability.Sudo,
                        string other => throw new FormatException($"failed to parse policy: path \"{pattern}\": invalid policy \"{other}\""),
                    };
                    break;
                case "allowed_parameters":
                    rule.AllowedParameters = ParameterMap(value, key);
                    break;
                case "denied_parameters":
                    rule.DeniedParameters = ParameterMap(value, key);
                    break;
                case "required_parameters":
                    rule.RequiredParameters = [.. Strings(value, key)];
                    break;
                case "min_wrapping_ttl" or "max_wrapping_ttl" or "mfa_methods" or "control_group" or "subscribe_event_types":
                    break; // accepted, not enforced by the double
                default:
                    throw new FormatException($"failed to parse policy: path \"{pattern}\": invalid key \"{key}\"");
            }
        }
        return rule;
    }

    private static Capability ParseCapability(string name, string pattern) => name switch
    {
        "create" => Capability.Create,
        "read" => Capability.Read,
        "update" => Capability.Update,
        "delete" => Capability.Delete,
        "list" => Capability.List,
        "sudo" => Capability.Sudo,
        "deny" => Capability.Deny,
        "patch" => Capability.Patch,
        "subscribe" or "recover" => Capability.None,
        _ => throw new FormatException($"failed to parse policy: path \"{pattern}\": invalid capability \"{name}\""),
    };

    private static IEnumerable<string> Strings(JsonNode? value, string key) => value switch
    {
        JsonArray a => a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : x?.ToJsonString() ?? ""),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => throw new FormatException($"failed to parse policy: \"{key}\" must be a list"),
    };

    private static Dictionary<string, List<string>> ParameterMap(JsonNode? value, string key)
    {
        // HCL may produce a list of maps when the block is repeated; merge them.
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        List<JsonNode?> maps = value is JsonArray arr ? [.. arr] : new List<JsonNode?> { value };
        foreach (JsonNode? m in maps)
        {
            if (m is not JsonObject obj) throw new FormatException($"failed to parse policy: \"{key}\" must be a map");
            foreach (var (name, values) in obj)
                result[name] = values is null ? [] : [.. Strings(values, name)];
        }
        return result;
    }

    /// <summary>
    /// Reads HCL into JSON nodes: <c>key = value</c> becomes a property, <c>key "label" { }</c> becomes
    /// <c>key: [{ label: {..} }]</c> (repeated blocks accumulate in the list).
    /// </summary>
    private sealed class HclReader(string text)
    {
        private int _pos;

        public JsonObject ReadDocument()
        {
            JsonObject body = ReadBody(endChar: null);
            SkipTrivia();
            if (_pos < text.Length) throw Error("unexpected text");
            return body;
        }

        private JsonObject ReadBody(char? endChar)
        {
            var obj = new JsonObject();
            while (true)
            {
                SkipTrivia(includeCommas: true);
                if (_pos >= text.Length)
                {
                    if (endChar is not null) throw Error($"expected '{endChar}'");
                    return obj;
                }
                if (endChar is char e && text[_pos] == e) { _pos++; return obj; }

                string key = ReadKey();
                SkipTrivia();
                if (Peek() is '=' or ':')
                {
                    _pos++;
                    obj[key] = ReadValue();
                    continue;
                }
                // A block: key ["label"...] { body }
                var labels = new List<string>();
                while (Peek() == '"') { labels.Add(ReadString()); SkipTrivia(); }
                if (Peek() != '{') throw Error($"expected '=' or '{{' after \"{key}\"");
                _pos++;
                JsonNode block = ReadBody('}');
                for (int i = labels.Count - 1; i >= 0; i--) block = new JsonObject { [labels[i]] = block };
                if (obj[key] is not JsonArray list) obj[key] = list = [];
                list.Add(block);
            }
        }

        private JsonNode? ReadValue()
        {
            SkipTrivia();
            char c = Peek();
            if (c == '"') return JsonValue.Create(ReadString());
            if (c == '[')
            {
                _pos++;
                var arr = new JsonArray();
                while (true)
                {
                    SkipTrivia(includeCommas: true);
                    if (Peek() == ']') { _pos++; return arr; }
                    arr.Add(ReadValue());
                }
            }
            if (c == '{') { _pos++; return ReadBody('}'); }
            string word = ReadKey();
            return word switch
            {
                "true" => JsonValue.Create(true),
                "false" => JsonValue.Create(false),
                _ when double.TryParse(word, System.Globalization.CultureInfo.InvariantCulture, out double d) => JsonValue.Create(d),
                _ => throw Error($"unexpected value \"{word}\""),
            };
        }

        private string ReadKey()
        {
            SkipTrivia();
            if (Peek() == '"') return ReadString();
            int start = _pos;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] is '_' or '-' or '.' or '*' or '/' or '+')) _pos++;
            if (_pos == start) throw Error("expected a name");
            return text[start.._pos];
        }

        private string ReadString()
        {
            _pos++; // opening quote
            var sb = new StringBuilder();
            while (_pos < text.Length && text[_pos] != '"')
            {
                char c = text[_pos++];
                if (c == '\\' && _pos < text.Length)
                {
                    char n = text[_pos++];
                    sb.Append(n switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => n });
                }
                else sb.Append(c);
            }
            if (_pos >= text.Length) throw Error("unterminated string");
            _pos++;
            return sb.ToString();
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void SkipTrivia(bool includeCommas = false)
        {
            while (_pos < text.Length)
            {
                char c = text[_pos];
                if (char.IsWhiteSpace(c) || (includeCommas && c == ',')) { _pos++; continue; }
                if (c == '#' || (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '/'))
                {
                    while (_pos < text.Length && text[_pos] != '\n') _pos++;
                    continue;
                }
                if (c == '/' && _pos + 1 < text.Length && text[_pos + 1] == '*')
                {
                    int end = text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                    _pos = end < 0 ? text.Length : end + 2;
                    continue;
                }
                break;
            }
        }

        private FormatException Error(string what)
        {
            int line = 1 + text.AsSpan(0, Math.Min(_pos, text.Length)).Count('\n');
            return new FormatException($"failed to parse policy: At {line}: {what}");
        }
    }
}
