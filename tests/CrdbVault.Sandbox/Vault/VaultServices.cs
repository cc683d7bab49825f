namespace CrdbVault.Sandbox.Vault;

/// <summary>What engines may use from the double: the clock, leases, PostgreSQL, certificates.</summary>
public sealed class VaultServices
{
    public required TimeProvider Clock { get; init; }
    public required ILeaseManager Leases { get; init; }

    /// <summary>Sandbox-wide settings and fault injection shared with tests.</summary>
    public required SandboxOptions Options { get; init; }

    /// <summary>
    /// Discovery and JWKS fetches of the auth methods: loopback only (see <see cref="Support.OutboundHttp"/>).
    /// Not required, so engine unit tests that build services by hand need not care.
    /// </summary>
    public Support.OutboundHttp Outbound { get; init; } = new();
}

/// <summary>Lease bookkeeping shared by every engine (database creds, PKI generate_lease, ...).</summary>
public interface ILeaseManager
{
    /// <summary>
    /// Registers a lease <c>{prefix}/{random id}</c> (e.g. prefix "database/creds/app") and returns its id.
    /// <paramref name="revoke"/> runs on revoke, revoke-prefix, or expiry; <paramref name="renew"/>
    /// (optional) receives the new expiry time.
    /// </summary>
    string Create(string prefix, TimeSpan ttl, TimeSpan maxTtl, bool renewable,
        Func<CancellationToken, Task> revoke, Func<DateTimeOffset, CancellationToken, Task>? renew = null);

    /// <summary>
    /// Revokes one lease now (running its revoke callback). Unknown ids succeed. Throws
    /// <see cref="Leases.LeaseException"/> when the callback fails (the lease is kept) unless <paramref name="force"/>.
    /// </summary>
    Task RevokeAsync(string leaseId, bool force = false);

    /// <summary>Revokes every lease under <c>prefix/</c> (e.g. a mount being disabled).</summary>
    Task RevokePrefixAsync(string prefix, bool force = false);
}
