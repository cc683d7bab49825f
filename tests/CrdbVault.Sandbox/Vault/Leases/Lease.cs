namespace CrdbVault.Sandbox.Vault.Leases;

/// <summary>One lease: its times, its engine callbacks, and its revocation state.</summary>
public sealed class Lease
{
    public required string Id { get; init; }
    public required DateTimeOffset IssueTime { get; init; }
    public required DateTimeOffset ExpireTime { get; set; }
    /// <summary>Issue time + max TTL: no renewal goes past it.</summary>
    public required DateTimeOffset MaxExpireTime { get; init; }
    /// <summary>The TTL given at creation, reused when a renewal asks for no increment.</summary>
    public required TimeSpan Ttl { get; init; }
    public required bool Renewable { get; init; }
    public DateTimeOffset? LastRenewal { get; set; }
    /// <summary>Accessor of the token that created the lease (null when created outside a request).</summary>
    public string? TokenAccessor { get; init; }

    /// <summary>The engine's revoke callback (drops the database user, ...).</summary>
    public required Func<CancellationToken, Task> Revoke { get; init; }
    /// <summary>The engine's renew callback; receives the new expiry.</summary>
    public Func<DateTimeOffset, CancellationToken, Task>? Renew { get; init; }

    /// <summary>The revocation in progress (shared by concurrent revokers), null when none.</summary>
    internal Task? Revoking { get; set; }
    /// <summary>Why the last revocation failed; the lease stays until a revocation succeeds.</summary>
    public string? LastRevokeError { get; internal set; }
    /// <summary>When the expiry sweeper may try again after a failure.</summary>
    internal DateTimeOffset NextExpiryAttempt { get; set; }
}

/// <summary>A lease operation failed; <see cref="Status"/> is what the API answers.</summary>
public sealed class LeaseException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
