namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// The token of the request being handled, flowing through async calls. The lease manager reads it so
/// a lease is owned by the token that created it (Vault revokes a token's leases with the token) without
/// every engine having to pass the token along.
/// </summary>
public static class RequestContext
{
    private static readonly AsyncLocal<VaultToken?> CurrentToken = new();

    public static VaultToken? Token
    {
        get => CurrentToken.Value;
        internal set => CurrentToken.Value = value;
    }
}
