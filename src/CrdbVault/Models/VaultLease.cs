using CrdbVault.Core.Leases;

namespace CrdbVault;

/// <summary>A Vault lease (sys/leases/lookup or a renewal).</summary>
public sealed class VaultLease
{
    public required string LeaseId { get; init; }
    public DateTimeOffset? IssueTime { get; init; }
    public DateTimeOffset? ExpireTime { get; init; }
    public DateTimeOffset? LastRenewal { get; init; }
    public bool Renewable { get; init; }

    /// <summary>Time left when Vault answered.</summary>
    public TimeSpan Ttl { get; init; }

    /// <summary>What a renewal granted (may be less than asked: max_ttl caps it). Null for lookups.</summary>
    public TimeSpan? LeaseDuration { get; init; }

    /// <summary>
    /// For leases the module issued (-Issued): Live, Revoked or AlreadyGone (expired, or ended with its token); Revoked for what
    /// Revoke-CrdbLease -PassThru revoked by id; null for a plain lookup or renewal.
    /// </summary>
    public string? State { get; init; }

    /// <summary>For leases the module issued: what it is, e.g. 'SQL user v-app-x1' or 'certificate 1a:2b'.</summary>
    public string? IssuedAs { get; init; }

    /// <summary>When the token that issued the lease ends, if known (the lease dies with it).</summary>
    public DateTimeOffset? TokenExpiresAt { get; init; }

    /// <summary>The earlier of ExpireTime and TokenExpiresAt.</summary>
    public DateTimeOffset? EffectiveExpiresAt => LedgerEntry.Earlier(ExpireTime, TokenExpiresAt);

    /// <summary>A lookup or a renewal, as users see it; <paramref name="state"/> when the cmdlet knows it (Revoked).</summary>
    internal static VaultLease From(LeaseInfo info, string? state = null) => new()
    {
        State = state,
        LeaseId = info.LeaseId,
        IssueTime = info.IssueTime,
        ExpireTime = info.ExpireTime,
        LastRenewal = info.LastRenewal,
        Renewable = info.Renewable,
        Ttl = info.Ttl,
        LeaseDuration = info.LeaseDuration,
    };

    /// <summary>A lease the module issued, with what a lookup said (null when there was none: revoked or gone).</summary>
    internal static VaultLease From(LedgerEntry entry, LeaseInfo? live) => new()
    {
        LeaseId = entry.LeaseId,
        IssueTime = live?.IssueTime ?? entry.IssuedAt,
        ExpireTime = live?.ExpireTime ?? entry.ExpiresAt,
        LastRenewal = live?.LastRenewal,
        Renewable = live?.Renewable ?? false,
        Ttl = live?.Ttl ?? TimeSpan.Zero,
        State = entry.State.ToString(),
        IssuedAs = entry.IssuedAs,
        TokenExpiresAt = entry.TokenExpiresAt,
    };

    public override string ToString() => LeaseId;
}
