using System.Security;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// userpass or LDAP for admins at a prompt: auth/&lt;mount&gt;/login/&lt;user&gt; {password}. The
/// password is kept only as a SecureString and revealed at the moment of each login.
/// </summary>
public sealed class PasswordAuth : IVaultAuthMethod
{
    private readonly SecureString _password;

    public PasswordAuth(string method, string userName, SecureString password, string? mount = null)
    {
        if (method is not ("userpass" or "ldap"))
            throw new ArgumentException($"-AuthMethod '{method}' is not a password method. Use userpass or ldap.", nameof(method));
        Name = method;
        UserName = InputValidator.VaultLoginName(userName, "Credential user name");
        InputValidator.Secret(password, "Credential password");
        _password = password;
        Mount = InputValidator.VaultPath(mount ?? method, "AuthMount", $"the auth mount such as '{method}'");
    }

    public string UserName { get; }
    public string Mount { get; }
    public string Name { get; }
    public bool CanLogin => true;

    public Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct) =>
        VaultLogin.SendAsync(client, Name, $"auth/{Mount}/login/{Uri.EscapeDataString(UserName)}",
            new Dictionary<string, string> { ["password"] = SecureStrings.Reveal(_password) }, null, ct);

    public override string ToString() => $"{Name} user={UserName} mount={Mount}";
}
