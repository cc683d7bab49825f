using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Support;

/// <summary>
/// Reads request fields the way Vault's framework does: lists accept a JSON array or a
/// comma-separated string, booleans accept true/"true", durations accept numbers or strings.
/// Invalid values throw <see cref="VaultInputException"/> (answered as 400).
/// </summary>
public static class BodyReader
{
    public static bool Has(JsonObject body, string name) => body.ContainsKey(name) && body[name] is not null;

    public static string? String(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonNode n => n.ToJsonString(),
    };

    /// <summary>A list from an array (elements as strings) or a comma-separated string (trimmed, empties dropped).</summary>
    public static List<string> List(JsonObject body, string name) => body[name] switch
    {
        null => [],
        JsonArray a => [.. a.Where(x => x is not null).Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : x!.ToJsonString()).Where(s => s.Length > 0)],
        JsonValue v when v.GetValueKind() == JsonValueKind.String =>
            [.. v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        JsonNode n => throw new VaultInputException($"error converting input {n.ToJsonString()} for field \"{name}\": expected a list"),
    };

    public static bool Bool(JsonObject body, string name, bool fallback)
    {
        switch (body[name])
        {
            case null: return fallback;
            case JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False: return v.GetValue<bool>();
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string s = v.GetValue<string>();
                if (s.Length == 0) return fallback;
                if (s is "1" or "t" or "T" or "true" or "TRUE" or "True") return true;
                if (s is "0" or "f" or "F" or "false" or "FALSE" or "False") return false;
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                return Number(v) != 0;
        }
        throw new VaultInputException($"error converting input {body[name]!.ToJsonString()} for field \"{name}\": cannot parse as bool");
    }

    public static int Int(JsonObject body, string name, int fallback)
    {
        switch (body[name])
        {
            case null: return fallback;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number: return (int)Number(v);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>().Length == 0: return fallback;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), out int i): return i;
        }
        throw new VaultInputException($"error converting input {body[name]!.ToJsonString()} for field \"{name}\": cannot parse as int");
    }

    /// <summary>
    /// A JSON number as double. Via its text: GetValue&lt;double&gt; throws for nodes built in process
    /// from an int (engines and tests construct bodies, not only parse them).
    /// </summary>
    private static double Number(JsonValue v) => double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);

    public static TimeSpan Duration(JsonObject body, string name, TimeSpan fallback)
    {
        if (!Has(body, name)) return fallback;
        try { return VaultDurations.Parse(body[name]); }
        catch (FormatException ex) { throw new VaultInputException($"error converting input {body[name]!.ToJsonString()} for field \"{name}\": {ex.Message}"); }
    }

    /// <summary>Statements as the database plugins accept them: a list, one string, or base64 of either.</summary>
    public static List<string> Statements(JsonObject body, string name)
    {
        List<string> raw = body[name] switch
        {
            null => [],
            JsonArray a => [.. a.Select(x => x?.GetValue<string>() ?? "")],
            JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
            JsonNode n => throw new VaultInputException($"error converting input {n.ToJsonString()} for field \"{name}\""),
        };
        var result = new List<string>();
        foreach (string item in raw)
        {
            string text = TryBase64(item) ?? item;
            // A JSON array of statements (possibly base64-encoded) is also accepted (strutil.ParseArbitraryStringSlice).
            if (text.TrimStart().StartsWith('['))
            {
                try
                {
                    if (JsonNode.Parse(text) is JsonArray arr) { result.AddRange(arr.Select(x => x?.GetValue<string>() ?? "")); continue; }
                }
                catch (JsonException) { }
            }
            if (!string.IsNullOrWhiteSpace(text)) result.Add(text);
        }
        return result;
    }

    private static string? TryBase64(string s)
    {
        string t = s.Trim();
        if (t.Length == 0 || t.Length % 4 != 0 || t.Contains(' ')) return null;
        try
        {
            byte[] bytes = Convert.FromBase64String(t);
            string decoded = new UTF8Encoding(false, true).GetString(bytes);
            // Only treat it as base64 when it decodes to printable text (a plain statement is never valid base64 of text).
            return decoded.All(c => !char.IsControl(c) || c is '\n' or '\r' or '\t') ? decoded : null;
        }
        catch (FormatException) { return null; }
        catch (DecoderFallbackException) { return null; }
    }
}

/// <summary>A bad request field: the server answers 400 with the message.</summary>
public sealed class VaultInputException(string message) : Exception(message);
