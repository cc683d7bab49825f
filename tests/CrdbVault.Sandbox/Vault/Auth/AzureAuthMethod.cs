using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// The azure auth method at any mount: config (tenant_id, resource), roles (bound_* and token
/// settings), login {role, jwt, subscription_id, resource_group_name, vm_name | vmss_name | resource_id}.
/// The managed-identity token is verified like Vault's plugin does: Entra's discovery document for the
/// tenant gives the issuer and keys; then issuer, audience (= resource), expiry, not-before (5 min
/// leeway) and the RS256 signature, with go-oidc's words; Vault answers those failures with 500.
/// </summary>
/// <remarks>
/// Real Vault then asks Azure Resource Manager which identities the named VM / scale set / resource
/// has. The double has no ARM: it checks instead that the token's <c>xms_mirid</c> (or <c>xms_az_rid</c>)
/// names that resource in that subscription, which is what a token from the identity double proves.
/// <c>bound_locations</c> cannot be checked without ARM and refuses with Vault's "location is empty".
/// </remarks>
public sealed partial class AzureAuthMethod(VaultMount mount, VaultServices services, TokenStore tokens) : IVaultEngine, IUnauthenticatedPaths
{
    /// <summary>Azure public cloud's authority host, as Vault's default environment has it.</summary>
    public const string AuthorityHost = "https://login.microsoftonline.com/";

    private sealed record Config(string TenantId, string Resource, string Environment, string ClientId, string ClientSecret);
    private sealed record Provider(string Issuer, JwtKeySource Keys);

    private readonly ConcurrentDictionary<string, AzureRole> _roles = new(StringComparer.Ordinal);
    private volatile Config? _config;
    private volatile Provider? _provider;

    public string Type => "azure";

    public bool IsUnauthenticated(string method, string path) => path == "login";

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex Guid();
    [GeneratedRegex(@"^[-\w._()]{1,90}$")]
    private static partial Regex ResourceGroup();
    [GeneratedRegex(@"^[-\w.]{1,64}$")]
    private static partial Regex Name();

    public async Task<VaultReply> HandleAsync(VaultRequest request)
    {
        string[] parts = request.Path.Split('/');
        switch (parts[0])
        {
            case "login" when parts.Length == 1:
                return request.IsWrite ? await LoginAsync(request).ConfigureAwait(false) : VaultReply.UnsupportedOperation();
            case "config" when parts.Length == 1:
                return ConfigPath(request);
            case "role" when parts.Length == 1:
                return request.IsList ? VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation();
            case "role" when parts.Length == 2:
                string name = parts[1].ToLowerInvariant();
                if (request.IsRead) return _roles.TryGetValue(name, out AzureRole? r) ? VaultReply.Ok(r.Read()) : VaultReply.NotFound();
                if (request.IsDelete) { _roles.TryRemove(name, out _); return VaultReply.NoContent(); }
                if (!request.IsWrite) return VaultReply.UnsupportedOperation();
                AzureRole role = new() { Name = name };
                if (_roles.TryGetValue(name, out AzureRole? existing))
                {
                    JsonObject merged = existing.Read();
                    merged.Remove("policies");
                    foreach (var (k, v) in request.Body) merged[k] = v?.DeepClone();
                    role.Apply(merged);
                }
                else role.Apply(request.Body);
                _roles[name] = role;
                return VaultReply.NoContent();
            default:
                return VaultReply.UnsupportedPath();
        }
    }

