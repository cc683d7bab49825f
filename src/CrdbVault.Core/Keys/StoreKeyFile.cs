using System.Security.Cryptography;

namespace CrdbVault.Core.Keys;

/// <summary>
/// CockroachDB's v1 encryption-at-rest store key file (docs/cockroachdb-notes.md#store-keys-encryption-at-rest-self-hosted): raw bytes, a
/// 32-byte random key ID followed by the AES key (16/24/32 bytes), so 48/56/64 bytes; the node
/// takes the type from the length and the key ID as the hex of the first 32 bytes.
/// </summary>
public static class StoreKeyFile
{
    public const int KeyIdLength = 32;

    /// <summary>Sizes (bits) CockroachDB accepts for a store key.</summary>
    public static readonly IReadOnlyList<int> CockroachSizes = [128, 192, 256];

    /// <summary>Sizes (bits) Vault transit can generate a data key of that CockroachDB also accepts.</summary>
    public static readonly IReadOnlyList<int> TransitSizes = [128, 256];

    /// <summary>
    /// Checks a requested key size before any request: 128 and 256 work; 192 is a valid CockroachDB
    /// size but transit cannot make it; anything else is no store key size at all.
    /// </summary>
    public static int ValidateSize(int bits, string parameterName = "KeySize")
    {
        if (bits is 128 or 256) return bits;
        if (bits == 192)
            throw new ArgumentException(
                $"-{parameterName} 192: CockroachDB accepts 192-bit store keys, but Vault transit generates data keys of 128, 256 or 512 bits only, " +
                    $"so it cannot make one. Use -{parameterName} 256 (or 128).",
                parameterName);
        throw new ArgumentException($"-{parameterName} {bits} is not a store key size. CockroachDB store keys are 128, 192 or 256 bits, " +
            $"and Vault transit can make 128 or 256: use -{parameterName} 256 (or 128).", parameterName);
    }

    /// <summary>A fresh random key ID (CockroachDB's generator does the same; every rotation needs a new one).</summary>
    public static byte[] NewKeyId() => RandomNumberGenerator.GetBytes(KeyIdLength);

    /// <summary>The file bytes: key ID ‖ key. The caller zeroes the result once it is written.</summary>
    public static byte[] Compose(ReadOnlySpan<byte> keyId, ReadOnlySpan<byte> key)
    {
        if (keyId.Length != KeyIdLength)
            throw new ArgumentException($"A store key ID is {KeyIdLength} bytes, not {keyId.Length}.", nameof(keyId));
        if (key.Length is not (16 or 24 or 32))
            throw new ArgumentException($"An AES store key is 16, 24 or 32 bytes, not {key.Length}.", nameof(key));
        byte[] file = new byte[KeyIdLength + key.Length];
        keyId.CopyTo(file);
        key.CopyTo(file.AsSpan(KeyIdLength));
        return file;
    }

    /// <summary>Reads the key ID (lower-case hex, 64 characters) and size of a v1 key file the way the node does; never returns the key.</summary>
    public static (string KeyId, int KeySize) Describe(ReadOnlySpan<byte> file)
    {
        int keyLength = file.Length - KeyIdLength;
        if (keyLength is not (16 or 24 or 32))
            throw new FormatException($"Not a CockroachDB v1 store key: {file.Length} bytes (a v1 key file is 48, 56 or 64 bytes: " +
                $"a 32-byte key ID and a 128/192/256-bit key).");
        return (KeyIdHex(file[..KeyIdLength]), keyLength * 8);
    }

    public static string KeyIdHex(ReadOnlySpan<byte> keyId) => Convert.ToHexString(keyId).ToLowerInvariant();

    /// <summary>Parses the 64-hex key ID of a recovery record back into its 32 bytes.</summary>
    public static byte[] ParseKeyId(string? hex)
    {
        if (hex is null || hex.Length != KeyIdLength * 2)
            throw new FormatException($"Key ID '{hex}' is not {KeyIdLength * 2} hex characters (the hex of a {KeyIdLength}-byte CockroachDB store key ID).");
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            throw new FormatException($"Key ID '{hex}' is not hexadecimal (the hex of a {KeyIdLength}-byte CockroachDB store key ID).");
        }
    }

    /// <summary>The default file name of a recovery record: next to the key, "&lt;file&gt;.vault.json".</summary>
    public static string RecoveryRecordPathFor(string keyFilePath) => keyFilePath + ".vault.json";
}
