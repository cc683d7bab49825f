using System.Management.Automation;
using CrdbVault.Core.Database;

namespace CrdbVault.Infrastructure;

/// <summary>Turns Core's static-role records into the PowerShell types.</summary>
internal static class StaticRoleViews
{
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
}
