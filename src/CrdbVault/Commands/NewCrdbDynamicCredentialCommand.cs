using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Issues a short-lived CockroachDB SQL user from a Vault role.</para>
/// <para type="description">Reads &lt;mount&gt;/creds/&lt;Role&gt;: Vault creates the user with the role's
/// statements and returns it with a lease. The password is a SecureString and inside Credential; pipe
/// the object to Test-CrdbConnection, Get-CrdbConnectionString, Update-CrdbLease or Revoke-CrdbLease.
/// The request is never retried: each call creates a user, and when the outcome is unknown the
/// error says where to look for a stray lease. The lease is recorded in the session's lease ledger (Get-CrdbLease -Issued,
/// Revoke-CrdbLease -Issued). When the Vault token ends before the lease, the lease ends with it: TokenExpiresAt and
/// EffectiveExpiresAt show when, and a warning says what to change. To use a credential for one block of work and
/// have it revoked afterwards, use Use-CrdbDynamicCredential.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbDynamicCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DynamicCredential))]
[InputErrorId("InvalidRoleName")]
public sealed class NewCrdbDynamicCredentialCommand : VaultCmdlet
{
    /// <summary>The role to issue from (Set-CrdbVaultRole -Name); role names can be piped, and so can the roles of Get-CrdbVaultRole and earlier
    /// credentials.</summary>
    /// <remarks>By value only, from the listed types: a static role or static credential also has a
    /// Role, which names a static role and must never issue a dynamic credential.</remarks>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(DatabaseRoleCompleter))]
    [Input(InputKind.NameSegment, PipelineProperty = nameof(Role), PipelineTypes = ["CrdbVault.DynamicCredential", "CrdbVault.VaultDatabaseRole",
        InputAttribute.PsCustomObject])]
    public string Role { get; set; } = "";

    /// <summary>The database secrets engine's mount (default database); binds from piped roles and credentials.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var engine = new DatabaseEngine(vault.Client, MountPath);
        string path = $"{engine.MountPath}/creds/{Role}";
        if (!ShouldProcess(path, "Issue a dynamic SQL credential")) return;
        if (!TryRun(ct => engine.IssueCredentialAsync(Role, ct), out IssuedCredential issued, path, null)) return;
        foreach (string warning in issued.Warnings) WriteWarning($"Vault: {warning}");
        if (issued.NoLeaseWarning is string noLease) WriteWarning(noLease);
        else WriteVerbose($"Issued user '{issued.UserName}' with lease {issued.LeaseId} for {issued.LeaseDuration}.");
        if (issued.Ledger?.TokenEndsFirstWarning() is string tokenFirst) WriteWarning(tokenFirst);
        ShowLedgerFailures(vault);
        WriteObject(DynamicCredential.From(issued));
    }
}
