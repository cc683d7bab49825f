using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>Creates an auth method for a mount under auth/. It issues tokens through the token store.</summary>
public delegate IVaultEngine AuthMethodFactory(VaultMount mount, VaultServices services, TokenStore tokens);

/// <summary>Auth method types the double can enable (sys/auth/:path). Each method adds one line here.</summary>
public static class AuthMethodRegistry
{
    public static readonly IReadOnlyDictionary<string, AuthMethodFactory> Factories = new Dictionary<string, AuthMethodFactory>
    {
        ["approle"] = (mount, services, tokens) => new AppRoleAuthMethod(mount, services, tokens),
        ["userpass"] = (mount, services, tokens) => new UserpassAuthMethod(mount, tokens),
        ["jwt"] = (mount, services, tokens) => new JwtAuthMethod(mount, services, tokens),
        ["azure"] = (mount, services, tokens) => new AzureAuthMethod(mount, services, tokens),
        ["ldap"] = (mount, services, tokens) => new LdapAuthMethod(mount, tokens),
    };
}
