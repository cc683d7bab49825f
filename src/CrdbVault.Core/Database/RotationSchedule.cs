using System.Globalization;

namespace CrdbVault.Core.Database;

/// <summary>
/// Checks a static role's <c>rotation_schedule</c> before it goes to Vault: five cron fields
/// (minute, hour, day of month, month, day of week) made of numbers in range, <c>*</c>, lists
/// (<c>,</c>), ranges (<c>-</c>) and steps (<c>/</c>), month and day names. Vault parses it with the
/// standard five-field parser, which has no seconds field, no <c>@hourly</c>-style descriptors and no
/// <c>L</c>, <c>W</c> or <c>#</c>; this check refuses those with a message that says what to write.
/// </summary>
public static class RotationSchedule
{
    private static readonly (string Name, int Min, int Max, string[] Names)[] Fields =
    [
        ("minute", 0, 59, []),
        ("hour", 0, 23, []),
        ("day of month", 1, 31, []),
        ("month", 1, 12, ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]),
        ("day of week", 0, 7, ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
    ];

    private const string Form = "Write five fields: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' (03:00 every day) " +
        "or '0 0 * * SAT' (Saturdays at 00:00).";

    /// <summary>The schedule with its fields separated by single spaces.</summary>
    public static string Validate(string? schedule)
    {
        if (string.IsNullOrWhiteSpace(schedule))
            throw new ArgumentException("-RotationSchedule is empty. " + Form, "RotationSchedule");
        if (schedule.Length > 200)
            throw new ArgumentException("-RotationSchedule is longer than 200 characters. " + Form, "RotationSchedule");
        string trimmed = schedule.Trim();
        if (trimmed.StartsWith('@'))
            throw new ArgumentException($"-RotationSchedule '{trimmed}': Vault does not accept descriptors such as @hourly or @daily. " +
                $"{Form}", "RotationSchedule");
        string[] parts = trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
            throw new ArgumentException($"-RotationSchedule '{trimmed}' has {parts.Length} field(s); Vault wants exactly five (no seconds field). " +
                $"{Form}", "RotationSchedule");
        for (int i = 0; i < 5; i++) CheckField(trimmed, parts[i], Fields[i]);
        return string.Join(' ', parts);
    }

    private static void CheckField(string schedule, string field, (string Name, int Min, int Max, string[] Names) spec)
    {
        foreach (string item in field.Split(','))
        {
            string Bad(string why) => $"-RotationSchedule '{schedule}': the {spec.Name} field '{field}' {why}. {Form}";
            if (item.Length == 0) throw new ArgumentException(Bad("has an empty list item"), "RotationSchedule");
            string range = item;
            int slash = item.IndexOf('/');
            if (slash >= 0)
            {
                range = item[..slash];
                string step = item[(slash + 1)..];
                if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > spec.Max)
                    throw new ArgumentException(Bad($"has the step '/{step}'; a step is a whole number from 1 to {spec.Max}"), "RotationSchedule");
            }
            if (range is "*" or "?") continue;
            string[] ends = range.Split('-');
            if (ends.Length > 2) throw new ArgumentException(Bad($"has the range '{range}'"), "RotationSchedule");
            foreach (string end in ends)
            {
                if (int.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                {
                    if (v < spec.Min || v > spec.Max)
                        throw new ArgumentException(Bad($"has {v}, outside {spec.Min}-{spec.Max}"), "RotationSchedule");
                }
                else if (Array.IndexOf(spec.Names, end.ToUpperInvariant()) < 0)
                {
                    string allowed = spec.Names.Length > 0 ? $"numbers {spec.Min}-{spec.Max} or " +
                        $"{string.Join(", ", spec.Names)}" : $"numbers {spec.Min}-{spec.Max}";
                    throw new ArgumentException(Bad($"has '{end}'; it takes *, {allowed}, lists (,), ranges (-) and steps (/)"), "RotationSchedule");
                }
            }
        }
    }
}
