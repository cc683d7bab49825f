using CrdbVault.Core.Keys;

namespace CrdbVault;

/// <summary>
/// A CockroachDB encryption-at-rest store key file made (or restored) through Vault transit. No key
/// material: the file holds it (0600), the recovery record holds only the wrapped copy. Pipe it to
/// Restore-CrdbStoreKey to rebuild the identical file.
/// </summary>
public sealed class StoreKey
{
    /// <summary>The key file (pass it as key=... in --enterprise-encryption).</summary>
    public required string Path { get; init; }
    /// <summary>Hex of the 32-byte key ID; CockroachDB logs and reports this ID.</summary>
    public required string KeyId { get; init; }
    /// <summary>128 or 256 (bits).</summary>
    public required int KeySize { get; init; }
    public required string TransitMount { get; init; }
    public required string TransitKey { get; init; }
    /// <summary>The data key wrapped by transit (vault:vN:...): not a secret without Vault.</summary>
    public required string Ciphertext { get; init; }
    /// <summary>The &lt;file&gt;.vault.json beside the key.</summary>
    public required string RecoveryRecordPath { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    internal static StoreKey From(StoreKeyResult r) => new()
    {
        Path = r.Path,
        KeyId = r.KeyId,
        KeySize = r.KeySize,
        TransitMount = r.TransitMount,
        TransitKey = r.TransitKey,
        Ciphertext = r.Ciphertext,
        RecoveryRecordPath = r.RecoveryRecordPath,
        CreatedAt = r.CreatedAt,
    };

    public override string ToString() => $"{Path} (AES-{KeySize}, key ID {KeyId})";
}
