using CrdbVault.Core.Database;

namespace CrdbVault;

/// <summary>
/// A static role (database/static-roles/&lt;Name&gt;): one existing SQL user whose password Vault
/// rotates on RotationPeriod or on the cron RotationSchedule (within RotationWindow).
/// </summary>
public sealed class VaultStaticRole
{
    /// <summary>
    /// The static role's name. Called Role (like StaticCredential.Role), not Name: a Name would bind
    /// to Set-/Remove-CrdbVaultRole -Name, which act on dynamic roles.
    /// </summary>
    public required string Role { get; init; }
    public required string ConnectionName { get; init; }
    public required string MountPath { get; init; }
    public required string UserName { get; init; }
    /// <summary>Null when the role rotates on a schedule.</summary>
    public TimeSpan? RotationPeriod { get; init; }
    /// <summary>Five-field cron schedule; null when the role rotates on a period.</summary>
    public string? RotationSchedule { get; init; }
    public TimeSpan? RotationWindow { get; init; }
    public string[] RotationStatements { get; init; } = [];
    public string CredentialType { get; init; } = "password";

    internal static VaultStaticRole From(StaticRoleInfo info) => new()
    {
        Role = info.Name,
        ConnectionName = info.ConnectionName,
        MountPath = info.MountPath,
        UserName = info.UserName,
        RotationPeriod = info.RotationPeriod,
        RotationSchedule = info.RotationSchedule,
        RotationWindow = info.RotationWindow,
        RotationStatements = [.. info.RotationStatements],
        CredentialType = info.CredentialType,
    };

    public override string ToString() => $"{MountPath}/static-roles/{Role}";
}
