using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// bound_claims as Vault checks them: every bound claim must be present, and one of its expected
/// values (a list = any of) must equal one of the token's values (a list claim = any of). Equality
/// keeps JSON types, as Vault's does: the string "12" does not match the number 12. With
/// bound_claims_type "glob", '*' in an expected string matches any run of characters.
/// Claim names starting with '/' are JSON pointers into nested claims.
/// </summary>
public static class JwtClaimMatch
{
    /// <summary>Null when all bound claims match, else Vault's reason.</summary>
    public static string? Check(JsonObject bound, string type, JsonObject claims)
    {
        foreach (var (name, expected) in bound)
        {
            JsonNode? actual = Lookup(claims, name);
            if (actual is null) return $"claim \"{name}\" is missing";
            List<JsonValue>? actualValues = Values(actual);
            if (actualValues is null) return $"received claim is not a string, bool, int or list: {actual.ToJsonString()}";
            List<JsonValue>? expectedValues = Values(expected);
            if (expectedValues is null) return $"bound claim is not a string, bool, int or list: {expected?.ToJsonString()}";
            bool found = expectedValues.Any(e => actualValues.Any(a => type == "glob" ? Glob(e, a) : Same(e, a)));
            if (!found) return $"claim \"{name}\" does not match any associated bound claim values";
        }
        return null;
    }

    /// <summary>A scalar as a one-item list, a list of scalars as itself; null for anything else.</summary>
    public static List<JsonValue>? Values(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => [v],
        JsonArray a when a.All(x => x is JsonValue) => [.. a.Cast<JsonValue>()],
        _ => null,
    };

    private static JsonNode? Lookup(JsonObject claims, string name)
    {
        if (!name.StartsWith('/')) return claims[name];
        JsonNode? node = claims;
        foreach (string raw in name[1..].Split('/'))
        {
            string part = raw.Replace("~1", "/").Replace("~0", "~");
            node = node is JsonObject o ? o[part] : null;
            if (node is null) return null;
        }
        return node;
    }

    private static bool Same(JsonValue expected, JsonValue actual)
    {
        JsonValueKind e = expected.GetValueKind(), a = actual.GetValueKind();
        if (e is JsonValueKind.True or JsonValueKind.False) return e == a;
        if (e != a) return false;
        if (e == JsonValueKind.String) return expected.GetValue<string>() == actual.GetValue<string>();
        return expected.ToJsonString() == actual.ToJsonString();
    }

    private static bool Glob(JsonValue expected, JsonValue actual)
    {
        if (actual.GetValueKind() != JsonValueKind.String) return false;
        string pattern = "^" + string.Join(".*", expected.GetValue<string>().Split('*').Select(Regex.Escape)) + "$";
        return Regex.IsMatch(actual.GetValue<string>(), pattern, RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
