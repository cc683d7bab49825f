using System.Globalization;
using System.Security.Cryptography;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Keys;

/// <summary>A transit key as <c>GET transit/keys/:name</c> describes it (no key material).</summary>
public sealed record TransitKeyInfo(
    string MountPath,
    string Name,
    string Type,
    int LatestVersion,
    int MinDecryptionVersion,
    int MinEncryptionVersion,
    bool DeletionAllowed,
    bool Exportable,
    IReadOnlyDictionary<int, DateTimeOffset> Versions);

/// <summary>
/// A data key from transit. <see cref="Plaintext"/> is the raw key (null for wrapped-only): the
/// caller writes it and then calls <see cref="Dispose"/>, which zeroes it. Never printed.
/// </summary>
public sealed class TransitDataKey : IDisposable
{
    internal TransitDataKey(string ciphertext, int keyVersion, byte[]? plaintext)
    {
        Ciphertext = ciphertext;
        KeyVersion = keyVersion;
        Plaintext = plaintext;
    }

    /// <summary><c>vault:v&lt;N&gt;:...</c>: the data key wrapped by the transit key.</summary>
    public string Ciphertext { get; }
    public int KeyVersion { get; }
    public byte[]? Plaintext { get; }

    public void Dispose()
    {
        if (Plaintext is not null) CryptographicOperations.ZeroMemory(Plaintext);
    }

    public override string ToString() => $"transit data key (key version {KeyVersion})";
}

/// <summary>
/// Vault's transit engine (docs/vault-notes.md#transit) as store keys need it: data keys (never retried — a
/// retried call would be a different key), decrypt, and key create/read/rotate. Error texts from
/// Vault are turned into messages that say what to do.
/// </summary>
public sealed class TransitEngine
{
    private readonly VaultClient _client;

    public TransitEngine(VaultClient client, string mountPath = "transit")
    {
        _client = client;
        MountPath = InputValidator.MountPath(mountPath);
    }

    public string MountPath { get; }

    /// <summary>Reads a key; null when it does not exist.</summary>
    public async Task<TransitKeyInfo?> ReadKeyAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        VaultResponse? r;
        try
        {
            r = await _client.ReadAsync($"{MountPath}/keys/{name}", ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw NoEngine(ex);
        }
        return r is null ? null : Describe(name, r.DataAs<TransitKeyData>());
    }

    /// <summary>Creates a key (<c>aes256-gcm96</c> unless told otherwise); an existing key is left as it is.</summary>
    public async Task<TransitKeyInfo?> CreateKeyAsync(string name, string type, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync($"{MountPath}/keys/{name}", new Dictionary<string, object> { ["type"] = type },
                VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw NoEngine(ex);
        }
        // Newer Vaults answer with the key; older ones with 204.
        return r?.DataAs<TransitKeyData>() is { Keys: not null } key
            ? Describe(name, key)
            : await ReadKeyAsync(name, ct).ConfigureAwait(false);
    }

    public async Task RotateKeyAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        try
        {
            // Not idempotent: a retried rotation would add two versions.
            var options = new VaultRequestOptions
            {
                Idempotent = false,
                UnknownOutcomeHint = $"The key may have been rotated: check latest_version with vault read {MountPath}/keys/{name}.",
            };
            await _client.WriteAsync($"{MountPath}/keys/{name}/rotate", null, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("not found"))
        {
            throw KeyNotFound(name, ex);
        }
    }

