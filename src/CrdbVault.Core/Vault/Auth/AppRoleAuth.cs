using System.Security;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>AppRole login (docs/vault-notes.md#tokens-and-logins): role_id + secret_id, unauthenticated request.</summary>
public sealed class AppRoleAuth : IVaultAuthMethod
{
    private readonly SecureString? _secretId;

    public AppRoleAuth(string roleId, SecureString? secretId, string mount = "approle")
    {
        if (string.IsNullOrWhiteSpace(roleId))
            throw new ArgumentException("-RoleId is empty. Pass the AppRole's role_id (vault read auth/approle/role/<name>/role-id).", nameof(roleId));
        RoleId = InputValidator.Secret(roleId, "RoleId");
        if (secretId is not null) InputValidator.Secret(secretId, "SecretId");
        _secretId = secretId;
        // Relative to auth/, so not a secrets engine mount: Vault's system-path rule does not apply.
        Mount = InputValidator.VaultPath(mount, "AuthMount", "the auth mount such as 'approle'");
    }

    public string RoleId { get; }
    public string Mount { get; }
    public string Name => "approle";
    public bool CanLogin => true;

    public async Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct)
    {
        var body = new Dictionary<string, string> { ["role_id"] = RoleId };
        if (_secretId is not null) body["secret_id"] = SecureStrings.Reveal(_secretId);
        VaultResponse? r = await client.WriteAsync($"auth/{Mount}/login", body,
            new VaultRequestOptions
            {
                Anonymous = true,
                Idempotent = false,
                UnknownOutcomeHint = "A token may have been issued to this login: it expires with its TTL " +
                    "(an admin sees it with vault list auth/token/accessors). Log in again.",
            }, ct).ConfigureAwait(false);
        return r?.Auth ?? throw new VaultApiException($"Vault's AppRole login at auth/{Mount}/login returned no auth " +
            $"block.", VaultErrorKind.Other, $"auth/{Mount}/login");
    }

    // role_id is checked as a secret on input (some treat it as one): it is not repeated here either.
    public override string ToString() => $"approle mount={Mount}";
}
