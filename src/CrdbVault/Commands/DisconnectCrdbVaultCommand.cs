using System.Management.Automation;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Forgets the Vault connection; with -Revoke also revokes its token.</para>
/// <para type="description">Without -Vault it disconnects the session default. Revoking the token
/// also revokes every lease created with it (credentials issued through this connection). The module stops
/// renewing the token in the background either way.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "CrdbVault", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
public sealed class DisconnectCrdbVaultCommand : CrdbCmdlet
{
    /// <summary>The connection to close; default: the session default.</summary>
    [Parameter(ValueFromPipeline = true, Position = 0)]
    public VaultConnection? Vault { get; set; }

    /// <summary>Revoke the token at Vault (auth/token/revoke-self) before forgetting it.</summary>
    [Parameter]
    public SwitchParameter Revoke { get; set; }

    protected override void ProcessCheckedRecord()
    {
        VaultConnection? connection = Vault ?? ConnectionStore.Vault;
        if (connection is null)
        {
            WriteVerbose("Not connected to Vault; nothing to do.");
            return;
        }
        if (Revoke && ShouldProcess($"token {connection.TokenAccessor} at {connection.Address}", "Revoke the Vault token and every lease created with it"))
        {
            Run(ct => connection.Session.RevokeSelfAsync(ct), connection);
            WriteVerbose($"Revoked the token with accessor {connection.TokenAccessor}.");
        }
        ConnectionStore.StopRenewal(connection);
        if (ReferenceEquals(ConnectionStore.Vault, connection)) ConnectionStore.Vault = null;
    }
}
