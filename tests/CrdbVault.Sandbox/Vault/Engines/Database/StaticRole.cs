using System.Globalization;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using Cronos;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>
/// One <c>database/static-roles/:name</c>: an existing database user whose password the engine sets
/// on create (unless skip_import_rotation) and rotates every rotation_period or on rotation_schedule.
/// </summary>
public sealed class StaticRole
{
    /// <summary>Vault's minimum rotation_period.</summary>
    public static readonly TimeSpan MinimumPeriod = TimeSpan.FromSeconds(5);
    /// <summary>Vault's minimum rotation_window.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromHours(1);

    /// <summary>The postgresql plugin's statement when a static role has none.</summary>
    public const string DefaultRotation = "ALTER ROLE \"{{name}}\" WITH PASSWORD '{{password}}';";

    public required string Name { get; init; }
    public string DbName { get; set; } = "";
    public string Username { get; set; } = "";
    public List<string> RotationStatements { get; set; } = [];
    public TimeSpan RotationPeriod { get; set; }
    public string RotationSchedule { get; set; } = "";
    public TimeSpan RotationWindow { get; set; }
    public bool SkipImportRotation { get; set; }
    public string CredentialType { get; set; } = "password";

    /// <summary>The password Vault knows; set by a rotation (or imported with skip_import_rotation).</summary>
    public string Password { get; set; } = "";
    /// <summary>When the engine last set the password; null when it never did.</summary>
    public DateTimeOffset? LastVaultRotation { get; set; }
    /// <summary>When the next rotation is due (engine clock).</summary>
    public DateTimeOffset NextRotation { get; set; }
    /// <summary>After a failed rotation: not before this time again.</summary>
    public DateTimeOffset? RetryAfter { get; set; }
    /// <summary>The last rotation error (test hook; Vault logs it).</summary>
    public string? LastError { get; set; }

    private CronExpression? _cron;

    public bool Scheduled => RotationSchedule.Length > 0;

    /// <summary>A copy to apply a write to, so a refused write leaves the stored role as it was.</summary>
    public StaticRole Copy() => new()
    {
        Name = Name, DbName = DbName, Username = Username, RotationStatements = [.. RotationStatements],
        RotationPeriod = RotationPeriod, RotationSchedule = RotationSchedule, RotationWindow = RotationWindow,
        SkipImportRotation = SkipImportRotation, CredentialType = CredentialType, _cron = _cron,
        Password = Password, LastVaultRotation = LastVaultRotation, NextRotation = NextRotation,
    };

    /// <summary>Applies a write body with Vault's checks; throws <see cref="VaultInputException"/> with Vault-like messages.</summary>
    public void Apply(JsonObject body, bool creating)
    {
        if (BodyReader.String(body, "db_name") is string db)
        {
            if (!creating && db != DbName) throw new VaultInputException("cannot update static role db_name");
            DbName = db;
        }
        if (creating && DbName.Length == 0) throw new VaultInputException("empty database name attribute");
        if (BodyReader.String(body, "username") is string user && user.Length > 0)
        {
            if (!creating && user != Username) throw new VaultInputException("cannot update static account username");
            Username = user;
        }
        if (creating && Username.Length == 0) throw new VaultInputException("username is a required field to create a static account");

        bool hasPeriod = BodyReader.Has(body, "rotation_period") && BodyReader.String(body, "rotation_period") is not ("" or "0");
        bool hasSchedule = BodyReader.Has(body, "rotation_schedule") && BodyReader.String(body, "rotation_schedule")!.Length > 0;
        bool hasWindow = BodyReader.Has(body, "rotation_window") && BodyReader.String(body, "rotation_window") is not ("" or "0");
        if (hasPeriod && hasSchedule)
            throw new VaultInputException("mutually exclusive fields rotation_period and rotation_schedule were both specified; only one of them can be provided");
        if (creating && !hasPeriod && !hasSchedule)
            throw new VaultInputException("one of rotation_schedule or rotation_period must be provided to create a static account");
        if (hasPeriod)
        {
            TimeSpan period = BodyReader.Duration(body, "rotation_period", TimeSpan.Zero);
            if (period < MinimumPeriod) throw new VaultInputException($"rotation_period must be {(int)MinimumPeriod.TotalSeconds} seconds or more");
            if (hasWindow) throw new VaultInputException("rotation_window is invalid with use of rotation_period");
            RotationPeriod = period;
            RotationSchedule = "";
            RotationWindow = TimeSpan.Zero;
            _cron = null;
        }
        if (hasSchedule)
        {
            string schedule = BodyReader.String(body, "rotation_schedule")!;
            _cron = ParseSchedule(schedule);
            RotationSchedule = schedule;
            RotationPeriod = TimeSpan.Zero;
        }
        if (hasWindow)
        {
            if (!Scheduled) throw new VaultInputException("rotation_window is invalid with use of rotation_period");
            TimeSpan window = BodyReader.Duration(body, "rotation_window", TimeSpan.Zero);
            if (window < MinimumWindow) throw new VaultInputException($"rotation_window is invalid: must be at least {(int)MinimumWindow.TotalSeconds} seconds");
            RotationWindow = window;
        }
        if (BodyReader.Has(body, "rotation_statements")) RotationStatements = BodyReader.Statements(body, "rotation_statements");
        if (BodyReader.String(body, "credential_type") is string type)
        {
            if (type != "password") throw new VaultInputException($"credential_type \"{type}\" is not supported by the sandbox (only \"password\")");
            CredentialType = type;
        }
        if (creating) SkipImportRotation = BodyReader.Bool(body, "skip_import_rotation", false);
        if (creating && SkipImportRotation)
        {
            Password = BodyReader.String(body, "password") ?? "";
            if (Password.Length == 0) throw new VaultInputException("password is required when skip_import_rotation is true");
        }
    }

