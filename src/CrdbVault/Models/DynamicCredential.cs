using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Database;
using CrdbVault.Core.Leases;

namespace CrdbVault;

/// <summary>
/// A short-lived SQL user from Vault. The password is a SecureString (and inside Credential);
/// nothing here prints it. Pipe it to Revoke-CrdbLease, Update-CrdbLease, Test-CrdbConnection or
/// Get-CrdbConnectionString.
/// </summary>
public sealed class DynamicCredential
{
    public required string Role { get; init; }
    public required string MountPath { get; init; }
    public required string UserName { get; init; }
    public required SecureString Password { get; init; }
    public required PSCredential Credential { get; init; }
    /// <summary>The lease that revokes the user; null when Vault gave none (then drop the user by hand).</summary>
    public required string? LeaseId { get; init; }
    public required TimeSpan LeaseDuration { get; init; }
    public required bool Renewable { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>When the lease ends and Vault drops the user; null without a lease. Moves forward when the module renews the lease.</summary>
    public required DateTimeOffset? ExpiresAt
    {
        get => Ledger?.ExpiresAt ?? _expiresAt;
        init => _expiresAt = value;
    }

    /// <summary>When the Vault token that issued it ends, if known (not renewable, explicit_max_ttl, or a renewal that came back capped):
    /// Vault revokes the lease then, whatever ExpiresAt says. Null while unknown.</summary>
    public DateTimeOffset? TokenExpiresAt => Ledger?.TokenExpiresAt;

    /// <summary>The earlier of ExpiresAt and TokenExpiresAt: when the user is really dropped at the latest.</summary>
    public DateTimeOffset? EffectiveExpiresAt => LedgerEntry.Earlier(ExpiresAt, TokenExpiresAt);

    /// <summary>What the module's background renewal is doing (Use-CrdbDynamicCredential renews; New-CrdbDynamicCredential does not).</summary>
    public CredentialRenewalState RenewalState
    {
        get => _renewalState ?? LiveRenewalState?.Invoke() ?? CredentialRenewalState.NotRenewed;
        internal set => _renewalState = value;
    }

    private CredentialRenewalState? _renewalState;

    /// <summary>The background renewal's state while it runs (read each time, so the property stays current).</summary>
    internal Func<CredentialRenewalState>? LiveRenewalState { get; set; }

    private readonly DateTimeOffset? _expiresAt;

    /// <summary>The session's record of the lease: shared, so renewals and a token end learned later show here.</summary>
    internal LedgerEntry? Ledger { get; init; }

    /// <summary>A freshly issued user (Core registered the password for CI masking when it was issued).</summary>
    internal static DynamicCredential From(IssuedCredential issued) => new()
    {
        Role = issued.Role,
        MountPath = issued.MountPath,
        UserName = issued.UserName,
        Password = issued.Password,
        Credential = new PSCredential(issued.UserName, issued.Password),
        LeaseId = issued.LeaseId,
        LeaseDuration = issued.LeaseDuration,
        Renewable = issued.Renewable,
        IssuedAt = issued.IssuedAt,
        ExpiresAt = issued.ExpiresAt,
        Ledger = issued.Ledger,
    };

    public override string ToString() => LeaseId is null ? $"{UserName} (no lease)" : $"{UserName} (lease {LeaseId}, expires {ExpiresAt:u})";
}

/// <summary>What the module's background renewal of a credential's lease is doing.</summary>
public enum CredentialRenewalState
{
    /// <summary>The module does not renew it (New-CrdbDynamicCredential: Update-CrdbLease renews by hand).</summary>
    NotRenewed,
    /// <summary>Renewed in the background at about 2/3 of its TTL (inside Use-CrdbDynamicCredential).</summary>
    Renewing,
    /// <summary>Vault capped the last renewal at the role's max TTL: the lease ends at ExpiresAt whatever is renewed.</summary>
    MaxTtlReached,
    /// <summary>The last renewal failed (the warning when the block ends says why); the lease ends at ExpiresAt unless renewed.</summary>
    Failed,
    /// <summary>The lease cannot be renewed (Vault issued it not renewable).</summary>
    NotRenewable,
    /// <summary>The block ended and the lease was revoked.</summary>
    Revoked,
}
