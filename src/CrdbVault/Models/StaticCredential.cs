using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Database;

namespace CrdbVault;

/// <summary>
/// The current password of a static role's SQL user. The password is a SecureString (and inside
/// Credential); nothing here prints it. It stays valid until Vault rotates it (NextRotation) or
/// someone runs Reset-CrdbStaticCredential. Pipe it to Test-CrdbConnection or Get-CrdbConnectionString.
/// </summary>
public sealed class StaticCredential
{
    public required string Role { get; init; }
    public required string MountPath { get; init; }
    public required string UserName { get; init; }
    public required SecureString Password { get; init; }
    public required PSCredential Credential { get; init; }
    /// <summary>When Vault last set the password.</summary>
    public DateTimeOffset? LastVaultRotation { get; init; }
    /// <summary>When Vault will set a new one (from the TTL Vault reported).</summary>
    public DateTimeOffset? NextRotation { get; init; }
    public TimeSpan? RotationPeriod { get; init; }
    public string? RotationSchedule { get; init; }
    public TimeSpan? RotationWindow { get; init; }

    /// <summary>The current password (Core registered it for CI masking when it read it).</summary>
    internal static StaticCredential From(StaticCredentialInfo info) => new()
    {
        Role = info.Role,
        MountPath = info.MountPath,
        UserName = info.UserName,
        Password = info.Password,
        Credential = new PSCredential(info.UserName, info.Password),
        LastVaultRotation = info.LastVaultRotation,
        NextRotation = info.NextRotation,
        RotationPeriod = info.RotationPeriod,
        RotationSchedule = info.RotationSchedule,
        RotationWindow = info.RotationWindow,
    };

    public override string ToString() => $"{UserName} (static role {Role}, next rotation {NextRotation:u})";
}
