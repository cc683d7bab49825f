using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Leases;

/// <summary>
/// Every lease a session issued (dynamic credentials, certificates that carry a lease), and, when
/// <see cref="FilePath"/> is set, the same as JSON lines in a file that outlives the process, so a
/// clean-up step in another process can revoke what a crashed job left (Revoke-CrdbLease -Issued).
/// Engines record issues here through <see cref="VaultClient.Ledger"/>; <see cref="LeaseApi"/> records revocations.
/// </summary>
public sealed class LeaseLedger(Func<TokenLifetime> currentToken, TimeProvider clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LedgerEntry> _entries = new(StringComparer.Ordinal);
    private readonly List<string> _fileFailures = [];

    /// <summary>The ledger file (Connect-CrdbVault -LedgerPath, CRDBVAULT_LEDGER, the CI default); null = this session only.</summary>
    public string? FilePath { get; set; }

    /// <summary>The leases issued in this session, oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Entries
    {
        get { lock (_gate) return [.. _entries.Values.OrderBy(e => e.IssuedAt)]; }
    }

    /// <summary>Records a fresh lease (and appends it to the file). The caller learns about a failed append from <see cref="TakeFileFailures"/>.</summary>
    public LedgerEntry RecordIssued(string leaseId, string mountPath, string role, string? userName, string? serialNumber,
        DateTimeOffset issuedAt, DateTimeOffset? expiresAt)
    {
        var entry = new LedgerEntry
        {
            LeaseId = leaseId,
            MountPath = mountPath,
            Role = role,
            UserName = userName,
            SerialNumber = serialNumber,
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
            Token = currentToken(),
            ProcessId = Environment.ProcessId,
        };
        lock (_gate) _entries[leaseId] = entry;
        AppendToFile(new LedgerEvent
        {
            Event = LedgerEvent.Issued,
            LeaseId = leaseId,
            MountPath = mountPath,
            Role = role,
            UserName = userName,
            SerialNumber = serialNumber,
            IssuedAt = issuedAt,
            ExpiresAt = expiresAt,
            TokenExpiresAt = entry.TokenExpiresAt,
            ProcessId = entry.ProcessId,
            At = clock.GetUtcNow(),
        });
        return entry;
    }

    /// <summary>The entry of a lease issued in this session, or null.</summary>
    public LedgerEntry? Find(string leaseId)
    {
        lock (_gate) return _entries.GetValueOrDefault(leaseId);
    }

    /// <summary>A renewal moved the lease's end.</summary>
    public void RecordRenewed(string leaseId, DateTimeOffset expiresAt)
    {
        if (Find(leaseId) is LedgerEntry e) e.ExpiresAt = expiresAt;
    }

    /// <summary>
    /// The lease ended by our hand (<see cref="LeaseState.Revoked"/>) or was found gone (<see cref="LeaseState.AlreadyGone"/>).
    /// Leases not issued here are recorded in the file only when <paramref name="fromFile"/> (Revoke-CrdbLease -Issued read them there).
    /// </summary>
    public void RecordEnded(string leaseId, LeaseState state, bool fromFile = false)
    {
        LedgerEntry? known = Find(leaseId);
        if (known is not null) known.State = state;
        if (known is null && !fromFile) return;
        AppendToFile(new LedgerEvent
        {
            Event = state == LeaseState.Revoked ? LedgerEvent.Revoked : LedgerEvent.Gone,
            LeaseId = leaseId,
            ProcessId = Environment.ProcessId,
            At = clock.GetUtcNow(),
        });
    }

    /// <summary>
    /// The leases this session and the ledger file know of that nobody revoked yet (in-session entries win;
    /// file entries of other processes fill in), oldest first, with the file lines that were skipped.
    /// </summary>
    public (IReadOnlyList<LedgerEntry> Outstanding, IReadOnlyList<LedgerEntry> All, IReadOnlyList<string> Skipped) Collect()
    {
        var all = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        foreach (LedgerEntry e in Entries) all[e.LeaseId] = e;
        IReadOnlyList<string> skipped = [];
        if (FilePath is string path)
        {
            LedgerFileContent content = LedgerFile.Read(path);
            skipped = content.Skipped;
            var ended = new Dictionary<string, LeaseState>(StringComparer.Ordinal);
            foreach (LedgerEvent ev in content.Events)
            {
                if (ev.Event == LedgerEvent.Issued && !all.ContainsKey(ev.LeaseId))
                {
                    all[ev.LeaseId] = new LedgerEntry
                    {
                        LeaseId = ev.LeaseId,
                        MountPath = ev.MountPath,
                        Role = ev.Role,
                        UserName = ev.UserName,
                        SerialNumber = ev.SerialNumber,
                        IssuedAt = ev.IssuedAt,
                        ExpiresAt = ev.ExpiresAt,
                        RecordedTokenExpiresAt = ev.TokenExpiresAt,
                        ProcessId = ev.ProcessId,
                    };
                }
                else if (ev.Event != LedgerEvent.Issued) ended[ev.LeaseId] = ev.Event == LedgerEvent.Revoked ? LeaseState.Revoked : LeaseState.AlreadyGone;
            }
            foreach ((string id, LeaseState state) in ended)
                if (all.TryGetValue(id, out LedgerEntry? e) && e.State == LeaseState.Live) e.State = state;
        }
        LedgerEntry[] ordered = [.. all.Values.OrderBy(e => e.IssuedAt)];
        return ([.. ordered.Where(e => e.State == LeaseState.Live)], ordered, skipped);
    }

    /// <summary>Why appends to the file failed since the last call (the lease itself was issued or revoked all the same).</summary>
    public IReadOnlyList<string> TakeFileFailures()
    {
        lock (_gate)
        {
            string[] taken = [.. _fileFailures];
            _fileFailures.Clear();
            return taken;
        }
    }

    private void AppendToFile(LedgerEvent e)
    {
        if (FilePath is not string path) return;
        try
        {
            LedgerFile.Append(path, e);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            lock (_gate) _fileFailures.Add($"The lease ledger '{path}' was not updated for lease {e.LeaseId} ({e.Event}): {ex.Message}");
        }
    }
}
