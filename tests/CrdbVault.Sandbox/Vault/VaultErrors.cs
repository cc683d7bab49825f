namespace CrdbVault.Sandbox.Vault;

/// <summary>Vault's error texts for the auth failures clients tell apart by message.</summary>
public static class VaultErrors
{
    /// <summary>A valid token whose policies do not allow the request.</summary>
    public const string PermissionDenied = "1 error occurred:\n\t* permission denied\n\n";

    /// <summary>An unknown, expired or revoked token.</summary>
    public const string InvalidToken = "2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n";

    /// <summary>No token at all.</summary>
    public const string MissingToken = "permission denied";

    public static string NoHandler(string path) => $"no handler for route \"{path}\". route entry not found.";
}
