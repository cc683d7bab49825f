namespace CrdbVault.Core.Leases;

/// <summary>What <c>sys/leases/lookup</c> or a renewal says about a lease.</summary>
public sealed record LeaseInfo(
    string LeaseId,
    DateTimeOffset? IssueTime,
    DateTimeOffset? ExpireTime,
    DateTimeOffset? LastRenewal,
    bool Renewable,
    TimeSpan Ttl)
{
    /// <summary>Set by a renewal: what Vault granted (may be less than asked).</summary>
    public TimeSpan? LeaseDuration { get; init; }

    /// <summary>Vault's warnings, e.g. that the TTL was capped at the role's max_ttl.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
