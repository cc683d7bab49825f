using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets the current password of a static role's SQL user.</para>
/// <para type="description">Reads &lt;mount&gt;/static-creds/&lt;Role&gt;. The password is a SecureString and
/// inside Credential; pipe the StaticCredential to Test-CrdbConnection or Get-CrdbConnectionString like a
/// dynamic credential. There is no lease: the password stays valid until NextRotation (or until someone
/// runs Reset-CrdbStaticCredential), so read it again after that. Inside Azure DevOps or GitHub Actions
/// the password is registered for masking before it is returned (see CRDBVAULT_CI_MASKING).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbStaticCredential")]
[OutputType(typeof(StaticCredential))]
[InputErrorId("InvalidStaticRoleName")]
public sealed class GetCrdbStaticCredentialCommand : VaultCmdlet
{
    /// <summary>The static role (Set-CrdbVaultStaticRole -Name); names, static roles and static credentials can be piped in.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Input(InputKind.NameSegment, PipelineProperty = "Role", PipelineTypes = ["CrdbVault.VaultStaticRole", "CrdbVault.StaticCredential",
        InputAttribute.PsCustomObject])]
    public string Role { get; set; } = "";

    /// <summary>Where the database secrets engine is mounted. Default database.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var roles = new StaticRoles(vault.Client, MountPath);
        if (!TryRun(ct => roles.ReadCredentialAsync(Role, ct), out StaticCredentialInfo info, $"{roles.MountPath}/static-creds/{Role}")) return;
        WriteVerbose($"Static role '{Role}': user '{info.UserName}', last rotated {info.LastVaultRotation:u}, next rotation {info.NextRotation:u}.");
        WriteObject(StaticCredential.From(info));
    }
}
