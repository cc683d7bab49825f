using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>
/// Reads PKI request fields the way Vault's framework does: lists accept a JSON array or a
/// comma-separated string, booleans accept true/"true", durations accept seconds or Go durations.
/// A bad value throws <see cref="PkiRequestException"/> (answered as 400).
/// </summary>
internal static partial class PkiFields
{
    public static bool Has(JsonObject body, string name) => body[name] is not null;

    public static string? Str(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonNode n => n.ToJsonString(),
    };

    public static List<string> List(JsonObject body, string name) => body[name] switch
    {
        null => [],
        JsonArray a => [.. a.Where(x => x is not null).Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : x!.ToJsonString()).Where(s => s.Length > 0)],
        JsonValue v when v.GetValueKind() == JsonValueKind.String =>
            [.. v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        JsonNode n => throw new PkiRequestException($"error converting input {n.ToJsonString()} for field \"{name}\": expected a list"),
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
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number: return Num(v) != 0;
        }
        throw new PkiRequestException($"error converting input {body[name]!.ToJsonString()} for field \"{name}\": cannot parse as bool");
    }

    public static int Int(JsonObject body, string name, int fallback)
    {
        switch (body[name])
        {
            case null: return fallback;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number: return (int)Num(v);
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                string s = v.GetValue<string>();
                if (s.Length == 0) return fallback;
                if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)) return i;
                break;
        }
        throw new PkiRequestException($"error converting input {body[name]!.ToJsonString()} for field \"{name}\": cannot parse as int");
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeDuration();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>parseutil.ParseDurationSecond: a number of seconds, or "90m", "1h30m", "7d".</summary>
    public static TimeSpan Duration(JsonObject body, string name)
    {
        JsonNode? node = body[name];
        if (node is null) return TimeSpan.Zero;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return TimeSpan.FromSeconds(Num(v));
        string s = (node is JsonValue sv && sv.GetValueKind() == JsonValueKind.String ? sv.GetValue<string>() : node.ToJsonString()).Trim();
        if (s.Length == 0) return TimeSpan.Zero;
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)) return TimeSpan.FromSeconds(seconds);
        if (!WholeDuration().IsMatch(s)) throw new PkiRequestException($"error converting input {node.ToJsonString()} for field \"{name}\": time: invalid duration \"{s}\"");
        double total = 0;
        foreach (Match m in DurationPart().Matches(s))
        {
            double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            total += m.Groups[2].Value switch
            {
                "ns" => n / 1e9,
                "us" or "µs" => n / 1e6,
                "ms" => n / 1e3,
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                _ => n * 86400,
            };
        }
        return TimeSpan.FromSeconds(total);
    }

    private static double Num(JsonValue v) => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);

    public static long Seconds(TimeSpan t) => (long)Math.Max(0, Math.Round(t.TotalSeconds, MidpointRounding.AwayFromZero));

    /// <summary>Go's time.Duration.String() at second precision ("768h0m0s"), as Vault prints TTLs in warnings.</summary>
    public static string GoDuration(TimeSpan value)
    {
        long total = Seconds(value);
        if (total == 0) return "0s";
        var sb = new StringBuilder();
        long h = total / 3600, m = total % 3600 / 60, s = total % 60;
        if (h > 0) sb.Append(h).Append('h');
        if (h > 0 || m > 0) sb.Append(m).Append('m');
        sb.Append(s).Append('s');
        return sb.ToString();
    }

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode?)s)]);
}

/// <summary>A request Vault would refuse with 400 and this text.</summary>
internal sealed class PkiRequestException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
