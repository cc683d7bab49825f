namespace CrdbVault.Core.Vault;

/// <summary>Gives the client the token to send; the session renews or logs in again behind it.</summary>
public interface IVaultTokenSource
{
    /// <summary>The token for the next request, or null when none is known.</summary>
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);
}
