namespace CrdbVault.Core.Vault.Auth;

/// <summary>A way to obtain a Vault token. Implementations keep their secrets as SecureString.</summary>
public interface IVaultAuthMethod
{
    /// <summary>Shown to users: 'token', 'approle', 'jwt', ...</summary>
    string Name { get; }

    /// <summary>True when <see cref="LoginAsync"/> can be called again to get a fresh token.</summary>
    bool CanLogin { get; }

    /// <summary>Logs in and returns the auth block (with the new token).</summary>
    Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct);
}
