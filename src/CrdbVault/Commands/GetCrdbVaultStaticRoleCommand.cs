using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets static roles of a database secrets engine.</para>
/// <para type="description">Without -Name, every static role on -MountPath; -Name takes wildcards. Each
/// VaultStaticRole shows its SQL user and either its RotationPeriod or its RotationSchedule (and
/// RotationWindow). The password is not part of it: read it with Get-CrdbStaticCredential.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbVaultStaticRole")]
[OutputType(typeof(VaultStaticRole))]
public sealed class GetCrdbVaultStaticRoleCommand : VaultCmdlet
{
    /// <summary>Static role name; wildcards allowed. Default: all. Takes names, static roles and static credentials from the pipeline.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [Input(InputKind.NamePattern, ErrorId = "InvalidStaticRoleName", PipelineProperty = "Role", PipelineTypes = ["CrdbVault.VaultStaticRole",
        "CrdbVault.StaticCredential", InputAttribute.PsCustomObject])]
    public string[]? Name { get; set; }

    /// <summary>Where the database secrets engine is mounted. Default database.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var roles = new StaticRoles(vault.Client, MountPath);
        WriteMatching(Name, roles.ListAsync, roles.MountPath, roles.ReadAsync, VaultStaticRole.From, name => new ErrorRecord(
            new ItemNotFoundException($"Vault has no static role '{name}' at '{roles.MountPath}/'. " +
                $"List them with Get-CrdbVaultStaticRole -MountPath '{roles.MountPath}'."),
            "VaultStaticRoleNotFound", ErrorCategory.ObjectNotFound, name));
    }
}
