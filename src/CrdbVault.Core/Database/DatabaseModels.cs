using System.Security;

namespace CrdbVault.Core.Database;

/// <summary>A connection as stored at <c>&lt;mount&gt;/config/&lt;name&gt;</c> (the password is never returned).</summary>
public sealed record DatabaseConnectionInfo(
    string MountPath,
    string Name,
    string PluginName,
    string? ConnectionUrl,
    string? Username,
    IReadOnlyList<string> AllowedRoles,
    string? UsernameTemplate,
    bool VerifyConnection);

/// <summary>A role as stored at <c>&lt;mount&gt;/roles/&lt;name&gt;</c>.</summary>
public sealed record DatabaseRoleInfo(
    string MountPath,
    string Name,
    string ConnectionName,
    IReadOnlyList<string> CreationStatements,
    IReadOnlyList<string> RevocationStatements,
    IReadOnlyList<string> RenewStatements,
    TimeSpan DefaultTtl,
    TimeSpan MaxTtl);

/// <summary>A freshly issued dynamic credential. The password is a SecureString.</summary>
public sealed class IssuedCredential
{
    public required string MountPath { get; init; }
    public required string Role { get; init; }
    public required string UserName { get; init; }
    public required SecureString Password { get; init; }
    /// <summary>Null when Vault answered without a lease: then nothing revokes the user.</summary>
    public required string? LeaseId { get; init; }
    public required TimeSpan LeaseDuration { get; init; }
    public required bool Renewable { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    public bool HasLease => LeaseId is not null;
    /// <summary>When the lease ends (and Vault drops the user); null without a lease.</summary>
    public DateTimeOffset? ExpiresAt => HasLease ? IssuedAt + LeaseDuration : null;
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The session's record of the lease (null without a lease or a session): its token's end and its state live there.</summary>
    public Leases.LedgerEntry? Ledger { get; init; }

    /// <summary>When the issuing token ends, if known (the lease dies with it).</summary>
    public DateTimeOffset? TokenExpiresAt => Ledger?.TokenExpiresAt;

    /// <summary>What to tell the user when there is no lease: the user must be dropped by hand.</summary>
    public string? NoLeaseWarning => HasLease ? null
        : $"Vault gave no lease for SQL user '{UserName}' ({MountPath}/creds/{Role} answered without lease_id): " +
            $"nothing will revoke it and it keeps working until dropped. When done with it, drop it by hand with the role's revocation statements for name " +
            $"'{UserName}' (Get-CrdbVaultRole -Name {Role} -MountPath {MountPath} shows them; they end in DROP ROLE IF EXISTS \"{UserName}\").";

    public override string ToString() => HasLease ? $"{UserName} (lease {LeaseId})" : $"{UserName} (no lease)";
}

/// <summary>What to write at <c>&lt;mount&gt;/config/&lt;name&gt;</c>.</summary>
public sealed class DatabaseConnectionRequest
{
    public required string MountPath { get; init; }
    public required string Name { get; init; }
    public required VaultConnectionUrl Url { get; init; }
    public required string Username { get; init; }
    public required SecureString Password { get; init; }
    public IReadOnlyList<string> AllowedRoles { get; init; } = ["*"];
    public string UsernameTemplate { get; init; } = UsernameTemplates.CockroachDbSafe;
    public bool VerifyConnection { get; init; } = true;
}
