using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Vault.Support;

/// <summary>
/// Durations as Vault accepts them (parseutil.ParseDurationSecond): a JSON number of seconds, a
/// string of seconds, a Go duration ("90m", "1h30m", "1.5h") or days ("7d"); and the Go
/// <c>time.Duration.String()</c> form Vault prints in warnings ("1h0m0s").
/// </summary>
public static partial class VaultDurations
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>Parses a body value; null/empty = zero. Throws <see cref="FormatException"/> with Vault-like text.</summary>
    public static TimeSpan Parse(JsonNode? node)
    {
        if (node is null) return TimeSpan.Zero;
        if (node is JsonValue v)
        {
            // Via the text: GetValue<double> throws for nodes built in process from an int or long.
            if (v.GetValueKind() == JsonValueKind.Number) return TimeSpan.FromSeconds(double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture));
            if (v.GetValueKind() == JsonValueKind.String) return Parse(v.GetValue<string>());
        }
        throw new FormatException($"error parsing duration: unexpected value {node.ToJsonString()}");
    }

    public static TimeSpan Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return TimeSpan.Zero;
        string s = text.Trim();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seconds))
            return seconds < 0 ? throw new FormatException($"time: invalid duration \"{s}\"") : TimeSpan.FromSeconds(seconds);
        if (!Whole().IsMatch(s)) throw new FormatException($"time: invalid duration \"{s}\"");
        double total = 0;
        foreach (Match m in Part().Matches(s))
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

    /// <summary>Whole seconds, as Vault reports TTLs.</summary>
    public static long Seconds(TimeSpan value) => (long)Math.Max(0, Math.Round(value.TotalSeconds, MidpointRounding.AwayFromZero));

    /// <summary>Go's <c>time.Duration.String()</c> at second precision: 0s, 45s, 1m30s, 1h0m0s.</summary>
    public static string GoString(TimeSpan value)
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
}
