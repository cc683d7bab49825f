using System.Security.Cryptography;
using CrdbVault.Core.Files;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Keys;

/// <summary>What New-CrdbStoreKey asks for.</summary>
public sealed class StoreKeyRequest
{
    public required string Path { get; init; }
    public int KeySize { get; init; } = 256;
    public string TransitMount { get; init; } = "transit";
    public string TransitKey { get; init; } = "cockroach-ear";
    public bool Overwrite { get; init; }

    /// <summary>Create the transit key (aes256-gcm96) when transit says it does not exist.</summary>
    public bool CreateTransitKeyWhenAbsent { get; init; } = true;
}

/// <summary>A store key file that was written, and its recovery record. No key material.</summary>
public sealed record StoreKeyResult(
    string Path,
    string KeyId,
    int KeySize,
    string TransitMount,
    string TransitKey,
    string Ciphertext,
    string RecoveryRecordPath,
    DateTimeOffset CreatedAt,
    bool TransitKeyCreated,
    bool RecoveryRecordWritten);

/// <summary>A problem with where a store key would go, found before any request.</summary>
public sealed class StoreKeyTargetException(string message, string reason, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>Stable reason: MissingDirectory, DirectoryNotPrivate, IsDirectory, AlreadyExists, SetInconsistent.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// What is on disk at a key path: the key file's ID and the ID its recovery record describes (null
/// when absent), and <see cref="Problem"/> when the two do not form a set (an interrupted write,
/// a lost key, or edited files) — with the repair in the text.
/// </summary>
public sealed record StoreKeySet(string KeyPath, string RecordPath, string? KeyFileId, string? RecordKeyId, string? Problem);

/// <summary>
/// CockroachDB encryption-at-rest store keys from Vault transit (docs/cockroachdb-notes.md#store-keys-encryption-at-rest-self-hosted): a data key from
/// <c>transit/datakey/plaintext</c> becomes a v1 key file (fresh 32-byte key ID + the key, 0600,
/// written atomically); transit then wraps the whole file (<c>transit/encrypt</c>) and that goes into
/// a recovery record beside it, so key ID and key cannot be separated; restoring unwraps it, checks
/// it against the record and writes the identical file again.
/// </summary>
public sealed class StoreKeys
{
    private readonly TransitEngine _transit;
    private readonly Action<string>? _trace;

    public StoreKeys(VaultClient client, string transitMount = "transit", Action<string>? trace = null)
    {
        _transit = new TransitEngine(client, transitMount);
        _trace = trace;
    }

    public TransitEngine Transit => _transit;

    /// <summary>
    /// Checks, before anything is sent, that the key can be written: the folder exists, others cannot
    /// read it and only its owner can write it (CockroachDB store keys must stay private and
    /// unswappable), the path is no folder, and no file is replaced without
    /// <paramref name="overwrite"/>. A key file and record that do not form a
    /// set (see <see cref="DescribeSet"/>) are reported as SetInconsistent with the repair, unless
    /// <paramref name="overwrite"/> replaces both anyway.
    /// </summary>
    public static string CheckTarget(string path, bool overwrite, bool checkRecordToo = true)
    {
        string full = CheckFolder(path);
        if (!overwrite)
        {
            if (checkRecordToo && DescribeSet(full) is { Problem: string problem })
                throw new StoreKeyTargetException(problem, "SetInconsistent");
            var existing = new List<string>();
            if (File.Exists(full)) existing.Add(full);
            string record = StoreKeyFile.RecoveryRecordPathFor(full);
            if (checkRecordToo && File.Exists(record)) existing.Add(record);
            if (existing.Count > 0)
                throw new StoreKeyTargetException($"{string.Join(" and ", existing)} already exist{(existing.Count == 1 ? "s" : "")}. Nothing was written. " +
                    $"Pass -Force to replace it (never replace the active key of a running store: rotate with a NEW file, " +
                    $"see Get-Help New-CrdbStoreKey).", "AlreadyExists");
        }
        return full;
    }

    /// <summary>
    /// Checks where <paramref name="record"/> would be restored to. Without <paramref name="overwrite"/>
    /// an existing file is refused: as SetInconsistent when the record beside it describes another key
    /// (what an interrupted New-CrdbStoreKey -Force leaves; restoring with -Force is the repair), else
    /// as AlreadyExists.
    /// </summary>
    public static string CheckRestoreTarget(string path, StoreKeyRecovery record, bool overwrite)
    {
        string full = CheckFolder(path);
        if (overwrite || !File.Exists(full)) return full;
        StoreKeySet set = DescribeSet(full);
        if (set.Problem is not null && set.RecordKeyId is not null && string.Equals(set.RecordKeyId, record.KeyId, StringComparison.OrdinalIgnoreCase))
            throw new StoreKeyTargetException(set.Problem, "SetInconsistent");
        throw new StoreKeyTargetException($"{full} already exists{(set.KeyFileId == record.KeyId ? $" and holds store key {record.KeyId} already" : "")}. " +
            $"Nothing was written. Pass -Force to replace it (never replace the active key of a running store).", "AlreadyExists");
    }

    private static string CheckFolder(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new StoreKeyTargetException("-Path is empty. Give the key file to write, e.g. /var/lib/cockroach-keys/store-2026-11.key.", "MissingPath");
        string full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new StoreKeyTargetException($"'{full}' is a folder. -Path is the key FILE to write, e.g. " +
                $"'{System.IO.Path.Combine(full, "store.key")}'.", "IsDirectory");
        string dir = System.IO.Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir))
            throw new StoreKeyTargetException($"Folder '{dir}' does not exist. Create it readable by its owner only (mkdir -m 700 '{dir}'), " +
                $"ideally off the store's data volume, and run again.", "MissingDirectory");
        if (SecretFileWriter.IsWorldReadable(dir))
            throw new StoreKeyTargetException($"Folder '{dir}' can be read by other users; a CockroachDB store key must stay private. Run: " +
                $"chmod 700 '{dir}' (and keep the key off the store's data volume).", "DirectoryNotPrivate");
        // Whoever may write the folder may swap the key file or its record for their own (a rename needs
        // only write access to the folder), so group- or world-writable is as bad as world-readable.
        if (SecretFileWriter.IsWritableByOthers(dir))
            throw new StoreKeyTargetException($"Folder '{dir}' can be written by its group or by other users, who could replace the key file or its record; " +
                $"a CockroachDB store key folder must belong to its owner alone. Run: chmod 700 '{dir}' (and keep the key off the store's data " +
                $"volume).", "DirectoryNotPrivate");
        return full;
    }

    private const string NotAStoreKey = "(not a store key file)";

    /// <summary>
    /// Reads what is at <paramref name="keyPath"/> and its record. Writes place the record first and
    /// the key second, so an interrupted write leaves an old key beside a new record (or a record
    /// alone), never a key without the record that can restore it; both are reported here.
    /// </summary>
    public static StoreKeySet DescribeSet(string keyPath)
    {
        string full = System.IO.Path.GetFullPath(keyPath);
        string recordPath = StoreKeyFile.RecoveryRecordPathFor(full);
        string? keyId = null, recordId = null;
        if (File.Exists(full))
        {
            try
            {
                byte[] bytes = File.ReadAllBytes(full);
                try { keyId = StoreKeyFile.Describe(bytes).KeyId; }
                finally { CryptographicOperations.ZeroMemory(bytes); }
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                keyId = NotAStoreKey; // matches no record
            }
        }
        if (File.Exists(recordPath))
        {
            // A record we cannot read is no evidence of a mixed set (records are replaced by one rename).
            try { recordId = StoreKeyRecovery.Load(recordPath).KeyId; }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException) { }
        }
        string? problem = (keyId, recordId) switch
        {
            (string k, string r) when !string.Equals(k, r, StringComparison.OrdinalIgnoreCase) =>
                $"'{full}' holds {(k == NotAStoreKey ? "no valid store key" : $"store key {k}")}, but its recovery record '{recordPath}' describes store key " +
                    $"{r}: the two do not belong together (an interrupted New-CrdbStoreKey -Force, or edited files). " +
                $"To finish the interrupted write: Restore-CrdbStoreKey -RecoveryRecord '{recordPath}' -Force writes key {r} (it replaces key {k}: " +
                    $"copy '{full}' away first if a store still uses it). Or make a new pair with New-CrdbStoreKey -Force.",
            (null, string r) =>
                $"'{recordPath}' describes store key {r}, but its key file '{full}' is missing (an interrupted New-CrdbStoreKey, or a lost key). " +
                    $"Restore-CrdbStoreKey -RecoveryRecord '{recordPath}' brings the key back; New-CrdbStoreKey -Force makes a new pair instead.",
            _ => null,
        };
        return new StoreKeySet(full, recordPath, keyId, recordId, problem);
    }

    /// <summary>Creates a new store key file and its recovery record.</summary>
    public async Task<StoreKeyResult> CreateAsync(StoreKeyRequest request, CancellationToken ct)
    {
        int size = StoreKeyFile.ValidateSize(request.KeySize);
        InputValidator.PathSegment(request.TransitKey, "TransitKey");
        string full = CheckTarget(request.Path, request.Overwrite);
        RemoveTemporaries(full);

        bool created = false;
        TransitDataKey dataKey;
        try
        {
            dataKey = await _transit.GenerateDataKeyAsync(request.TransitKey, size, withPlaintext: true, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.NotFound && ex.Status == 400 && request.CreateTransitKeyWhenAbsent)
        {
            // Transit said "encryption key not found": nothing was generated, so asking again is safe.
            await _transit.CreateKeyAsync(request.TransitKey, "aes256-gcm96", ct).ConfigureAwait(false);
            created = true;
            _trace?.Invoke($"Created transit key {_transit.MountPath}/keys/{request.TransitKey} (aes256-gcm96): it did not exist.");
            dataKey = await _transit.GenerateDataKeyAsync(request.TransitKey, size, withPlaintext: true, ct).ConfigureAwait(false);
        }

        using (dataKey)
        {
            byte[] keyId = StoreKeyFile.NewKeyId();
            byte[] file = StoreKeyFile.Compose(keyId, dataKey.Plaintext!);
            try
            {
                // The record keeps the whole file wrapped, not transit's wrap of the bare data key:
                // then a record's key ID cannot be paired with another key.
                string wrappedFile = await _transit.EncryptAsync(request.TransitKey, file, ct).ConfigureAwait(false);
                var record = new StoreKeyRecovery
                {
                    Version = StoreKeyRecovery.CurrentVersion,
                    KeyId = StoreKeyFile.KeyIdHex(keyId),
                    TransitMount = _transit.MountPath,
                    TransitKey = request.TransitKey,
                    Ciphertext = wrappedFile,
                    KeySize = size,
                    CreatedAt = DateTimeOffset.UtcNow,
                    FileName = System.IO.Path.GetFileName(full),
                };
                string recordPath = StoreKeyFile.RecoveryRecordPathFor(full);
                ct.ThrowIfCancellationRequested();
                // Record first: an interruption leaves a record without (or beside an older) key, which
                // DescribeSet reports and the record itself repairs; never a key nobody can restore.
                SecretFileWriter.WriteAll([new PendingFile(recordPath, record.ToJsonBytes(), Secret: false),
                    new PendingFile(full, file, Secret: true)], request.Overwrite);
                _trace?.Invoke($"Wrote {size}-bit store key {record.KeyId} to {full} (0600) and its recovery record to {recordPath}.");
                return new StoreKeyResult(full, record.KeyId, size, record.TransitMount, record.TransitKey, record.Ciphertext,
                    recordPath, record.CreatedAt, created, true);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(file);
            }
        }
    }

    /// <summary>
    /// Rebuilds the key file of a recovery record through transit decrypt: same key ID, same bytes.
    /// What transit unwraps must match the record's key ID and size, or nothing is written.
    /// <paramref name="path"/> defaults to the record's FileName in the record's folder. The record
    /// is also written beside the restored key when none is there.
    /// </summary>
    public async Task<StoreKeyResult> RestoreAsync(StoreKeyRecovery record, string path, bool overwrite, CancellationToken ct)
    {
        record.Validate("the recovery record");
        if (!string.Equals(InputValidator.MountPath(record.TransitMount), _transit.MountPath, StringComparison.Ordinal))
            throw new ArgumentException($"The record names transit mount '{record.TransitMount}', but this engine is at '{_transit.MountPath}'.");
        string full = CheckRestoreTarget(path, record, overwrite);
        RemoveTemporaries(full);

        byte[] file = await _transit.DecryptAsync(record.TransitKey, record.Ciphertext, ct).ConfigureAwait(false);
        try
        {
            record.VerifyUnwrapped(file, "the recovery record");
            string recordPath = StoreKeyFile.RecoveryRecordPathFor(full);
            bool writeRecord = overwrite || !File.Exists(recordPath);
            var files = new List<PendingFile>();
            if (writeRecord) files.Add(new PendingFile(recordPath, (record with { FileName = System.IO.Path.GetFileName(full) }).ToJsonBytes(), Secret: false));
            files.Add(new PendingFile(full, file, Secret: true)); // record first, as in CreateAsync
            ct.ThrowIfCancellationRequested();
            SecretFileWriter.WriteAll(files, overwrite);
            _trace?.Invoke($"Restored {record.KeySize}-bit store key {record.KeyId} to {full} " +
                $"(0600){(writeRecord ? $" and wrote its recovery record to {recordPath}" : "")}.");
            return new StoreKeyResult(full, record.KeyId, record.KeySize, record.TransitMount, record.TransitKey, record.Ciphertext, recordPath,
                record.CreatedAt, false, writeRecord);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(file);
        }
    }

    /// <summary>Removes what an interrupted write left beside the key and its record (temporaries hold key material).</summary>
    private void RemoveTemporaries(string keyPath)
    {
        WriteLeftovers removed = SecretFileWriter.RemoveTemporaries([keyPath, StoreKeyFile.RecoveryRecordPathFor(keyPath)]);
        foreach (string temp in removed.Temporaries)
            _trace?.Invoke($"Removed '{temp}', a temporary file an interrupted write left behind.");
    }
}
