using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrdbVault.Core.Keys;

/// <summary>What is wrong with a recovery record (stable, for error ids).</summary>
public enum StoreKeyRecordProblem
{
    /// <summary>Not a record, or a field has the wrong shape.</summary>
    Invalid,
    /// <summary>Written by a version of the format this module does not read (older or newer).</summary>
    UnsupportedVersion,
    /// <summary>Well-formed, but its fields do not belong together (the wrapped key file says otherwise).</summary>
    Altered,
}

/// <summary>A recovery record that cannot be used; nothing was written.</summary>
public sealed class StoreKeyRecordException(string message, StoreKeyRecordProblem problem, Exception? inner = null) : FormatException(message, inner)
{
    public StoreKeyRecordProblem Problem { get; } = problem;
}

/// <summary>
/// What it takes to rebuild a store key file through Vault, and nothing secret: the key ID, where
/// the transit key is, and the whole key file (key ID followed by the key) WRAPPED by transit
/// (<c>vault:vN:...</c>, useless without Vault and a token allowed to decrypt with that key).
/// Written as <c>&lt;file&gt;.vault.json</c> beside the key file; keep a copy off the data volume.
/// <para>Version 2 binds the fields that make the key: because transit wraps key ID and key
/// together, a changed <see cref="KeyId"/>, <see cref="KeySize"/> or <see cref="Ciphertext"/>
/// (another record's pasted in) no longer matches what transit unwraps, and a changed
/// <see cref="TransitMount"/>/<see cref="TransitKey"/> cannot unwrap it at all. <see cref="FileName"/>
/// (the default destination) and <see cref="CreatedAt"/> are descriptive: changing them cannot make
/// a key file whose ID and key do not belong together.</para>
/// </summary>
public sealed record StoreKeyRecovery
{
    /// <summary>Marker that tells a CrdbVault record from any other JSON.</summary>
    public string Format { get; init; } = FormatName;

    /// <summary>
    /// Version of the record format, <see cref="CurrentVersion"/> when written by this module; null
    /// (absent) in records from before versioning. No default here: a record read without it must stay null.
    /// </summary>
    public int? Version { get; init; }

    /// <summary>Hex of the 32-byte key ID (what CockroachDB logs and shows as the store key ID).</summary>
    public required string KeyId { get; init; }
    public required string TransitMount { get; init; }
    public required string TransitKey { get; init; }

    /// <summary>The key file (key ID ‖ key) wrapped by transit: <c>vault:v&lt;N&gt;:...</c>.</summary>
    public required string Ciphertext { get; init; }

    /// <summary>Bits: 128 or 256.</summary>
    public required int KeySize { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>File name (no folder) of the key file the record belongs to.</summary>
    public required string FileName { get; init; }

    public const string FormatName = "crdbvault-store-key";

    /// <summary>2: transit wraps the whole key file. (Unversioned records wrapped the key alone; no release wrote them.)</summary>
    public const int CurrentVersion = 2;

    /// <summary>A record is a few hundred bytes; anything far larger is not one (and is not parsed).</summary>
    public const int MaxRecordBytes = 16 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        MaxDepth = 4,
    };

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads and checks a record; the message says what is wrong with it.</summary>
    public static StoreKeyRecovery Parse(ReadOnlySpan<byte> json, string source)
    {
        if (json.Length > MaxRecordBytes)
            throw new StoreKeyRecordException($"'{source}' has {json.Length} bytes; a recovery record has well under {MaxRecordBytes}. " +
                $"It is not the <key file>.vault.json that New-CrdbStoreKey wrote.", StoreKeyRecordProblem.Invalid);
        StoreKeyRecovery? record;
        try
        {
            record = JsonSerializer.Deserialize<StoreKeyRecovery>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new StoreKeyRecordException($"'{source}' is not a CrdbVault store key recovery record ({ex.Message}). " +
                $"It is the <key file>.vault.json that New-CrdbStoreKey wrote.", StoreKeyRecordProblem.Invalid, ex);
        }
        if (record is null)
            throw new StoreKeyRecordException($"'{source}' is empty; " +
                $"expected the <key file>.vault.json that New-CrdbStoreKey wrote.", StoreKeyRecordProblem.Invalid);
        record.Validate(source);
        return record;
    }

