using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// AppRole at any mount: roles with token settings, role-id, secret-id (with use count and TTL),
/// and login (role_id + secret_id → token with display name "approle" and metadata role_name).
/// </summary>
public sealed class AppRoleAuthMethod(VaultMount mount, VaultServices services, TokenStore tokens) : IVaultEngine, IUnauthenticatedPaths
{
    private sealed class Role
    {
        public required string Name { get; init; }
        public string RoleId { get; set; } = Guid.NewGuid().ToString();
        public TokenParams Token { get; } = new();
        public int SecretIdNumUses { get; set; }
        public TimeSpan SecretIdTtl { get; set; }
        public bool BindSecretId { get; set; } = true;
        public ConcurrentDictionary<string, SecretId> SecretIds { get; } = new(StringComparer.Ordinal);
    }

    private sealed class SecretId
    {
        public required string Accessor { get; init; }
        public DateTimeOffset? Expires { get; init; }
        /// <summary>0 = unlimited.</summary>
        public int UsesLeft { get; set; }
        public Dictionary<string, string> Metadata { get; init; } = [];
    }

    private readonly ConcurrentDictionary<string, Role> _roles = new(StringComparer.Ordinal);

    public string Type => "approle";

    public bool IsUnauthenticated(string method, string path) => path == "login";

    public Task<VaultReply> HandleAsync(VaultRequest request) => Task.FromResult(Handle(request));

    private VaultReply Handle(VaultRequest request)
    {
        string[] parts = request.Path.Split('/');
        if (request.Path == "login") return request.IsWrite ? Login(request) : VaultReply.UnsupportedOperation();
        if (parts[0] != "role") return VaultReply.UnsupportedPath();
        if (parts.Length == 1) return request.IsList ? VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation();

        string name = parts[1].ToLowerInvariant();
        string sub = string.Join('/', parts.Skip(2));
        _roles.TryGetValue(name, out Role? role);
        switch (sub)
        {
            case "" when request.IsWrite: return WriteRole(name, role, request.Body);
            case "" when request.IsRead: return role is null ? VaultReply.NotFound() : VaultReply.Ok(ReadRole(role));
            case "" when request.IsDelete: _roles.TryRemove(name, out _); return VaultReply.NoContent();
            case "role-id" when request.IsRead:
                return role is null ? VaultReply.NotFound() : VaultReply.Ok(new JsonObject { ["role_id"] = role.RoleId });
            case "role-id" when request.IsWrite:
                if (role is null) return VaultReply.BadRequest($"role \"{name}\" does not exist");
                role.RoleId = BodyReader.String(request.Body, "role_id") ?? role.RoleId;
                return VaultReply.NoContent();
            case "secret-id" when request.IsWrite:
                return role is null ? VaultReply.BadRequest($"role \"{name}\" does not exist") : NewSecretId(role, request.Body);
            case "secret-id" when request.IsList:
                return role is null ? VaultReply.NotFound() : VaultReply.Keys(role.SecretIds.Values.Select(s => s.Accessor).Order(StringComparer.Ordinal));
            default: return VaultReply.UnsupportedPath();
        }
    }

    private VaultReply WriteRole(string name, Role? existing, JsonObject body)
    {
        Role role = existing ?? new Role { Name = name };
        role.Token.Parse(body);
        role.SecretIdNumUses = BodyReader.Int(body, "secret_id_num_uses", role.SecretIdNumUses);
        role.SecretIdTtl = BodyReader.Duration(body, "secret_id_ttl", role.SecretIdTtl);
        role.BindSecretId = BodyReader.Bool(body, "bind_secret_id", role.BindSecretId);
        if (role.Token.TtlExceedsMax)
            return VaultReply.BadRequest("token_ttl should not be greater than token_max_ttl");
        if (!role.BindSecretId) return VaultReply.BadRequest("at least one constraint should be enabled on the role");
        _roles[name] = role;
        return VaultReply.NoContent();
    }

    private static JsonObject ReadRole(Role r)
    {
        var data = new JsonObject
        {
            ["bind_secret_id"] = r.BindSecretId,
            ["secret_id_bound_cidrs"] = null,
            ["secret_id_num_uses"] = r.SecretIdNumUses,
            ["secret_id_ttl"] = VaultDurations.Seconds(r.SecretIdTtl),
            ["local_secret_ids"] = false,
        };
        r.Token.WriteTo(data);
        return data;
    }

    private VaultReply NewSecretId(Role role, JsonObject body)
    {
        string secret = Guid.NewGuid().ToString();
        var meta = new Dictionary<string, string>();
        if (BodyReader.String(body, "metadata") is string m && m.TrimStart().StartsWith('{') && JsonNode.Parse(m) is JsonObject mo)
            foreach (var (k, v) in mo) meta[k] = v?.ToString() ?? "";
        var entry = new SecretId
        {
            Accessor = Guid.NewGuid().ToString(),
            Expires = role.SecretIdTtl > TimeSpan.Zero ? services.Clock.GetUtcNow() + role.SecretIdTtl : null,
            UsesLeft = BodyReader.Int(body, "num_uses", role.SecretIdNumUses),
            Metadata = meta,
        };
        role.SecretIds[secret] = entry;
        return VaultReply.Ok(new JsonObject
        {
            ["secret_id"] = secret,
            ["secret_id_accessor"] = entry.Accessor,
            ["secret_id_ttl"] = VaultDurations.Seconds(role.SecretIdTtl),
            ["secret_id_num_uses"] = entry.UsesLeft,
        });
    }

    private VaultReply Login(VaultRequest request)
    {
        string roleId = BodyReader.String(request.Body, "role_id") ?? "";
        if (roleId.Length == 0) return VaultReply.BadRequest("missing role_id");
        Role? role = _roles.Values.FirstOrDefault(r => r.RoleId == roleId);
        if (role is null) return VaultReply.BadRequest("invalid role or secret ID");

        if (role.BindSecretId)
        {
            string secret = BodyReader.String(request.Body, "secret_id") ?? "";
            if (secret.Length == 0) return VaultReply.BadRequest("missing secret_id");
            if (!role.SecretIds.TryGetValue(secret, out SecretId? entry)) return VaultReply.BadRequest("invalid role or secret ID");
            lock (entry)
            {
                if (entry.Expires is DateTimeOffset e && e <= services.Clock.GetUtcNow())
                {
                    role.SecretIds.TryRemove(secret, out _);
                    return VaultReply.BadRequest("invalid role or secret ID");
                }
                if (entry.UsesLeft > 0 && --entry.UsesLeft == 0) role.SecretIds.TryRemove(secret, out _);
            }
        }

        // The double has always named AppRole tokens "approle" whatever the mount (AuthMethodTests checks it);
        // real Vault derives it from the mount path, as TokenParams.LoginDisplayName does for the other methods.
        VaultToken token = role.Token.Issue(tokens, mount, "approle", mount.Path + "/login",
            new Dictionary<string, string> { ["role_name"] = role.Name });
        return new VaultReply { Auth = tokens.AuthBlock(token) };
    }
}
