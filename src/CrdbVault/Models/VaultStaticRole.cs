namespace CrdbVault;

/// <summary>
/// A static role (database/static-roles/&lt;Name&gt;): one existing SQL user whose password Vault
/// rotates on RotationPeriod or on the cron RotationSchedule (within RotationWindow).
/// </summary>
public sealed class VaultStaticRole
{
    public required string Name { get; init; }
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

    /// <summary>Lets Get-CrdbStaticCredential and Reset-CrdbStaticCredential bind -Role from this object.</summary>
    public string Role => Name;

    public override string ToString() => $"{MountPath}/static-roles/{Name}";
}
