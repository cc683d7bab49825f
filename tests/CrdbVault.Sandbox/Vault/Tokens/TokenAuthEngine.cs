using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Tokens;

/// <summary>
/// The auth/token mount: create, lookup(-self), renew(-self), revoke(-self), by accessor too.
/// </summary>
public sealed partial class TokenAuthEngine(VaultCore core) : IVaultEngine
{
    public string Type => "token";

    [GeneratedRegex("[^a-zA-Z0-9-]")]
    private static partial Regex DisplayNameUnsafe();

    /// <summary>Vault's display name for created tokens: "token-" + name, unsafe characters as '-'.</summary>
    public static string DisplayNameFor(string name)
    {
        if (string.IsNullOrEmpty(name)) return "token";
        return DisplayNameUnsafe().Replace("token-" + name, "-").TrimEnd('-');
    }

    public async Task<VaultReply> HandleAsync(VaultRequest request)
    {
        TokenStore tokens = core.Tokens;
        VaultToken caller = request.Token!;
        switch (request.Path)
        {
            case "create" or "create-orphan" when request.IsWrite:
                return Create(request, caller, orphan: request.Path == "create-orphan" || BodyReader.Bool(request.Body, "no_parent", false));

            case "lookup-self" when request.IsRead || request.IsWrite:
                return VaultReply.Ok(tokens.LookupData(caller));

            case "lookup" when request.IsWrite || request.IsRead:
            {
                string? id = BodyReader.String(request.Body, "token") ?? request.Query.GetValueOrDefault("token");
                if (string.IsNullOrEmpty(id)) return VaultReply.BadRequest("missing token to lookup");
                return tokens.Lookup(id) is VaultToken t ? VaultReply.Ok(tokens.LookupData(t)) : VaultReply.Error(403, "bad token");
            }
            case "lookup-accessor" when request.IsWrite:
            {
                VaultToken? t = tokens.LookupAccessor(BodyReader.String(request.Body, "accessor"));
                if (t is null) return VaultReply.BadRequest("invalid accessor");
                JsonObject data = tokens.LookupData(t);
                data["id"] = ""; // lookups by accessor never reveal the token
                return VaultReply.Ok(data);
            }
            case "renew-self" when request.IsWrite:
                return Renew(caller, request);

            case "renew" when request.IsWrite:
            {
                VaultToken? t = tokens.Lookup(BodyReader.String(request.Body, "token"));
                return t is null ? VaultReply.BadRequest("invalid token") : Renew(t, request);
            }
            case "revoke-self" when request.IsWrite:
                await tokens.RevokeAsync(caller).ConfigureAwait(false);
                return VaultReply.NoContent();

            case "revoke" when request.IsWrite:
            {
                if (tokens.Lookup(BodyReader.String(request.Body, "token")) is VaultToken t) await tokens.RevokeAsync(t).ConfigureAwait(false);
                return VaultReply.NoContent();
            }
            case "revoke-accessor" when request.IsWrite:
            {
                if (tokens.LookupAccessor(BodyReader.String(request.Body, "accessor")) is VaultToken t) await tokens.RevokeAsync(t).ConfigureAwait(false);
                return VaultReply.NoContent();
            }
            case "create" or "create-orphan" or "lookup-self" or "lookup" or "lookup-accessor" or "renew-self" or "renew" or "revoke-self" or "revoke" or "revoke-accessor":
                return VaultReply.UnsupportedOperation();
            default:
                return VaultReply.UnsupportedPath();
        }
    }

    private VaultReply Create(VaultRequest request, VaultToken caller, bool orphan)
    {
        List<string> policies = BodyReader.List(request.Body, "policies");
        if (policies.Count == 0) policies = [.. caller.TokenPolicies.Where(p => p != "default")];
        // A non-root caller can only hand out policies it has itself (Vault: "child policies must be subset of parent").
        if (!caller.IsRoot && policies.Any(p => !caller.Policies.Contains(p.ToLowerInvariant())))
            return VaultReply.BadRequest("child policies must be subset of parent");

        TimeSpan ttl = BodyReader.Duration(request.Body, "ttl", TimeSpan.Zero);
        if (ttl == TimeSpan.Zero) ttl = BodyReader.Duration(request.Body, "lease", TimeSpan.Zero);
        // A child never outlives a parent that expires (Vault caps children at the parent's remaining TTL).
        if (!orphan && caller.ExpireTime is DateTimeOffset parentExpiry)
        {
            TimeSpan left = parentExpiry - core.Clock.GetUtcNow();
            if (ttl == TimeSpan.Zero || ttl > left) ttl = left;
        }
        var meta = new Dictionary<string, string>();
        if (request.Body["meta"] is JsonObject m)
            foreach (var (k, v) in m) meta[k] = v?.ToString() ?? "";

        VaultToken token = core.Tokens.Create(new TokenSpec
        {
            Policies = policies,
            NoDefaultPolicy = BodyReader.Bool(request.Body, "no_default_policy", false),
            Ttl = ttl,
            ExplicitMaxTtl = BodyReader.Duration(request.Body, "explicit_max_ttl", TimeSpan.Zero),
            Period = BodyReader.Duration(request.Body, "period", TimeSpan.Zero),
            Renewable = BodyReader.Bool(request.Body, "renewable", true),
            DisplayName = DisplayNameFor(BodyReader.String(request.Body, "display_name") ?? ""),
            Path = "auth/token/" + request.Path,
            Meta = meta,
            Parent = caller,
            Orphan = orphan,
        });
        return new VaultReply { Auth = core.Tokens.AuthBlock(token) };
    }

    private VaultReply Renew(VaultToken token, VaultRequest request)
    {
        TimeSpan increment = BodyReader.Duration(request.Body, "increment", TimeSpan.Zero);
        var (ttl, warnings) = core.Tokens.Renew(token, increment);
        return new VaultReply { Auth = core.Tokens.AuthBlock(token, ttl), Warnings = warnings };
    }
}
