using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Leases;

/// <summary>What the module knows of a lease it issued (Get-CrdbLease -Issued, Revoke-CrdbLease -Issued).</summary>
public enum LeaseState
{
    /// <summary>Issued and not revoked by the module (Vault may still have ended it: a lookup tells).</summary>
    Live,
    /// <summary>Revoked by the module.</summary>
    Revoked,
    /// <summary>Vault no longer knows it: it expired, or died with the token that issued it. Not an error.</summary>
    AlreadyGone,
}

/// <summary>
/// One lease the module issued: a dynamic credential or a certificate with a lease. Never a secret:
/// the user name or serial says what it is. Shared between the session and the objects handed to users,
/// so renewals and revocations show everywhere.
/// </summary>
public sealed class LedgerEntry
{
    private readonly object _gate = new();
    private DateTimeOffset? _expiresAt;
    private LeaseState _state;

    public required string LeaseId { get; init; }
    public required string MountPath { get; init; }
    public required string Role { get; init; }
    /// <summary>The SQL user of a credential, or null.</summary>
    public string? UserName { get; init; }
    /// <summary>The serial number of a certificate, or null.</summary>
    public string? SerialNumber { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    /// <summary>The process that issued it (from the ledger file: maybe another one).</summary>
    public int ProcessId { get; init; }

    /// <summary>The issuing token, when issued in this process; its end may be learned after the issue.</summary>
    public TokenLifetime? Token { get; init; }

    /// <summary>The issuing token's end as a ledger file recorded it (another process).</summary>
    public DateTimeOffset? RecordedTokenExpiresAt { get; init; }

    /// <summary>The lease's own end; moves when the lease is renewed.</summary>
    public DateTimeOffset? ExpiresAt
    {
        get { lock (_gate) return _expiresAt; }
        set { lock (_gate) _expiresAt = value; }
    }

    public LeaseState State
    {
        get { lock (_gate) return _state; }
        set { lock (_gate) _state = value; }
    }

    /// <summary>When the issuing token ends, if known: the lease dies with it whatever its own TTL says.</summary>
    public DateTimeOffset? TokenExpiresAt => Token?.KnownEnd ?? RecordedTokenExpiresAt;

    /// <summary>The earlier of <see cref="ExpiresAt"/> and <see cref="TokenExpiresAt"/>.</summary>
    public DateTimeOffset? EffectiveExpiresAt => Earlier(ExpiresAt, TokenExpiresAt);

    /// <summary>"SQL user v-app-x" or "certificate 1a:2b".</summary>
    public string IssuedAs => UserName is not null ? $"SQL user {UserName}" : SerialNumber is not null ? $"certificate {SerialNumber}" : LeaseId;

    public static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is DateTimeOffset x && b is DateTimeOffset y ? (x <= y ? x : y) : a ?? b;

    /// <summary>
    /// The warning for a lease that dies with its token before its own end, saying what to change; null when it does not.
    /// </summary>
    public string? TokenEndsFirstWarning()
    {
        if (TokenExpiresAt is not DateTimeOffset token || ExpiresAt is not DateTimeOffset lease || token >= lease) return null;
        string why = Token?.Reason is string r ? $" ({r})" : "";
        return $"The Vault token that issued {IssuedAs} ends at {token:u}{why}, before the lease ({lease:u}): Vault revokes the lease, " +
            $"and drops what it issued, when that token ends, whatever this session does later. To keep it for its whole lease, log in " +
            $"with a token that outlives it: raise the auth role's token_max_ttl (and token_explicit_max_ttl) above the lease's TTL, or use " +
            $"a periodic token (token_period); or ask for a shorter lease.";
    }

    public override string ToString() => $"{LeaseId} ({IssuedAs}, {State})";
}
