using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrdbVault.Core.Keys;

/// <summary>
/// What it takes to rebuild a store key file through Vault, and nothing secret: the key ID, where
/// the transit key is, and the data key wrapped by it (<c>vault:vN:...</c>, useless without Vault
/// and a token allowed to decrypt with that key). Written as <c>&lt;file&gt;.vault.json</c> beside the
/// key file; keep a copy off the data volume.
/// </summary>
public sealed record StoreKeyRecovery
{
    /// <summary>Format marker so future versions can tell records apart.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>Hex of the 32-byte key ID (what CockroachDB logs and shows as the store key ID).</summary>
    public required string KeyId { get; init; }
    public required string TransitMount { get; init; }
    public required string TransitKey { get; init; }

    /// <summary>The data key wrapped by transit: <c>vault:v&lt;N&gt;:...</c>.</summary>
    public required string Ciphertext { get; init; }

    /// <summary>Bits: 128 or 256.</summary>
    public required int KeySize { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>File name (no folder) of the key file the record belongs to.</summary>
    public required string FileName { get; init; }

    public const string FormatName = "crdbvault-store-key-v1";

    private static readonly JsonSerializerOptions Json = new()
    {
        MaxDepth = 16, // the record is flat: anything deeper is not one

        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads and checks a record; the message says what is wrong with it.</summary>
    public static StoreKeyRecovery Parse(ReadOnlySpan<byte> json, string source)
    {
        StoreKeyRecovery? record;
        try
        {
            record = JsonSerializer.Deserialize<StoreKeyRecovery>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"'{source}' is not a CrdbVault store key recovery record ({ex.Message}). It is the <key file>.vault.json that New-CrdbStoreKey wrote.", ex);
        }
        if (record is null)
            throw new FormatException($"'{source}' is empty; expected the <key file>.vault.json that New-CrdbStoreKey wrote.");
        record.Validate(source);
        return record;
    }

    public static StoreKeyRecovery Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Recovery record '{path}' does not exist. It is the <key file>.vault.json that New-CrdbStoreKey wrote next to the key.", path);
        byte[] json = Validation.InputBudgets.ReadFile(path, Validation.InputBudgets.SmallFileBytes, size =>
            new FormatException($"'{path}' is {size / 1024} KiB: a recovery record is well under {Validation.InputBudgets.Describe(Validation.InputBudgets.SmallFileBytes)}. It is the <key file>.vault.json that New-CrdbStoreKey wrote."));
        return Parse(json, path);
    }

    /// <summary>Throws <see cref="FormatException"/> naming the first bad field.</summary>
    public void Validate(string source)
    {
        if (Format != FormatName)
            throw new FormatException($"'{source}' has format '{Format}', not '{FormatName}'.");
        StoreKeyFile.ParseKeyId(KeyId);
        if (string.IsNullOrWhiteSpace(TransitMount) || string.IsNullOrWhiteSpace(TransitKey))
            throw new FormatException($"'{source}' does not name the transit mount and key (TransitMount, TransitKey).");
        if (!TransitCiphertext.IsWellFormed(Ciphertext))
            throw new FormatException($"'{source}' has no transit ciphertext of the form 'vault:v<N>:<base64>' in Ciphertext.");
        if (KeySize is not (128 or 256))
            throw new FormatException($"'{source}' has KeySize {KeySize}; store keys made through transit are 128 or 256 bits.");
        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(['/', '\\']) >= 0 || FileName is "." or "..")
            throw new FormatException($"'{source}' has no plain file name in FileName.");
        try
        {
            Validation.InputValidator.WritePath(FileName, "FileName");
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"'{source}': {ex.Message}", ex);
        }
    }

    public override string ToString() => $"store key {KeyId} ({KeySize}-bit) wrapped by {TransitMount}/{TransitKey}";
}

/// <summary>Shape checks of transit's <c>vault:v&lt;N&gt;:&lt;base64&gt;</c> ciphertext.</summary>
public static class TransitCiphertext
{
    public static bool IsWellFormed(string? value) => TryGetVersion(value, out _);

    /// <summary>The key version a ciphertext was made with.</summary>
    public static bool TryGetVersion(string? value, out int version)
    {
        version = 0;
        if (value is null || !value.StartsWith("vault:v", StringComparison.Ordinal)) return false;
        string[] parts = value.Split(':', 3);
        if (parts.Length != 3 || parts[2].Length == 0) return false;
        return int.TryParse(parts[1].AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version) && version > 0;
    }
}
