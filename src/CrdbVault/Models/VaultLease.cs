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

    /// <summary>A lookup or a renewal, as users see it.</summary>
    internal static VaultLease From(LeaseInfo info) => new()
    {
        LeaseId = info.LeaseId,
        IssueTime = info.IssueTime,
        ExpireTime = info.ExpireTime,
        LastRenewal = info.LastRenewal,
        Renewable = info.Renewable,
        Ttl = info.Ttl,
        LeaseDuration = info.LeaseDuration,
    };

    public override string ToString() => LeaseId;
}
