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

    /// <summary>
    /// The connection this call uses; a terminating error when there is none. Read it on the pipeline
    /// thread (outside the lambdas given to Run/TryRun/Await): the session default is per runspace.
    /// </summary>
    protected VaultConnection Connection
    {
        get
        {
            if (Vault is null && System.Management.Automation.Runspaces.Runspace.DefaultRunspace is null)
                throw new InvalidOperationException("Internal error: the Vault connection was read off the pipeline thread. Resolve Client before calling Run/TryRun/Await.");
            VaultConnection? c = Vault ?? ConnectionStore.Vault;
            if (c is null)
                ThrowMapped(new NotConnectedException("Not connected to Vault. Run Connect-CrdbVault first (it reads VAULT_ADDR and VAULT_TOKEN), or pass -Vault with a connection."), null, "VaultNotConnected");
            return c!;
        }
    }

    internal VaultSession Session => Connection.Session;
    internal VaultClient Client => Connection.Session.Client;
}
