using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrdbVault.Core.Vault;

/// <summary>
/// JSON as Vault writes it, for the typed records of each endpoint: snake_case names, and values
/// read as tolerantly as Vault's own Go client reads them. TTLs come as seconds or as duration
/// strings, lists as arrays or comma-separated strings, numbers sometimes quoted; a value of an
/// unexpected kind reads as absent instead of failing the whole answer. One instance, immutable.
/// </summary>
internal static class VaultJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            MaxDepth = Validation.InputBudgets.AnswerDepth,
        };
        options.Converters.Add(new DurationConverter());
        options.Converters.Add(new StringListConverter());
        options.Converters.Add(new TextConverter());
        options.Converters.Add(new FlagConverter());
        options.Converters.Add(new OptionalFlagConverter());
        options.Converters.Add(new OptionalIntegerConverter<int>());
        options.Converters.Add(new OptionalIntegerConverter<long>());
        options.Converters.Add(new TimeConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>The endpoint's record from an answer's data (or the whole raw body); null when there is none.</summary>
    public static T? Read<T>(JsonElement data) where T : class =>
        data.ValueKind == JsonValueKind.Object ? data.Deserialize<T>(Options) : null;

    /// <summary>Seconds (a number) or a Vault duration string (<c>768h</c>); null, empty or absent is zero.</summary>
    private sealed class DurationConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            return VaultDuration.FromJson(doc.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(VaultDuration.Format(value));
    }

    /// <summary>An array of strings, one string, or a comma-separated string (see <see cref="VaultResponse.StringList"/>).</summary>
    private sealed class StringListConverter : JsonConverter<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using JsonDocument doc = JsonDocument.ParseValue(ref reader);
            return VaultResponse.StringList(doc.RootElement);
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToArray(), options);
    }

    /// <summary>A string; any other kind of value reads as null.</summary>
    private sealed class TextConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String) return reader.GetString();
            reader.Skip();
            return null;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>True only for JSON true: a flag Vault leaves out, nulls or quotes is not set.</summary>
    private sealed class FlagConverter : JsonConverter<bool>
    {
        public override bool HandleNull => true;

        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            bool value = reader.TokenType == JsonTokenType.True;
            reader.Skip();
            return value;
        }

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    /// <summary>True or false when Vault said so; null for anything else.</summary>
    private sealed class OptionalFlagConverter : JsonConverter<bool?>
    {
        public override bool HandleNull => true;

        public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            bool? value = reader.TokenType switch { JsonTokenType.True => true, JsonTokenType.False => false, _ => null };
            reader.Skip();
            return value;
        }

        public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
        {
            if (value is bool b) writer.WriteBooleanValue(b);
            else writer.WriteNullValue();
        }
    }

    /// <summary>A whole number, or a string holding one; null for anything else (a fraction, an overflow).</summary>
    private sealed class OptionalIntegerConverter<T> : JsonConverter<T?> where T : struct, IBinaryInteger<T>
    {
        public override bool HandleNull => true;

        public override T? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.TokenType switch
            {
                JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                JsonTokenType.String => reader.GetString(),
                _ => null,
            };
            reader.Skip();
            return T.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out T value) ? value : null;
        }

        public override void Write(Utf8JsonWriter writer, T? value, JsonSerializerOptions options)
        {
            if (value is T number) writer.WriteRawValue(number.ToString(null, CultureInfo.InvariantCulture));
            else writer.WriteNullValue();
        }
    }

    /// <summary>
    /// An RFC 3339 time; null when absent, unreadable, or Go's zero time (0001-01-01, what Vault
    /// writes for "never").
    /// </summary>
    private sealed class TimeConverter : JsonConverter<DateTimeOffset?>
    {
        public override bool HandleNull => true;

        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            reader.Skip();
            if (string.IsNullOrEmpty(text) || text.StartsWith("0001-01-01", StringComparison.Ordinal)) return null;
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t) ? t : null;
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is DateTimeOffset t) writer.WriteStringValue(t);
            else writer.WriteNullValue();
        }
    }
}

/// <summary>SQL statements: a list, or (older Vaults) one string holding them all. Never split on commas.</summary>
internal sealed class VaultStatementsConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        JsonElement e = doc.RootElement;
        return e.ValueKind switch
        {
            JsonValueKind.Array => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray(),
            JsonValueKind.String when !string.IsNullOrEmpty(e.GetString()) => [e.GetString()!],
            _ => [],
        };
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToArray());
}

/// <summary>
/// A map of key versions (<c>"1": …, "2": …</c>) as its version numbers and the values as text (a
/// string as it is, anything else as its JSON); names that are no version number are skipped.
/// </summary>
internal sealed class VaultVersionMapConverter : JsonConverter<IReadOnlyDictionary<int, string>>
{
    public override IReadOnlyDictionary<int, string> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        var versions = new SortedDictionary<int, string>();
        if (doc.RootElement.ValueKind != JsonValueKind.Object) return versions;
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            if (int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                versions[version] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
        }
        return versions;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<int, string> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value));
}
