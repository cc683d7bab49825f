using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Deletes a static role; Vault stops rotating its SQL user's password.</para>
/// <para type="description">The SQL user stays, with the password Vault set last, and nobody but Vault
/// knew that password: read it with Get-CrdbStaticCredential first if something must keep logging in,
/// or set a new one in SQL afterwards.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CrdbVaultStaticRole", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
[InputErrorId("InvalidStaticRoleName")]
public sealed class RemoveCrdbVaultStaticRoleCommand : VaultCmdlet
{
    /// <summary>The static role to delete; takes names and the static roles of Get-CrdbVaultStaticRole from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Input(InputKind.NameSegment, PipelineProperty = "Role", PipelineTypes = ["CrdbVault.VaultStaticRole", InputAttribute.PsCustomObject])]
    public string Name { get; set; } = "";

    /// <summary>Where the database secrets engine is mounted. Default database.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var roles = new StaticRoles(vault.Client, MountPath);
        string target = $"{roles.MountPath}/static-roles/{Name}";
        if (!ShouldProcess(target, "Delete the static role (the SQL user keeps the password Vault set last; Vault stops rotating it)")) return;
        if (TryRun(ct => roles.DeleteAsync(Name, ct), out bool _, target))
            WriteVerbose($"Deleted {target}.");
    }
}