    /// <summary>
    /// <c>POST transit/datakey/{plaintext|wrapped}/:name</c>. Never retried. <paramref name="bits"/>
    /// is 128, 256 or 512 (transit's sizes).
    /// </summary>
    public async Task<TransitDataKey> GenerateDataKeyAsync(string name, int bits, bool withPlaintext, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        if (bits is not (128 or 256 or 512))
            throw new ArgumentException($"Vault transit makes data keys of 128, 256 or 512 bits, not {bits}.", nameof(bits));
        string path = $"{MountPath}/datakey/{(withPlaintext ? "plaintext" : "wrapped")}/{name}";
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = "Vault may have generated a data key, but it is stored nowhere and nothing was written, so there is nothing to clean up: " +
                "run the command again.",
        };
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync(path, new Dictionary<string, object> { ["bits"] = bits }, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("encryption key not found"))
        {
            throw KeyNotFound(name, ex);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw NoEngine(ex);
        }
        TransitDataKeyData? key = r?.DataAs<TransitDataKeyData>();
        string? ciphertext = key?.Ciphertext;
        if (!TransitCiphertext.TryGetVersion(ciphertext, out int version))
            throw new VaultApiException($"Vault answered {path} without a 'vault:v<N>:...' ciphertext: " +
                $"is '{MountPath}' a transit engine?", VaultErrorKind.Other, path, 200);
        byte[]? plaintext = null;
        if (withPlaintext)
        {
            plaintext = TryBase64(key!.Plaintext);
            if (plaintext is null || plaintext.Length != bits / 8)
            {
                if (plaintext is not null) CryptographicOperations.ZeroMemory(plaintext);
                throw new VaultApiException($"Vault answered {path} without a {bits}-bit base64 plaintext data key.", VaultErrorKind.Other, path, 200);
            }
        }
        if (key!.KeyVersion is int v) version = v;
        return new TransitDataKey(ciphertext!, version, plaintext);
    }

    /// <summary>
    /// <c>POST transit/encrypt/:name</c>; returns <c>vault:vN:...</c>. Safe to retry: a repeated call
    /// only yields another ciphertext of the same bytes. The plaintext travels base64 in the body and
    /// is never logged.
    /// </summary>
    public async Task<string> EncryptAsync(string name, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        string path = $"{MountPath}/encrypt/{name}";
        string b64 = Convert.ToBase64String(plaintext.Span);
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync(path, new Dictionary<string, object> { ["plaintext"] = b64 }, VaultRequestOptions.IdempotentWrite, ct)
                .ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("encryption key not found"))
        {
            throw KeyNotFound(name, ex);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw NoEngine(ex);
        }
        string? ciphertext = r?.DataAs<TransitCipherData>()?.Ciphertext;
        return TransitCiphertext.IsWellFormed(ciphertext)
            ? ciphertext!
            : throw new VaultApiException($"Vault answered {path} without a 'vault:v<N>:...' ciphertext: " +
                $"is '{MountPath}' a transit engine?", VaultErrorKind.Other, path, 200);
    }

    /// <summary>
    /// <c>POST transit/decrypt/:name</c>; returns the raw plaintext (Vault sends base64). Safe to
    /// retry. The caller zeroes the result after use.
    /// </summary>
    public async Task<byte[]> DecryptAsync(string name, string ciphertext, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "TransitKey");
        string path = $"{MountPath}/decrypt/{name}";
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync(path, new Dictionary<string, object> { ["ciphertext"] = ciphertext }, VaultRequestOptions.IdempotentWrite, ct)
                .ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("encryption key not found"))
        {
            throw KeyNotFound(name, ex);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("too new"))
        {
            throw new VaultApiException(
                $"Transit key '{MountPath}/{name}' has no version {Version(ciphertext)}: the ciphertext was made by another key of the same name (was the " +
                    $"key deleted and created again, or is this another Vault?). Point -MountPath/-TransitKey at the original key.",
                VaultErrorKind.InvalidRequest, path, ex.Status, ex.Errors);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("too old"))
        {
            throw new VaultApiException(
                $"Transit key '{MountPath}/{name}' no longer decrypts version {Version(ciphertext)} (min_decryption_version was raised). Lower it again: " +
                    $"vault write {MountPath}/keys/{name}/config min_decryption_version={Version(ciphertext)}.",
                VaultErrorKind.InvalidRequest, path, ex.Status, ex.Errors);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("message authentication failed", "invalid ciphertext"))
        {
            throw new VaultApiException(
                $"Transit key '{MountPath}/{name}' cannot decrypt this ciphertext ({string.Join("; ", ex.Errors)}): it was made with another key, " +
                    $"or the recovery record was altered. Check TransitMount/TransitKey in the record.",
                VaultErrorKind.InvalidRequest, path, ex.Status, ex.Errors);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw NoEngine(ex);
        }
        byte[]? plain = TryBase64(r?.DataAs<TransitCipherData>()?.Plaintext);
        return plain ?? throw new VaultApiException($"Vault answered {path} without a base64 plaintext.", VaultErrorKind.Other, path, 200);
    }

    private TransitKeyInfo Describe(string name, TransitKeyData? key)
    {
        IReadOnlyDictionary<int, DateTimeOffset> versions = key?.Keys ?? new SortedDictionary<int, DateTimeOffset>();
        int latest = key?.LatestVersion ?? (versions.Count == 0 ? 0 : versions.Keys.Max());
        return new TransitKeyInfo(MountPath, key?.Name ?? name, key?.Type ?? "", latest, key?.MinDecryptionVersion ?? 1, key?.MinEncryptionVersion ?? 0,
            key?.DeletionAllowed ?? false, key?.Exportable ?? false, versions);
    }

    private static byte[]? TryBase64(string? s)
    {
        if (string.IsNullOrEmpty(s)) return null;
        try { return Convert.FromBase64String(s); }
        catch (FormatException) { return null; }
    }

    private static string Version(string ciphertext) => TransitCiphertext.TryGetVersion(ciphertext, out int v) ? v.ToString(CultureInfo.InvariantCulture) : "?";

    private VaultApiException KeyNotFound(string name, VaultApiException ex) => ex.AsNotFound(
        $"Vault transit at '{MountPath}/' has no key '{name}'. Create it (vault write -f {MountPath}/keys/{name}, " +
            $"or New-CrdbStoreKey creates it when absent), or pass the right -TransitKey / -MountPath.");

    private VaultApiException NoEngine(VaultApiException ex) => ex.AsNotFound(
        $"Nothing answers at '{ex.Path}': is a transit secrets engine mounted at '{MountPath}/'? Enable it (vault secrets enable -path={MountPath} transit) " +
            $"or pass the right -MountPath.");
}
