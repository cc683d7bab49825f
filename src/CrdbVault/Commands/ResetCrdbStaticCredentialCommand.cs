using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Rotates a static role's password now.</para>
/// <para type="description">Posts &lt;mount&gt;/rotate-role/&lt;Role&gt;: Vault sets a new password for the SQL
/// user at once and restarts the role's rotation period. Anything still using the old password stops
/// working; read the new one with Get-CrdbStaticCredential (or use -PassThru). The request is sent at most
/// once: when its outcome is unknown, the error says how to check whether the password changed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Reset, "CrdbStaticCredential", SupportsShouldProcess = true)]
[OutputType(typeof(StaticCredential))]
[InputErrorId("InvalidStaticRoleName")]
public sealed class ResetCrdbStaticCredentialCommand : VaultCmdlet
{
    /// <summary>The static role whose password to rotate; names, static roles and static credentials can be piped in.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Input(InputKind.NameSegment, PipelineProperty = "Role", PipelineTypes = ["CrdbVault.VaultStaticRole", "CrdbVault.StaticCredential",
        InputAttribute.PsCustomObject])]
    public string Role { get; set; } = "";

    /// <summary>Where the database secrets engine is mounted. Default database.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    /// <summary>Emit the new StaticCredential after the rotation.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var roles = new StaticRoles(vault.Client, MountPath);
        string target = $"{roles.MountPath}/rotate-role/{Role}";
        if (!ShouldProcess($"static role '{Role}' ({roles.MountPath})", "Rotate the SQL user's password now (the current password stops working)")) return;
        string role = Role;
        if (!TryRun(async ct => { await roles.RotateAsync(role, ct).ConfigureAwait(false); return true; }, out bool _, target)) return;
        WriteVerbose($"Vault rotated the password of static role '{Role}'.");
        if (PassThru && TryRun(ct => roles.ReadCredentialAsync(Role, ct), out StaticCredentialInfo info, $"{roles.MountPath}/static-creds/{Role}"))
            WriteObject(StaticCredential.From(info));
    }
}
