using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Vault;

/// <summary>
/// Vault duration strings (<c>90m</c>, <c>1h30m</c>, <c>768h</c>, <c>45s</c>, <c>2d</c>) and
/// second counts, to and from <see cref="TimeSpan"/>.
/// </summary>
public static partial class VaultDuration
{
    [GeneratedRegex(@"\A(?:(?<n>[0-9]+(?:\.[0-9]+)?)(?<u>ns|us|µs|ms|s|m|h|d))+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"(?<n>[0-9]+(?:\.[0-9]+)?)(?<u>ns|us|µs|ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPart();

    /// <summary>Parses a Vault duration string or a plain number of seconds.</summary>
    /// <exception cref="FormatException">With a message that shows the accepted forms.</exception>
    public static TimeSpan Parse(string text)
    {
        if (TryParse(text, out TimeSpan value)) return value;
        throw new FormatException(
            $"'{text}' is not a duration. Use a Vault duration such as '90m', '1h30m', '24h' or '7d', " +
            "a number of seconds such as 3600, or a TimeSpan.");
    }

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        string s = text.Trim();
        if (long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }
        if (!DurationPattern().IsMatch(s)) return false;
        double totalSeconds = 0;
        foreach (Match m in DurationPart().Matches(s))
        {
            double n = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            totalSeconds += m.Groups["u"].Value switch
            {
                "ns" => n / 1e9,
                "us" or "µs" => n / 1e6,
                "ms" => n / 1e3,
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                "d" => n * 86400,
                _ => throw new FormatException(),
            };
        }
        if (totalSeconds > TimeSpan.MaxValue.TotalSeconds) return false;
        value = TimeSpan.FromSeconds(totalSeconds);
        return true;
    }

    /// <summary>The form Vault accepts everywhere: whole seconds with an <c>s</c> suffix.</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), "A duration cannot be negative.");
        return ((long)Math.Ceiling(value.TotalSeconds)).ToString(CultureInfo.InvariantCulture) + "s";
    }

    /// <summary>Reads a TTL that Vault may send as a number of seconds or as a duration string.</summary>
    public static TimeSpan FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => TimeSpan.FromSeconds(element.GetDouble()),
        JsonValueKind.String when TryParse(element.GetString(), out TimeSpan t) => t,
        JsonValueKind.String when string.IsNullOrEmpty(element.GetString()) => TimeSpan.Zero,
        JsonValueKind.Null or JsonValueKind.Undefined => TimeSpan.Zero,
        _ => throw new FormatException($"Vault sent '{element}' where a duration was expected."),
    };
}
