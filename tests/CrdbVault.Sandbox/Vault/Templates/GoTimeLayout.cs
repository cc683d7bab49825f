using System.Globalization;
using System.Text;

namespace CrdbVault.Sandbox.Vault.Templates;

/// <summary>Go's reference-time layouts ("2006-01-02T15:04:05Z07:00") applied to a UTC time.</summary>
public static class GoTimeLayout
{
    // Longest tokens first so "2006" wins over "2", "January" over "Jan", and so on.
    private static readonly string[] Tokens =
    [
        "January", "Monday", "-07:00:00", "Z07:00:00", ".000000000", ".000000", "-07:00", "Z07:00", "-0700", "Z0700",
        ".000", "2006", "Jan", "Mon", "MST", "002", "-07", "Z07", "01", "02", "_2", "15", "03", "04", "05", "06", "PM", "pm",
        "1", "2", "3", "4", "5",
    ];

    public static string Format(DateTimeOffset time, string layout)
    {
        DateTime t = time.UtcDateTime;
        var ci = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        int i = 0;
        while (i < layout.Length)
        {
            string? token = Tokens.FirstOrDefault(k => string.CompareOrdinal(layout, i, k, 0, k.Length) == 0);
            if (token is null) { sb.Append(layout[i++]); continue; }
            sb.Append(token switch
            {
                "January" => t.ToString("MMMM", ci),
                "Monday" => t.ToString("dddd", ci),
                "Jan" => t.ToString("MMM", ci),
                "Mon" => t.ToString("ddd", ci),
                "MST" => "UTC",
                "2006" => t.ToString("yyyy", ci),
                "06" => t.ToString("yy", ci),
                "01" => t.ToString("MM", ci),
                "1" => t.Month.ToString(ci),
                "02" => t.ToString("dd", ci),
                "_2" => t.Day.ToString(ci).PadLeft(2),
                "2" => t.Day.ToString(ci),
                "002" => t.DayOfYear.ToString("000", ci),
                "15" => t.ToString("HH", ci),
                "03" => t.ToString("hh", ci),
                "3" => t.ToString("%h", ci),
                "04" => t.ToString("mm", ci),
                "4" => t.Minute.ToString(ci),
                "05" => t.ToString("ss", ci),
                "5" => t.Second.ToString(ci),
                "PM" => t.Hour < 12 ? "AM" : "PM",
                "pm" => t.Hour < 12 ? "am" : "pm",
                ".000" => t.ToString(".fff", ci),
                ".000000" => t.ToString(".ffffff", ci),
                ".000000000" => t.ToString(".fffffff", ci) + "00",
                "-07:00:00" => "+00:00:00",
                "-07:00" => "+00:00",
                "-0700" => "+0000",
                "-07" => "+00",
                _ => "Z", // Z07:00, Z0700, Z07, Z07:00:00 print "Z" for UTC
            });
            i += token.Length;
        }
        return sb.ToString();
    }
}
