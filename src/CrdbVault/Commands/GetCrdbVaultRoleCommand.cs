using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets dynamic-credential roles of a database secrets engine.</para>
/// <para type="description">Without -Name, every role on -MountPath; -Name takes wildcards.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbVaultRole")]
[OutputType(typeof(VaultDatabaseRole))]
public sealed class GetCrdbVaultRoleCommand : VaultCmdlet
{
    /// <summary>Role name; wildcards allowed. Default: all. Binds by property name from piped objects (roles of Get-CrdbVaultRole; the mount stays
    /// -MountPath).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseRoleCompleter))]
    [Input(InputKind.NamePattern, ErrorId = "InvalidRoleName")]
    public string[]? Name { get; set; }

    /// <summary>The database secrets engine's mount (default database).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var engine = new DatabaseEngine(vault.Client, MountPath);
        WriteMatching(Name, engine.ListRolesAsync, engine.MountPath, engine.ReadRoleAsync, VaultDatabaseRole.From, name => new ErrorRecord(
            new ItemNotFoundException($"Vault has no database role '{name}' at '{engine.MountPath}/'. " +
                $"List roles with Get-CrdbVaultRole -MountPath '{engine.MountPath}'."),
            "VaultRoleNotFound", ErrorCategory.ObjectNotFound, name));
    }
}
