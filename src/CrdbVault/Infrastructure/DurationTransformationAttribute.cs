using System.Management.Automation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Lets duration parameters take a Vault duration string ('90m', '1h'), a number of SECONDS
/// (7200 is two hours, not 7,200 ticks as PowerShell's own conversion would make it) or a TimeSpan.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            null => null,
            TimeSpan t => t,
            int or long or short or byte or uint or ulong or ushort =>
                TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            string s => ParseText(s),
            _ => throw new ArgumentTransformationMetadataException(
                $"Cannot use a {value.GetType().Name} as a duration. Give a Vault duration such as '90m', a number of seconds such as 3600, or a TimeSpan."),
        };
    }

    private static TimeSpan ParseText(string s)
    {
        // Same rule as every other kind of text: no control characters, no surrounding blanks.
        if (s.Length == 0 || s.Length > 64 || char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1]) || s.Any(char.IsControl))
            throw new ArgumentTransformationMetadataException(
                $"{Core.Validation.InputValidator.Shown(s)} is not a duration (empty, too long, or with control characters or surrounding blanks). " +
                    $"Use a Vault duration such as '90m', '1h30m', '24h' or '7d', a number of seconds such as 3600, or a TimeSpan such as '01:30:00'.");
        if (VaultDuration.TryParse(s, out TimeSpan t)) return t;
        if (TimeSpan.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out t)) return t;
        throw new ArgumentTransformationMetadataException(
            $"'{s}' is not a duration. Use a Vault duration such as '90m', '1h30m', '24h' or '7d', a number of seconds such as 3600, " +
                $"or a TimeSpan such as '01:30:00'.");
    }
}
