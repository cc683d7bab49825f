using System.Security.Cryptography;

namespace CrdbVault.Sandbox.Vault.Support;

/// <summary>Random identifiers in the shapes Vault uses (tokens, accessors, lease suffixes).</summary>
public static class VaultIds
{
    public const string Base62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Cryptographically random base62 text (what Vault's <c>random N</c> and lease ids use).</summary>
    public static string RandomBase62(int length) => RandomNumberGenerator.GetString(Base62, length);

    /// <summary>A service token like current Vault versions issue (<c>hvs.</c> + 24 base62).</summary>
    public static string NewToken() => "hvs." + RandomBase62(24);

    public static string NewAccessor() => RandomBase62(24);

    public static string NewUuid() => Guid.NewGuid().ToString();
}