    private VaultReply ConfigPath(VaultRequest request)
    {
        if (request.IsRead)
        {
            if (_config is not Config c) return VaultReply.NotFound();
            // client_secret is write-only, as in Vault.
            return VaultReply.Ok(new JsonObject
            {
                ["tenant_id"] = c.TenantId,
                ["resource"] = c.Resource,
                ["environment"] = c.Environment,
                ["client_id"] = c.ClientId,
                ["max_retries"] = 3,
                ["max_retry_delay"] = 60,
                ["retry_delay"] = 4,
            });
        }
        if (request.IsDelete) { _config = null; _provider = null; return VaultReply.NoContent(); }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        Config? old = _config;
        JsonObject b = request.Body;
        _config = new Config(
            BodyReader.String(b, "tenant_id") ?? old?.TenantId ?? "",
            BodyReader.String(b, "resource") ?? old?.Resource ?? "",
            BodyReader.String(b, "environment") ?? old?.Environment ?? "",
            BodyReader.String(b, "client_id") ?? old?.ClientId ?? "",
            BodyReader.String(b, "client_secret") ?? old?.ClientSecret ?? "");
        _provider = null; // the next login reads the tenant's discovery document again
        return VaultReply.NoContent();
    }

    private async Task<VaultReply> LoginAsync(VaultRequest request)
    {
        JsonObject body = request.Body;
        string jwt = BodyReader.String(body, "jwt") ?? "";
        if (jwt.Length == 0) return VaultReply.BadRequest("jwt is required");
        string roleName = BodyReader.String(body, "role") ?? "";
        if (roleName.Length == 0) return VaultReply.BadRequest("role is required");
        if (!_roles.TryGetValue(roleName.ToLowerInvariant(), out AzureRole? role)) return VaultReply.BadRequest($"invalid role name \"{roleName}\"");

        string subscription = BodyReader.String(body, "subscription_id") ?? "";
        string group = BodyReader.String(body, "resource_group_name") ?? "";
        string vmss = BodyReader.String(body, "vmss_name") ?? "";
        string vm = BodyReader.String(body, "vm_name") ?? "";
        string resourceId = BodyReader.String(body, "resource_id") ?? "";
        if (subscription.Length > 0 && !Guid().IsMatch(subscription)) return VaultReply.BadRequest($"invalid subscription id \"{subscription}\"");
        if (group.Length > 0 && !ResourceGroup().IsMatch(group)) return VaultReply.BadRequest($"invalid resource group name \"{group}\"");
        if (vmss.Length > 0 && !Name().IsMatch(vmss)) return VaultReply.BadRequest($"invalid vmss_name \"{vmss}\"");
        if (vm.Length > 0 && !Name().IsMatch(vm)) return VaultReply.BadRequest($"invalid vm name \"{vm}\"");

        Config config = _config ?? new Config("", "", "", "", "");
        if (config.TenantId.Length == 0) return Failed("tenant_id is required");
        if (config.Resource.Length == 0) return Failed("resource is required");
        Provider provider;
        try { provider = _provider ??= await DiscoverAsync(config, request.Cancellation).ConfigureAwait(false); }
        catch (JwtKeySourceException ex) { return Failed(ex.Message); }

        JsonObject claims;
        try { claims = JwtSignature.Claims(jwt); }
        catch (FormatException ex) { return Failed("oidc: " + ex.Message); }
        if (await VerifyTokenAsync(jwt, claims, config, provider, request.Cancellation).ConfigureAwait(false) is string invalid) return Failed(invalid);
        if (CheckRole(claims, role) is string denied) return Failed(denied);
        if (role.BindsResource && CheckResource(claims, role, subscription, group, vm, vmss, resourceId) is string refused) return Failed(refused);

        string objectId = JwtSignature.String(claims, "oid") ?? "";
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["role"] = role.Name,
            ["resource_group_name"] = group,
            ["subscription_id"] = subscription,
        };
        if (vm.Length > 0) meta["vm_name"] = vm;
        if (vmss.Length > 0) meta["vmss_name"] = vmss;
        if (resourceId.Length > 0) meta["resource_id"] = resourceId;
        if (JwtSignature.String(claims, "appid") is { Length: > 0 } appId) meta["app_id"] = appId;
        VaultToken token = role.Token.Issue(tokens, mount, TokenParams.LoginDisplayName(mount, objectId), mount.Path + "/login", meta);
        return new VaultReply { Auth = tokens.AuthBlock(token) };
    }

    /// <summary>Plugin errors that are not "logical" responses reach the client as 500 with the bare message.</summary>
    private static VaultReply Failed(string message) => VaultReply.Error(500, message);

    private async Task<Provider> DiscoverAsync(Config config, CancellationToken ct)
    {
        // Entra's discovery endpoint is not the issuer: the document names the issuer (sts.windows.net for
        // managed-identity tokens) and the keys.
        string url = AuthorityHost + config.TenantId + "/.well-known/openid-configuration";
        (string issuer, string jwks) = await JwtKeySource.ReadDiscoveryAsync(services.Outbound, url, ct).ConfigureAwait(false);
        return new Provider(issuer, JwtKeySource.FromJwksUrl(jwks));
    }

    /// <summary>go-oidc's verifier, in its order: issuer, audience, expiry, not-before (5 min leeway), algorithm, signature.</summary>
    private async Task<string?> VerifyTokenAsync(string jwt, JsonObject claims, Config config, Provider provider, CancellationToken ct)
    {
        string iss = JwtSignature.String(claims, "iss") ?? "";
        if (iss != provider.Issuer) return $"oidc: id token issued by a different provider, expected \"{provider.Issuer}\" got \"{iss}\"";
        List<string> aud = JwtSignature.Audiences(claims);
        if (!aud.Contains(config.Resource))
            return $"oidc: expected audience \"{config.Resource}\" got [{string.Join(' ', aud.Select(a => $"\"{a}\""))}]";
        DateTimeOffset now = services.Clock.GetUtcNow();
        if (JwtSignature.Seconds(claims, "exp") is long exp && DateTimeOffset.FromUnixTimeSeconds(exp) < now)
            return $"oidc: token is expired (Token Expiry: {GoTime(exp)})";
        if (JwtSignature.Seconds(claims, "nbf") is long nbf && now + TimeSpan.FromMinutes(5) < DateTimeOffset.FromUnixTimeSeconds(nbf))
            return $"oidc: current time {GoTime(now.ToUnixTimeSeconds())} before the nbf (not before) time: {GoTime(nbf)}";
        string alg = JwtSignature.Header(jwt).Alg;
        if (alg != "RS256") return $"oidc: id token signed with unsupported algorithm, expected [\"RS256\"] got \"{alg}\"";
        if (!await provider.Keys.VerifiesAsync(jwt, services.Outbound, ct).ConfigureAwait(false))
            return "failed to verify signature: failed to verify id token signature";
        return null;
    }

    private string? CheckRole(JsonObject claims, AzureRole role)
    {
        if (JwtSignature.Seconds(claims, "nbf") is long nbf && DateTimeOffset.FromUnixTimeSeconds(nbf) > services.Clock.GetUtcNow())
            return $"token is not yet valid (Token Not Before: {GoTime(nbf)})";
        bool spWildcard = role.BoundServicePrincipalIds is ["*"], groupWildcard = role.BoundGroupIds is ["*"];
        if ((spWildcard && groupWildcard) || (role.BoundServicePrincipalIds.Count == 0 && role.BoundGroupIds.Count == 0))
            return "expected specific bound_group_ids or bound_service_principal_ids; both cannot be empty or '*'";
        string oid = JwtSignature.String(claims, "oid") ?? "";
        if (!spWildcard && role.BoundServicePrincipalIds.Count > 0 && !role.BoundServicePrincipalIds.Contains(oid))
            return $"service principal not authorized: {oid}";
        if (!groupWildcard && role.BoundGroupIds.Count > 0)
        {
            List<string> groups = claims["groups"] is JsonArray a ? [.. a.Select(g => g?.ToString() ?? "")] : [];
            if (!groups.Any(role.BoundGroupIds.Contains)) return $"groups not authorized: [{string.Join(' ', groups)}]";
        }
        return null;
    }

    private static string? CheckResource(JsonObject claims, AzureRole role, string subscription, string group, string vm, string vmss, string resourceId)
    {
        if (subscription.Length == 0 || group.Length == 0) return "subscription_id and resource_group_name are required";
        string mirid = JwtSignature.String(claims, "xms_mirid") ?? "";
        string azRid = JwtSignature.String(claims, "xms_az_rid") ?? "";
        string subscriptionPart = $"/subscriptions/{subscription}/";
        if (vmss.Length > 0)
        {
            if (XmsMismatch(mirid, azRid, "/virtualMachines/" + vmss + "_", "vmss_name", vmss) is string flexible
                && XmsMismatch(mirid, azRid, "/virtualMachineScaleSets/" + vmss, "vmss_name", vmss) is string uniform)
                return $"failed to verify flexible vmss claim: {flexible}\nfailed to verify uniform vmss claim: {uniform}";
            if (!Contains(mirid, subscriptionPart) && !Contains(azRid, subscriptionPart))
                return $"unable to retrieve virtual machine scale set metadata: scale set {vmss} not found in subscription {subscription}";
            if (role.BoundScaleSets.Count > 0 && !role.BoundScaleSets.Contains(vmss)) return "scale set not authorized";
        }
        else if (vm.Length > 0)
        {
            if (XmsMismatch(mirid, azRid, "/virtualMachines/" + vm, "vm_name", vm) is string mismatch) return mismatch;
            if (!Contains(mirid, subscriptionPart) && !Contains(azRid, subscriptionPart))
                return $"unable to retrieve virtual machine metadata: virtual machine {vm} not found in subscription {subscription}";
            if (role.BoundScaleSets.Count > 0) return "bound scale set defined but this vm isn't in a scale set";
        }
        else if (resourceId.Length > 0)
        {
            if (role.BoundScaleSets.Count > 0) return "scale set requires the vmss_name field to be set";
            // Stand-in for ARM's list of the resource's identities: the token must be that resource's.
            if (!string.Equals(resourceId, mirid, StringComparison.OrdinalIgnoreCase) && !string.Equals(resourceId, azRid, StringComparison.OrdinalIgnoreCase))
                return "neither token object id nor token app id match expected identities";
        }
        else if (JwtSignature.String(claims, "appid") is not { Length: > 0 })
            return "one of vm_name, vmss_name, resource_id, or an appid JWT claim must be provided";

        if (vm.Length == 0 && vmss.Length == 0)
        {
            if (!Contains(resourceId, $"/resourcegroups/{group}")) return "provided resource_id does not match resource_group_name";
        }
        else if (XmsMismatch(mirid, azRid, "/resourcegroups/" + group, "resource_group_name", group) is string rg) return rg;

        if (role.BoundSubscriptionIds.Count > 0 && !role.BoundSubscriptionIds.Contains(subscription)) return "subscription not authorized";
        if (role.BoundResourceGroups.Count > 0 && !role.BoundResourceGroups.Contains(group)) return "resource group not authorized";
        if (role.BoundLocations.Count > 0) return "location is empty";
        return null;
    }

    /// <summary>Null when xms_az_rid or xms_mirid contains the pattern (ignoring case), else Vault's joined reasons.</summary>
    private static string? XmsMismatch(string mirid, string azRid, string pattern, string key, string value)
    {
        if (mirid.Length == 0 && azRid.Length == 0) return "xms_az_rid and xms_mirid claims are missing from token";
        var errors = new List<string>();
        if (azRid.Length > 0)
        {
            if (Contains(azRid, pattern)) return null;
            errors.Add($"xms_az_rid token claim does not match {key} {value}");
        }
        if (Contains(mirid, pattern)) return null;
        errors.Add($"xms_mirid token claim does not match {key} {value}");
        return string.Join('\n', errors);
    }

    private static bool Contains(string text, string part) => text.Contains(part, StringComparison.OrdinalIgnoreCase);

    /// <summary>Go's time.Time String() in UTC, as Vault's messages print times.</summary>
    private static string GoTime(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC";
}
