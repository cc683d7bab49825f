using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>
/// Reads PKI request fields the way Vault's framework does: lists accept a JSON array or a
/// comma-separated string, booleans accept true/"true", durations accept seconds or Go durations.
/// A bad value throws VaultInputException (answered as 400), or PkiRequestException for PKI's own checks.
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

    // Field parsing is the double's shared BodyReader (bad input answers 400 like Vault's field parser).
    public static List<string> List(JsonObject body, string name) => BodyReader.List(body, name);

    public static bool Bool(JsonObject body, string name, bool fallback) => BodyReader.Bool(body, name, fallback);

    public static int Int(JsonObject body, string name, int fallback) => BodyReader.Int(body, name, fallback);

    /// <summary>parseutil.ParseDurationSecond: a number of seconds, or "90m", "1h30m", "7d"; absent = zero.</summary>
    public static TimeSpan Duration(JsonObject body, string name) => BodyReader.Duration(body, name, TimeSpan.Zero);

    public static long Seconds(TimeSpan t) => VaultDurations.Seconds(t);

    /// <summary>Go's time.Duration.String() at second precision ("768h0m0s"), as Vault prints TTLs in warnings.</summary>
    public static string GoDuration(TimeSpan value) => VaultDurations.GoString(value);

    public static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(s => (JsonNode?)s)]);
}

/// <summary>A request Vault would refuse with 400 and this text.</summary>
internal sealed class PkiRequestException(string message, int status = 400) : Exception(message)
{
    public int Status { get; } = status;
}
