using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Deletes a dynamic-credential role.</para>
/// <para type="description">Credentials already issued from the role keep their leases and users until
/// they expire or you revoke them (Revoke-CrdbLease -Prefix database/creds/&lt;Name&gt;).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "CrdbVaultRole", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
[InputErrorId("InvalidRoleName")]
public sealed class RemoveCrdbVaultRoleCommand : VaultCmdlet
{
    /// <summary>The role to delete; binds from Get-CrdbVaultRole's output.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>The database secrets engine's mount (default database); binds from Get-CrdbVaultRole's output.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var engine = new DatabaseEngine(vault.Client, MountPath);
        string target = $"{engine.MountPath}/roles/{Name}";
        if (!ShouldProcess(target, "Delete the role (issued credentials stay valid until revoked)")) return;
        if (TryRun(ct => engine.DeleteRoleAsync(Name, ct), out bool _, target))
            WriteVerbose($"Deleted {target}. Revoke its credentials with: Revoke-CrdbLease -Prefix '{engine.MountPath}/creds/{Name}'");
    }
}
