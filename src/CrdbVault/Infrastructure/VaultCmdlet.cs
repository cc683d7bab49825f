using System.Management.Automation;

namespace CrdbVault.Infrastructure;

/// <summary>Base of cmdlets that talk to Vault: the -Vault parameter, else the session default of Connect-CrdbVault.</summary>
public abstract class VaultCmdlet : SessionCmdlet<VaultConnection>
{
    /// <summary>The connection to use instead of the one Connect-CrdbVault made the session default.</summary>
    [Parameter]
    [ValidateNotNull]
    public VaultConnection? Vault { get; set; }

    private protected override VaultConnection? Given => Vault;

    private protected override VaultConnection? SessionDefault => ConnectionStore.Vault;

    private protected override (string Message, string ErrorId) NotConnected =>
        ("Not connected to Vault. Run Connect-CrdbVault first (it reads VAULT_ADDR and VAULT_TOKEN), or pass -Vault with a connection.", "VaultNotConnected");
}
