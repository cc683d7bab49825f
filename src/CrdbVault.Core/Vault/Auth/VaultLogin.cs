using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// The Vault half of every login: one unauthenticated POST to auth/&lt;mount&gt;/login[/user], at most
/// once (a login mints a token), and Vault's refusal told as <see cref="VaultLoginRejectedException"/>
/// with the bound of the role to check. Answers are read in both documented shapes (policies or
/// token_policies, metadata null or an object) by <see cref="VaultResponse"/>.
/// </summary>
internal static class VaultLogin
{
    internal static async Task<VaultAuthInfo> SendAsync(VaultClient client, string method, string path, object body, string? role, CancellationToken ct)
    {
        VaultResponse? r;
        try
        {
            r = await client.WriteAsync(path, body, new VaultRequestOptions
            {
                Anonymous = true,
                Idempotent = false,
                UnknownOutcomeHint = "A token may have been issued to this login: it expires with its TTL " +
                    "(an admin sees it with vault list auth/token/accessors). Log in again.",
            }, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (IsRefusal(ex))
        {
            IReadOnlyList<string> said = [.. ex.Errors.Select(ServerText.Printable)];
            string words = said.Count == 0 ? $"HTTP {ex.Status}" : string.Join("; ", said);
            string who = role is null ? "" : $" (role '{role}')";
            throw new VaultLoginRejectedException(
                $"Vault refused the {method} login at {path}{who}: {words}. {Check(said, method, path, role)}", method, path, ex.Status, said, ex);
        }
        return r?.Auth ?? throw new VaultApiException($"Vault's {method} login at {path} returned no auth block.", VaultErrorKind.Other, path);
    }

    /// <summary>
    /// 400 (jwt, userpass, ldap), 401/403, and the azure method's 500 with words (its token checks are
    /// not "logical" errors, so they reach the client as 500). A 5xx without words is Vault's trouble.
    /// </summary>
    private static bool IsRefusal(VaultApiException ex) =>
        ex.Status is 400 or 401 or 403 || (ex.Status == 500 && ex.Errors.Count > 0 && !ex.Mentions("sealed", "standby", "internal error"));

    /// <summary>Which setting to compare with what, by what Vault said.</summary>
    internal static string Check(IReadOnlyList<string> said, string method, string path, string? role)
    {
        string all = string.Join(" ", said);
        string mount = path.EndsWith("/login", StringComparison.Ordinal)
            ? path[..^"/login".Length]
            : path[..path.LastIndexOf("/login/", StringComparison.Ordinal)];
        string roleRead = role is null ? $"vault read {mount}/config" : $"vault read {mount}/role/{role}";
        bool Has(string s) => all.Contains(s, StringComparison.OrdinalIgnoreCase);
        if (Has("could not be found") || Has("invalid role name") || Has("missing role"))
            return $"The role does not exist on this mount: check -Role and -AuthMount (vault list {mount}/role).";
        if (Has("bound claim") || Has("claim \""))
            return $"The token's claim does not match the role's bound_claims: compare them ({roleRead}) with the job (organization, project and " +
                "pipeline ids for Azure DevOps; repository and ref for GitHub).";
        if (Has("audience"))
            return $"The token's audience (aud) is not in the role's bound_audiences ({roleRead}); GitHub Actions: pass -Audience or bind " +
                "https://github.com/<owner>; Azure DevOps always sends api://AzureADTokenExchange; managed identity: -Resource must be the " +
                "azure mount's resource.";
        if (Has("sub claim") || Has("subject"))
            return $"The token's subject (sub) is not the role's bound_subject ({roleRead}); copy it from the service connection's 'Subject identifier'.";
        if (Has("expired") || Has("expiry") || Has("not valid yet") || Has("nbf"))
            return "The token was expired (or not yet valid) when Vault checked it: check the clocks of this machine, the issuer and Vault; " +
                "with -Jwt pass a fresh token, with -JwtPath make sure the file is being rotated.";
        if (Has("signature") || Has("issuer"))
            return $"The mount does not trust this token's issuer or keys ({mount}/config: oidc_discovery_url, bound_issuer). Each issuer needs its " +
                "own mount: Azure DevOps service connections created since 2025 are issued by Microsoft Entra, so use -AuthMount jwt-entra.";
        if (Has("service principal") || Has("resource group") || Has("subscription") || Has("location") || Has("scale set") || Has("resource id")
            || Has("resource_id") || Has("resource_group") || Has("vm_name") || Has("vmss_name") || Has("subscription_id"))
            return $"The identity or its resource is not what the role binds ({roleRead}: bound_service_principal_ids, bound_subscription_ids, " +
                "bound_resource_groups); pass -SubscriptionId, -ResourceGroupName and -VMName or -ResourceId of the resource the identity belongs to.";
        if (Has("username or password") || Has("failed to bind"))
            return "The user name or password is wrong (or the user is not in the directory); Vault does not say which.";
        return method is "userpass" or "ldap"
            ? "Check the user name and password."
            : $"Check the role's bounds ({roleRead}) against the token the job was given.";
    }
}
