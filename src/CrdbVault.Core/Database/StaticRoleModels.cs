using System.Security;

namespace CrdbVault.Core.Database;

/// <summary>What to write at <c>&lt;mount&gt;/static-roles/&lt;name&gt;</c>: one existing SQL user whose password Vault rotates.</summary>
public sealed class StaticRoleRequest
{
    public required string Name { get; init; }
    public required string ConnectionName { get; init; }
    public required string UserName { get; init; }
    /// <summary>Rotate this long after the last rotation (at least 5 s). Exclusive with <see cref="RotationSchedule"/>.</summary>
    public TimeSpan? RotationPeriod { get; init; }
    /// <summary>A five-field cron schedule (minute hour day-of-month month day-of-week).</summary>
    public string? RotationSchedule { get; init; }
    /// <summary>With a schedule: how long after each scheduled time a rotation may still happen (at least 1 h).</summary>
    public TimeSpan? RotationWindow { get; init; }
    /// <summary>Empty: <see cref="StaticRoleStatements.Default"/>.</summary>
    public IReadOnlyList<string> RotationStatements { get; init; } = [];
}

/// <summary>A static role as stored (either shape Vault documents: with a rotation period or a schedule).</summary>
public sealed record StaticRoleInfo(
    string MountPath,
    string Name,
    string ConnectionName,
    string UserName,
    TimeSpan? RotationPeriod,
    string? RotationSchedule,
    TimeSpan? RotationWindow,
    IReadOnlyList<string> RotationStatements,
    string CredentialType);

/// <summary>The current password of a static role (<c>&lt;mount&gt;/static-creds/&lt;role&gt;</c>). No lease.</summary>
public sealed class StaticCredentialInfo
{
    public required string MountPath { get; init; }
    public required string Role { get; init; }
    public required string UserName { get; init; }
    public required SecureString Password { get; init; }
    /// <summary>When Vault last set the password; null when it never did (an imported password).</summary>
    public DateTimeOffset? LastVaultRotation { get; init; }
    /// <summary>When Vault will rotate it next (from the TTL Vault reports), null when unknown.</summary>
    public DateTimeOffset? NextRotation { get; init; }
    public TimeSpan? RotationPeriod { get; init; }
    public string? RotationSchedule { get; init; }
    public TimeSpan? RotationWindow { get; init; }

    public override string ToString() => $"{UserName} (static role {Role})";
}

/// <summary>What writing a static role will do, known before anything is written.</summary>
public sealed record StaticRolePlan(StaticRoleRequest Request, bool Creates, DatabaseConnectionInfo Connection);