    /// <summary>
    /// Vault parses schedules with the standard five-field cron parser: no seconds, no @descriptors,
    /// no L/W/# (which Cronos would accept), so those are refused here first.
    /// </summary>
    public static CronExpression ParseSchedule(string schedule)
    {
        string s = schedule.Trim();
        if (s.StartsWith('@') || s.IndexOfAny(['L', 'W', '#']) >= 0 && !OnlyInNames(s)
            || s.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
            throw new VaultInputException("could not parse rotation_schedule");
        try { return CronExpression.Parse(s, CronFormat.Standard); }
        catch (CronFormatException) { throw new VaultInputException("could not parse rotation_schedule"); }
    }

    // 'L', 'W' and '#' are fine inside JUL, WED, APR, ... but not as cron operators.
    private static bool OnlyInNames(string s)
    {
        string upper = s.ToUpperInvariant();
        foreach (string name in new[] { "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT" })
            upper = upper.Replace(name, "", StringComparison.Ordinal);
        return upper.IndexOfAny(['L', 'W', '#']) < 0;
    }

    /// <summary>The first scheduled time strictly after <paramref name="after"/> (UTC).</summary>
    public DateTimeOffset NextScheduled(DateTimeOffset after)
    {
        _cron ??= ParseSchedule(RotationSchedule);
        return _cron.GetNextOccurrence(after, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
    }

    /// <summary>Sets <see cref="NextRotation"/> from a rotation (or the role's creation) at <paramref name="from"/>.</summary>
    public void ScheduleFrom(DateTimeOffset from) =>
        NextRotation = Scheduled ? NextScheduled(from) : from + RotationPeriod;

    /// <summary>The read shape of static-roles/:name (either documented shape).</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["credential_type"] = CredentialType,
            ["db_name"] = DbName,
            ["username"] = Username,
            ["rotation_statements"] = new JsonArray([.. RotationStatements.Select(s => (JsonNode?)s)]),
            ["skip_import_rotation"] = SkipImportRotation,
        };
        AddRotation(o);
        return o;
    }

    /// <summary>The read shape of static-creds/:name: the password, when it was set, and the seconds until the next rotation.</summary>
    public JsonObject CredsJson(DateTimeOffset now)
    {
        var o = new JsonObject
        {
            ["username"] = Username,
            ["password"] = Password,
            ["last_vault_rotation"] = LastVaultRotation is DateTimeOffset t ? t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture) : "0001-01-01T00:00:00Z",
            ["ttl"] = Math.Max(0L, (long)Math.Floor((NextRotation - now).TotalSeconds)),
        };
        AddRotation(o);
        return o;
    }

    private void AddRotation(JsonObject o)
    {
        if (Scheduled)
        {
            o["rotation_schedule"] = RotationSchedule;
            if (RotationWindow > TimeSpan.Zero) o["rotation_window"] = VaultDurations.Seconds(RotationWindow);
        }
        else o["rotation_period"] = VaultDurations.Seconds(RotationPeriod);
    }
}