    public static StoreKeyRecovery Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Recovery record '{path}' does not exist. " +
                $"It is the <key file>.vault.json that New-CrdbStoreKey wrote next to the key.", path);
        byte[] json = Validation.InputBudgets.ReadFile(path, MaxRecordBytes, size =>
            new StoreKeyRecordException($"'{path}' has {size} bytes ({size / 1024} KiB); a recovery record has well under {MaxRecordBytes} bytes. " +
                $"It is not the <key file>.vault.json that New-CrdbStoreKey wrote.", StoreKeyRecordProblem.Invalid));
        return Parse(json, path);
    }

    /// <summary>Throws <see cref="StoreKeyRecordException"/> naming the first bad field.</summary>
    public void Validate(string source)
    {
        if (Format == "crdbvault-store-key-v1" || (Format == FormatName && Version is null))
            throw new StoreKeyRecordException(
                $"'{source}' is a recovery record from before records had a version: it wraps the key without its key ID, " +
                    $"so the two cannot be checked against each other, and this module no longer restores from it. " +
                "Make a new key and record with New-CrdbStoreKey -Path <new file>, start the node with --enterprise-encryption=...,key=<new " +
                    "file>,old-key=<current key file> so CockroachDB re-encrypts with it, and keep the new record.",
                StoreKeyRecordProblem.UnsupportedVersion);
        if (Format != FormatName)
            throw new StoreKeyRecordException($"'{source}' has format '{Format}', not '{FormatName}': " +
                $"it is not a CrdbVault store key recovery record.", StoreKeyRecordProblem.Invalid);
        if (Version > CurrentVersion)
            throw new StoreKeyRecordException($"'{source}' is record version {Version}, written by a newer CrdbVault; " +
                $"this one reads version {CurrentVersion}. Update the CrdbVault module.", StoreKeyRecordProblem.UnsupportedVersion);
        if (Version != CurrentVersion)
            throw new StoreKeyRecordException($"'{source}' has record version {Version}; this module reads version {CurrentVersion} only. " +
                $"Make a new key and record with New-CrdbStoreKey.", StoreKeyRecordProblem.UnsupportedVersion);
        try
        {
            StoreKeyFile.ParseKeyId(KeyId);
        }
        catch (FormatException ex)
        {
            throw new StoreKeyRecordException($"'{source}': {ex.Message}", StoreKeyRecordProblem.Invalid, ex);
        }
        if (string.IsNullOrWhiteSpace(TransitMount) || string.IsNullOrWhiteSpace(TransitKey))
            throw new StoreKeyRecordException($"'{source}' does not name the transit mount and key (TransitMount, TransitKey).", StoreKeyRecordProblem.Invalid);
        if (!TransitCiphertext.IsWellFormed(Ciphertext))
            throw new StoreKeyRecordException($"'{source}' has no transit ciphertext of the form 'vault:v<N>:<base64>' in " +
                $"Ciphertext.", StoreKeyRecordProblem.Invalid);
        if (KeySize is not (128 or 256))
            throw new StoreKeyRecordException($"'{source}' has KeySize {KeySize}; " +
                $"store keys made through transit are 128 or 256 bits.", StoreKeyRecordProblem.Invalid);
        if (string.IsNullOrWhiteSpace(FileName) || FileName.IndexOfAny(['/', '\\']) >= 0 || FileName is "." or "..")
            throw new StoreKeyRecordException($"'{source}' has no plain file name in FileName.", StoreKeyRecordProblem.Invalid);
        try
        {
            Validation.InputValidator.WritePath(FileName, "FileName");
        }
        catch (ArgumentException ex)
        {
            throw new StoreKeyRecordException($"'{source}': {ex.Message}", StoreKeyRecordProblem.Invalid, ex);
        }
    }

    /// <summary>
    /// Checks what transit unwrapped against the record: the key file must be exactly
    /// <see cref="KeySize"/> bits of key after the 32-byte <see cref="KeyId"/>. Throws
    /// <see cref="StoreKeyRecordException"/> (Altered) otherwise.
    /// </summary>
    public void VerifyUnwrapped(ReadOnlySpan<byte> keyFile, string source)
    {
        if (keyFile.Length != StoreKeyFile.KeyIdLength + KeySize / 8)
            throw new StoreKeyRecordException(
                $"'{source}' was altered: transit unwrapped {keyFile.Length} bytes, but a {KeySize}-bit key file is {StoreKeyFile.KeyIdLength + KeySize / 8} " +
                    $"(KeySize or Ciphertext changed). Nothing was written. Restore from an unaltered copy of the record.",
                StoreKeyRecordProblem.Altered);
        string unwrappedId = StoreKeyFile.KeyIdHex(keyFile[..StoreKeyFile.KeyIdLength]);
        if (!string.Equals(unwrappedId, KeyId, StringComparison.OrdinalIgnoreCase))
            throw new StoreKeyRecordException(
                $"'{source}' was altered: its KeyId is {KeyId}, but its Ciphertext holds the key file of store key {unwrappedId} (KeyId changed, " +
                    $"or another record's Ciphertext pasted in). Nothing was written. Restore from an unaltered copy of the record.",
                StoreKeyRecordProblem.Altered);
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
        return int.TryParse(parts[1].AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out version)
            && version > 0;
    }
}
