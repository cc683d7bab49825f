using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// The jwt auth method at any mount (jwt, jwt-azuredevops, jwt-entra, jwt-github…): config with
/// exactly one key source, roles, and login {role, jwt}. The checks follow Vault's jwt plugin in
/// order and wording, so a client shows the same text a real Vault gives: signature, algorithm,
/// iss (bound_issuer), sub, aud, times with leeway, "audience claim found in JWT but no audiences
/// bound to the role", user_claim, bound_claims. One issuer per mount, as in Vault.
/// </summary>
public sealed class JwtAuthMethod(VaultMount mount, VaultServices services, TokenStore tokens) : IVaultEngine, IUnauthenticatedPaths
{
    private sealed record Config(
        string DiscoveryUrl, string JwksUrl, List<string> Pems, string BoundIssuer, string DefaultRole,
        List<string> SupportedAlgs, JwtKeySource Keys);

    private readonly ConcurrentDictionary<string, JwtRole> _roles = new(StringComparer.Ordinal);
    private volatile Config? _config;

    public string Type => "jwt";

    public bool IsUnauthenticated(string method, string path) => path == "login";

    public async Task<VaultReply> HandleAsync(VaultRequest request)
    {
        string[] parts = request.Path.Split('/');
        switch (parts[0])
        {
            case "login" when parts.Length == 1:
                return request.IsWrite ? await LoginAsync(request).ConfigureAwait(false) : VaultReply.UnsupportedOperation();
            case "config" when parts.Length == 1:
                if (request.IsRead) return _config is null ? VaultReply.NotFound() : VaultReply.Ok(ReadConfig(_config));
                return request.IsWrite ? await WriteConfigAsync(request).ConfigureAwait(false) : VaultReply.UnsupportedOperation();
            case "role" when parts.Length == 1:
                return request.IsList ? VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation();
            case "role" when parts.Length == 2:
                return Role(request, parts[1]);
            default:
                return VaultReply.UnsupportedPath();
        }
    }

    private async Task<VaultReply> WriteConfigAsync(VaultRequest request)
    {
        JsonObject body = request.Body;
        Config? old = _config;
        string discovery = BodyReader.String(body, "oidc_discovery_url") ?? old?.DiscoveryUrl ?? "";
        string jwks = BodyReader.String(body, "jwks_url") ?? old?.JwksUrl ?? "";
        List<string> pems = BodyReader.Has(body, "jwt_validation_pubkeys") ? BodyReader.List(body, "jwt_validation_pubkeys") : old?.Pems ?? [];
        int sources = (discovery.Length > 0 ? 1 : 0) + (jwks.Length > 0 ? 1 : 0) + (pems.Count > 0 ? 1 : 0);
        if (sources != 1)
            return VaultReply.BadRequest("exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set");

        JwtKeySource keys;
        if (pems.Count > 0) keys = JwtKeySource.FromPems(pems);
        else if (discovery.Length > 0)
        {
            try { keys = await JwtKeySource.FromDiscoveryAsync(services.Outbound, discovery, request.Cancellation).ConfigureAwait(false); }
            catch (JwtKeySourceException) { return VaultReply.BadRequest("error checking oidc discovery URL"); }
        }
        else
        {
            keys = JwtKeySource.FromJwksUrl(jwks);
            try { await keys.CheckReachableAsync(services.Outbound, request.Cancellation).ConfigureAwait(false); }
            catch (JwtKeySourceException) { return VaultReply.BadRequest($"error checking jwks URL {jwks}"); }
        }
        _config = new Config(discovery, jwks, pems,
            BodyReader.String(body, "bound_issuer") ?? old?.BoundIssuer ?? "",
            BodyReader.String(body, "default_role") ?? old?.DefaultRole ?? "",
            BodyReader.Has(body, "jwt_supported_algs") ? BodyReader.List(body, "jwt_supported_algs") : old?.SupportedAlgs ?? [],
            keys);
        return VaultReply.NoContent();
    }

    private static JsonObject ReadConfig(Config c) => new()
    {
        ["oidc_discovery_url"] = c.DiscoveryUrl,
        ["oidc_discovery_ca_pem"] = "",
        ["oidc_client_id"] = "",
        ["oidc_response_mode"] = "",
        ["oidc_response_types"] = new JsonArray(),
        ["default_role"] = c.DefaultRole,
        ["jwt_validation_pubkeys"] = new JsonArray([.. c.Pems.Select(p => (JsonNode?)p)]),
        ["jwt_supported_algs"] = new JsonArray([.. c.SupportedAlgs.Select(p => (JsonNode?)p)]),
        ["jwks_url"] = c.JwksUrl,
        ["jwks_pairs"] = new JsonArray(),
        ["jwks_ca_pem"] = "",
        ["bound_issuer"] = c.BoundIssuer,
        ["provider_config"] = new JsonObject(),
        ["namespace_in_state"] = true,
    };

