using System.Management.Automation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Infrastructure;

/// <summary>Base of cmdlets that talk to Vault: the -Vault parameter and the session default.</summary>
public abstract class VaultCmdlet : CrdbCmdlet
{
    /// <summary>The connection to use instead of the one Connect-CrdbVault made the session default.</summary>
    [Parameter]
    [ValidateNotNull]
    public VaultConnection? Vault { get; set; }

    /// <summary>The connection this call uses; a terminating error when there is none.</summary>
    protected VaultConnection Connection
    {
        get
        {
            VaultConnection? c = Vault ?? ConnectionStore.Vault;
            if (c is null)
                ThrowMapped(new NotConnectedException("Not connected to Vault. Run Connect-CrdbVault first (it reads VAULT_ADDR and VAULT_TOKEN), or pass -Vault with a connection."), null, "VaultNotConnected");
            return c!;
        }
    }

    internal VaultSession Session => Connection.Session;
    internal VaultClient Client => Connection.Session.Client;
}
