using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>userpass at any mount: users/:name (password, token_policies, TTLs) and login/:name.</summary>
public sealed class UserpassAuthMethod(VaultMount mount, TokenStore tokens) : IVaultEngine, IUnauthenticatedPaths
{
    private sealed class User
    {
        public required string Name { get; init; }
        public required byte[] PasswordHash { get; init; }
        public required TokenParams Token { get; init; }
    }

    private readonly ConcurrentDictionary<string, User> _users = new(StringComparer.Ordinal);

    public string Type => "userpass";

    public bool IsUnauthenticated(string method, string path) => path.StartsWith("login/", StringComparison.Ordinal);

    public Task<VaultReply> HandleAsync(VaultRequest request) => Task.FromResult(Handle(request));

    private VaultReply Handle(VaultRequest request)
    {
        string[] parts = request.Path.Split('/');
        if (parts[0] == "login" && parts.Length == 2) return request.IsWrite ? Login(parts[1].ToLowerInvariant(), request) : VaultReply.UnsupportedOperation();
        if (parts[0] != "users") return VaultReply.UnsupportedPath();
        if (parts.Length == 1) return request.IsList ? VaultReply.Keys(_users.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation();
        if (parts.Length != 2) return VaultReply.UnsupportedPath();

        string name = parts[1].ToLowerInvariant();
        if (request.IsDelete) { _users.TryRemove(name, out _); return VaultReply.NoContent(); }
        if (request.IsRead)
        {
            if (!_users.TryGetValue(name, out User? u)) return VaultReply.NotFound();
            var data = new JsonObject();
            u.Token.WriteTo(data);
            return VaultReply.Ok(data);
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        _users.TryGetValue(name, out User? existing);
        string? password = BodyReader.String(request.Body, "password");
        if (existing is null && string.IsNullOrEmpty(password)) return VaultReply.BadRequest("missing password");
        TokenParams token = existing?.Token.Copy() ?? new TokenParams();
        token.Parse(request.Body);
        if (token.TtlExceedsMax) return VaultReply.BadRequest("ttl cannot be greater than max_ttl");
        _users[name] = new User { Name = name, PasswordHash = password is null ? existing!.PasswordHash : Hash(password), Token = token };
        return VaultReply.NoContent();
    }

    private VaultReply Login(string name, VaultRequest request)
    {
        string password = BodyReader.String(request.Body, "password") ?? "";
        if (!_users.TryGetValue(name, out User? user) || !CryptographicOperations.FixedTimeEquals(user.PasswordHash, Hash(password)))
            return VaultReply.BadRequest("invalid username or password");
        VaultToken token = user.Token.Issue(tokens, mount, TokenParams.LoginDisplayName(mount, name), mount.Path + "/login/" + name,
            new Dictionary<string, string> { ["username"] = name });
        return new VaultReply { Auth = tokens.AuthBlock(token) };
    }

    private static byte[] Hash(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));
}
