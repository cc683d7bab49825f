using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// JSON as the Cloud API speaks it: snake_case names, unknown fields ignored, numbers that
/// grpc-gateway may quote accepted, dates parsed leniently. One instance, shared and immutable.
/// </summary>
internal static class CloudJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            PropertyNameCaseInsensitive = true,
            NumberHandling = JsonNumberHandling.AllowReadingFromString,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = Validation.InputBudgets.AnswerDepth, // stated, not assumed: a deeper answer is a JsonException
        };
        options.Converters.Add(new LenientDateTimeOffsetConverter());
        options.Converters.Add(new NullAsDefault<int>());
        options.Converters.Add(new NullAsDefault<bool>());
        options.Converters.Add(new NullAsDefault<double>());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// Go writes RFC 3339 with up to nine fraction digits; a date we cannot read becomes null
    /// instead of failing the whole answer.
    /// </summary>
    private sealed class LenientDateTimeOffsetConverter : JsonConverter<DateTimeOffset?>
    {
        public override DateTimeOffset? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                reader.Skip();
                return null;
            }
            if (reader.TryGetDateTimeOffset(out DateTimeOffset value)) return value;
            string? text = reader.GetString();
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value)
                ? value : null;
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset? value, JsonSerializerOptions options)
        {
            if (value is DateTimeOffset v) writer.WriteStringValue(v.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
            else writer.WriteNullValue();
        }
    }

    /// <summary>A JSON null where a number or flag is expected reads as 0/false instead of failing the answer.</summary>
    private sealed class NullAsDefault<T> : JsonConverter<T> where T : struct
    {
        public override bool HandleNull => true;

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null) return default;
            if (typeof(T) == typeof(bool) && reader.TokenType == JsonTokenType.String)
                return (T)(object)string.Equals(reader.GetString(), "true", StringComparison.OrdinalIgnoreCase);
            bool quoted = reader.TokenType == JsonTokenType.String;
            if (typeof(T) == typeof(int))
            {
                int number = quoted ? (int.TryParse(reader.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : 0)
                    : reader.GetInt32();
                return (T)(object)number;
            }
            if (typeof(T) == typeof(double))
            {
                double number = quoted ? (double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0)
                    : reader.GetDouble();
                return (T)(object)number;
            }
            return (T)(object)reader.GetBoolean();
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value, typeof(T));
    }
}
