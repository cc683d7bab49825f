using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// The ldap auth method at any mount, over a small in-memory directory instead of an LDAP server:
/// config (url, userdn, groupdn, … and the token settings, which Vault keeps in the LDAP config),
/// groups/:name {policies}, users/:name {groups, policies}, login/:user {password}. A login's
/// policies are the config's token policies, those of the user's groups (directory groups and the
/// Vault-local ones of users/:name) and the user's own, as in Vault.
/// </summary>
/// <remarks>
/// The directory is filled from C# (<see cref="AddDirectoryUser"/>) or over HTTP with a field real
/// Vault does not have: <c>password</c> on <c>users/:name</c> creates or updates that user's
/// directory entry. A real client never sends it, so the Vault-shaped API stays as it is.
/// </remarks>
public sealed class LdapAuthMethod(VaultMount mount, TokenStore tokens) : IVaultEngine, IUnauthenticatedPaths
{
    private sealed record DirectoryEntry(byte[] PasswordHash, IReadOnlyList<string> Groups);
    private sealed record LocalUser(List<string> Groups, List<string> Policies);

    private readonly ConcurrentDictionary<string, DirectoryEntry> _directory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LocalUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<string>> _groups = new(StringComparer.Ordinal);
    private readonly TokenParams _token = new();
    private volatile JsonObject? _config;
    private bool _denyNullBind = true;

    public string Type => "ldap";

    public bool IsUnauthenticated(string method, string path) => path.StartsWith("login/", StringComparison.Ordinal);

    /// <summary>Adds or replaces a directory entry (names are case-insensitive, as with case_sensitive_names=false).</summary>
    public void AddDirectoryUser(string name, string password, params string[] groups) =>
        _directory[name.ToLowerInvariant()] = new DirectoryEntry(Hash(password), [.. groups.Select(g => g.ToLowerInvariant())]);

    public Task<VaultReply> HandleAsync(VaultRequest request) => Task.FromResult(Handle(request));

    private VaultReply Handle(VaultRequest request)
    {
        string[] parts = request.Path.Split('/');
        switch (parts[0])
        {
            case "login" when parts.Length == 2:
                return request.IsWrite ? Login(parts[1].ToLowerInvariant(), request.Body) : VaultReply.UnsupportedOperation();
            case "config" when parts.Length == 1:
                return Config(request);
            case "users" or "groups" when parts.Length == 1:
                if (!request.IsList) return VaultReply.UnsupportedOperation();
                return VaultReply.Keys((parts[0] == "users" ? _users.Keys : _groups.Keys).Order(StringComparer.Ordinal));
            case "users" when parts.Length == 2:
                return User(request, parts[1].ToLowerInvariant());
            case "groups" when parts.Length == 2:
                return Group(request, parts[1].ToLowerInvariant());
            default:
                return VaultReply.UnsupportedPath();
        }
    }

    private VaultReply Config(VaultRequest request)
    {
        if (request.IsRead)
        {
            if (_config is not JsonObject stored) return VaultReply.NotFound();
            var data = (JsonObject)stored.DeepClone();
            data.Remove("bindpass"); // write-only, as in Vault
            data["deny_null_bind"] = _denyNullBind;
            _token.WriteTo(data);
            return VaultReply.Ok(data);
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        var config = (JsonObject?)_config?.DeepClone() ?? new JsonObject
        {
            ["url"] = "ldap://127.0.0.1",
            ["userdn"] = "",
            ["groupdn"] = "",
            ["userattr"] = "cn",
            ["groupattr"] = "cn",
            ["binddn"] = "",
            ["case_sensitive_names"] = false,
        };
        foreach (string key in new[] { "url", "userdn", "groupdn", "userattr", "groupattr", "groupfilter", "binddn", "bindpass", "upndomain", "certificate", "starttls", "insecure_tls" })
            if (request.Body.ContainsKey(key)) config[key] = request.Body[key]?.DeepClone();
        _denyNullBind = BodyReader.Bool(request.Body, "deny_null_bind", _denyNullBind);
        _token.Parse(request.Body);
        _config = config;
        return VaultReply.NoContent();
    }

    private VaultReply User(VaultRequest request, string name)
    {
        if (request.IsDelete) { _users.TryRemove(name, out _); return VaultReply.NoContent(); }
        if (request.IsRead)
        {
            if (!_users.TryGetValue(name, out LocalUser? u)) return VaultReply.NotFound();
            return VaultReply.Ok(new JsonObject { ["groups"] = string.Join(',', u.Groups), ["policies"] = Array(u.Policies) });
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        _users.TryGetValue(name, out LocalUser? existing);
        _users[name] = new LocalUser(
            BodyReader.Has(request.Body, "groups") ? [.. BodyReader.List(request.Body, "groups").Select(g => g.ToLowerInvariant())] : existing?.Groups ?? [],
            BodyReader.Has(request.Body, "policies") ? BodyReader.List(request.Body, "policies") : existing?.Policies ?? []);
        if (BodyReader.String(request.Body, "password") is { Length: > 0 } password)
            _directory[name] = new DirectoryEntry(Hash(password), _directory.TryGetValue(name, out DirectoryEntry? d) ? d.Groups : []);
        return VaultReply.NoContent();
    }

    private VaultReply Group(VaultRequest request, string name)
    {
        if (request.IsDelete) { _groups.TryRemove(name, out _); return VaultReply.NoContent(); }
        if (request.IsRead) return _groups.TryGetValue(name, out List<string>? p) ? VaultReply.Ok(new JsonObject { ["policies"] = Array(p) }) : VaultReply.NotFound();
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        _groups[name] = BodyReader.List(request.Body, "policies");
        return VaultReply.NoContent();
    }

    private VaultReply Login(string name, JsonObject body)
    {
        if (_config is null) return VaultReply.BadRequest("ldap backend not configured");
        string password = BodyReader.String(body, "password") ?? "";
        if (_denyNullBind && password.Length == 0)
            return VaultReply.BadRequest("password cannot be of zero length when passwordless binds are being denied");
        // Unknown user and wrong password read the same, as the bind fails the same way.
        if (!_directory.TryGetValue(name, out DirectoryEntry? entry) || !CryptographicOperations.FixedTimeEquals(entry.PasswordHash, Hash(password)))
            return VaultReply.BadRequest("ldap operation failed: failed to bind as user");

        _users.TryGetValue(name, out LocalUser? local);
        IEnumerable<string> groups = (local?.Groups ?? []).Concat(entry.Groups);
        List<string> policies = [.. groups.SelectMany(g => _groups.TryGetValue(g, out List<string>? p) ? p : []), .. local?.Policies ?? []];
        VaultToken token = _token.Issue(tokens, mount, TokenParams.LoginDisplayName(mount, name), mount.Path + "/login/" + name,
            new Dictionary<string, string> { ["username"] = name }, policies);
        return new VaultReply { Auth = tokens.AuthBlock(token) };
    }

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)i)]);

    private static byte[] Hash(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));
}
