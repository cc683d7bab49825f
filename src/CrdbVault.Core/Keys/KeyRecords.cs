using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Keys;

// The answers of the transit and keymgmt engines, one record each (read with Vault.VaultJson).

/// <summary>
/// <c>transit/keys/:name</c>. <c>keys</c> maps each version to its creation: Unix seconds for
/// symmetric keys, an object with <c>creation_time</c> for others.
/// </summary>
internal sealed record TransitKeyData(
    string? Name,
    string? Type,
    [property: JsonConverter(typeof(TransitVersionsConverter))] IReadOnlyDictionary<int, DateTimeOffset>? Keys,
    int? LatestVersion,
    int? MinDecryptionVersion,
    int? MinEncryptionVersion,
    bool DeletionAllowed,
    bool Exportable);

/// <summary><c>transit/datakey/:type/:name</c>: the wrapped key, the plain one (base64) when asked for, and its version.</summary>
internal sealed record TransitDataKeyData(string? Ciphertext, string? Plaintext, int? KeyVersion);

/// <summary><c>transit/encrypt/:name</c> and <c>transit/decrypt/:name</c>.</summary>
internal sealed record TransitCipherData(string? Ciphertext, string? Plaintext);

/// <summary><c>keymgmt/key/:name</c>: <c>keys</c> is a map whose names are the versions.</summary>
internal sealed record KeymgmtKeyData(
    string? Name,
    string? Type,
    [property: JsonConverter(typeof(VaultVersionMapConverter))] IReadOnlyDictionary<int, string>? Keys,
    int? LatestVersion,
    int? MinEnabledVersion,
    bool DeletionAllowed);

/// <summary><c>keymgmt/kms/:name</c> (credentials are never returned).</summary>
internal sealed record KmsProviderData(string? Provider, string? KeyCollection);

/// <summary><c>keymgmt/kms/:kms/key/:key</c>: the provider-side name, purposes and, in newer Vaults, version ids.</summary>
internal sealed record KeyDistributionData(
    string? Name,
    IReadOnlyList<string>? Purpose,
    string? Protection,
    [property: JsonConverter(typeof(VaultVersionMapConverter))] IReadOnlyDictionary<int, string>? Versions);

/// <summary>Transit's <c>keys</c> map: version → Unix seconds, or → an object with <c>creation_time</c>.</summary>
internal sealed class TransitVersionsConverter : JsonConverter<IReadOnlyDictionary<int, DateTimeOffset>>
{
    public override IReadOnlyDictionary<int, DateTimeOffset>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using JsonDocument doc = JsonDocument.ParseValue(ref reader);
        if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
        var versions = new SortedDictionary<int, DateTimeOffset>();
        foreach (JsonProperty p in doc.RootElement.EnumerateObject())
        {
            if (!int.TryParse(p.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int v)) continue;
            versions[v] = p.Value.ValueKind switch
            {
                JsonValueKind.Number when p.Value.TryGetInt64(out long s) => DateTimeOffset.FromUnixTimeSeconds(s),
                JsonValueKind.Object when p.Value.TryGetProperty("creation_time", out JsonElement created) && created.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset d) => d,
                _ => default,
            };
        }
        return versions;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<int, DateTimeOffset> value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value.ToUnixTimeSeconds()));
}