    private VaultReply Role(VaultRequest request, string rawName)
    {
        string name = rawName.ToLowerInvariant();
        if (request.IsRead) return _roles.TryGetValue(name, out JwtRole? r) ? VaultReply.Ok(r.Read()) : VaultReply.NotFound();
        if (request.IsDelete) { _roles.TryRemove(name, out _); return VaultReply.NoContent(); }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        // Validate on a fresh copy so a refused update leaves the stored role as it was.
        var role = new JwtRole { Name = name };
        if (_roles.TryGetValue(name, out JwtRole? existing)) role.Apply(MergeForUpdate(existing, request.Body));
        else role.Apply(request.Body);
        _roles[name] = role;
        return VaultReply.NoContent();
    }

    /// <summary>An update changes only the fields it names: start from the stored role's fields.</summary>
    private static JsonObject MergeForUpdate(JwtRole existing, JsonObject body)
    {
        JsonObject merged = existing.Read();
        foreach (string legacy in new[] { "policies", "ttl", "max_ttl", "period" })
            if (body.ContainsKey(legacy)) merged.Remove("token_" + legacy);
        merged.Remove("policies");
        foreach (var (k, v) in body) merged[k] = v?.DeepClone();
        return merged;
    }

    private async Task<VaultReply> LoginAsync(VaultRequest request)
    {
        Config? config = _config;
        if (config is null) return VaultReply.BadRequest("could not load configuration");
        string roleName = BodyReader.String(request.Body, "role") ?? "";
        if (roleName.Length == 0) roleName = config.DefaultRole;
        if (roleName.Length == 0) return VaultReply.BadRequest("missing role");
        if (!_roles.TryGetValue(roleName.ToLowerInvariant(), out JwtRole? role)) return VaultReply.BadRequest($"role \"{roleName}\" could not be found");
        if (role.RoleType == "oidc") return VaultReply.BadRequest("role with oidc role_type is not allowed");
        string jwt = BodyReader.String(request.Body, "jwt") ?? "";
        if (jwt.Length == 0) return VaultReply.BadRequest("missing token");

        JsonObject claims;
        try { claims = JwtSignature.Claims(jwt); }
        catch (FormatException ex)
        {
            return VaultReply.BadRequest("error validating token: error verifying token signature: " + (config.Keys.IsRemote ? "oidc: " : "") + ex.Message);
        }
        if (!await config.Keys.VerifiesAsync(jwt, services.Outbound, request.Cancellation).ConfigureAwait(false))
        {
            return VaultReply.BadRequest("error validating token: error verifying token signature: " + (config.Keys.IsRemote
                ? "failed to verify id token signature"
                : "no known key successfully validated the token signature"));
        }
        string alg = JwtSignature.Header(jwt).Alg;
        IEnumerable<string> allowed = config.SupportedAlgs.Count > 0 ? config.SupportedAlgs : JwtSignature.AsymmetricAlgorithms;
        if (!allowed.Contains(alg)) return VaultReply.BadRequest("error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm");
        if (role.CheckRegisteredClaims(claims, config.BoundIssuer, services.Clock.GetUtcNow()) is string invalid)
            return VaultReply.BadRequest("error validating token: " + invalid);
        if (role.BoundAudiences.Count == 0 && JwtSignature.Audiences(claims).Any(a => a.Length > 0))
            return VaultReply.BadRequest("audience claim found in JWT but no audiences bound to the role");

        JsonNode? user = claims[role.UserClaim];
        if (user is null) return VaultReply.BadRequest($"claim \"{role.UserClaim}\" not found in token");
        if (JwtSignature.String(claims, role.UserClaim) is not string userName) return VaultReply.BadRequest($"claim \"{role.UserClaim}\" could not be converted to string");
        if (JwtClaimMatch.Check(role.BoundClaims, role.BoundClaimsType, claims) is string mismatch)
            return VaultReply.BadRequest("error validating claims: " + mismatch);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (claim, key) in role.ClaimMappings)
            if (claims[claim] is JsonValue v) meta[key] = v.ToString();
        meta["role"] = role.Name;
        VaultToken token = role.Token.Issue(tokens, mount, TokenParams.LoginDisplayName(mount, userName), mount.Path + "/login", meta);
        return new VaultReply { Auth = tokens.AuthBlock(token) };
    }
}
