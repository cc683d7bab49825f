using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// A Cloud API enum kept as its string. The API adds values over time (its own Go SDK stopped
/// failing on unknown values, docs/cockroachdb-notes.md#cloud-api), so an unknown value is carried through, shown
/// as sent and compared case-insensitively, never a crash.
/// </summary>
public interface IOpenEnum<TSelf> where TSelf : struct, IOpenEnum<TSelf>
{
    /// <summary>The value as the API spells it, e.g. <c>ENABLED</c>; empty when absent.</summary>
    string Value { get; }

    static abstract TSelf FromValue(string value);
}

/// <summary>Reads and writes an <see cref="IOpenEnum{TSelf}"/> as a JSON string; null or a number is kept as text.</summary>
public sealed class OpenEnumJsonConverter<T> : JsonConverter<T> where T : struct, IOpenEnum<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => T.FromValue(reader.GetString() ?? ""),
        // grpc-gateway can be told to emit enums as numbers; keep the number rather than fail.
        JsonTokenType.Number => T.FromValue(reader.TryGetInt64(out long n)
            ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : reader.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        JsonTokenType.Null => default,
        _ => SkipAndDefault(ref reader),
    };

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);

    private static T SkipAndDefault(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return default;
    }
}

/// <summary>Equality shared by the open enums: ordinal, ignoring case, null = empty.</summary>
internal static class OpenEnumText
{
    public static string Normalize(string? value) => value ?? "";

    public static bool Same(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.OrdinalIgnoreCase);

    public static int Hash(string? value) => StringComparer.OrdinalIgnoreCase.GetHashCode(value ?? "");
}
