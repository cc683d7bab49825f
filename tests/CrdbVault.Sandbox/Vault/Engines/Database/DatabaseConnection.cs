using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using Npgsql;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>
/// One <c>database/config/:name</c>: the stored settings (the root password never leaves), and a
/// lazily opened pool to PostgreSQL built from the templated connection_url.
/// </summary>
public sealed class DatabaseConnection : IAsyncDisposable
{
    public const string PostgresPlugin = "postgresql-database-plugin";

    public required string Name { get; init; }
    public string PluginName { get; set; } = PostgresPlugin;
    public string PluginVersion { get; set; } = "";
    public string ConnectionUrl { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public List<string> AllowedRoles { get; set; } = [];
    public bool VerifyConnection { get; set; } = true;
    public List<string> RootRotationStatements { get; set; } = [];
    public string PasswordPolicy { get; set; } = "";
    public UsernameTemplate? UsernameTemplate { get; set; }
    public bool DisableEscaping { get; set; }
    public int MaxOpenConnections { get; set; } = 4;
    public int MaxIdleConnections { get; set; }
    public string MaxConnectionLifetime { get; set; } = "0s";
    public string PasswordAuthentication { get; set; } = "password";

    private NpgsqlDataSource? _dataSource;
    private readonly object _gate = new();

    /// <summary>Whether <paramref name="role"/> may use this connection ("*" or a glob match; empty = none).</summary>
    public bool Allows(string role) => AllowedRoles.Any(pattern => pattern == "*" || Glob(pattern, role));

    private static bool Glob(string pattern, string value)
    {
        if (!pattern.Contains('*')) return pattern == value;
        string[] parts = pattern.Split('*');
        if (!value.StartsWith(parts[0], StringComparison.Ordinal) || !value.EndsWith(parts[^1], StringComparison.Ordinal)) return false;
        int pos = parts[0].Length;
        foreach (string middle in parts[1..^1])
        {
            int found = value.IndexOf(middle, pos, StringComparison.Ordinal);
            if (found < 0) return false;
            pos = found + middle.Length;
        }
        return pos <= value.Length - parts[^1].Length;
    }

    /// <summary>The connection_url with {{username}}/{{password}}/{{name}} filled in (URL-escaped unless disable_escaping).</summary>
    public string RenderedUrl()
    {
        string user = DisableEscaping ? Username : Uri.EscapeDataString(Username);
        string pass = DisableEscaping ? Password : Uri.EscapeDataString(Password);
        return ConnectionUrl.Replace("{{username}}", user).Replace("{{name}}", user).Replace("{{password}}", pass);
    }

    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        NpgsqlDataSource source;
        lock (_gate) source = _dataSource ??= NpgsqlDataSource.Create(PostgresConnectionUrl.ToNpgsql(RenderedUrl(), MaxOpenConnections).ConnectionString);
        return await source.OpenConnectionAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Opens one unpooled connection to prove the settings work (verify_connection).</summary>
    public async Task VerifyAsync(CancellationToken ct)
    {
        var builder = PostgresConnectionUrl.ToNpgsql(RenderedUrl(), 1);
        builder.Pooling = false;
        await using var conn = new NpgsqlConnection(builder.ConnectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Drops the pool so the next use reconnects with the current settings (reset, rotate-root).</summary>
    public async Task ResetAsync()
    {
        NpgsqlDataSource? old;
        lock (_gate) { old = _dataSource; _dataSource = null; }
        if (old is not null) await old.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(ResetAsync());

    /// <summary>The read shape (docs/vault-notes.md#database-secrets-engine): password omitted, plugin settings under connection_details.</summary>
    public JsonObject ToJson() => new()
    {
        ["allowed_roles"] = new JsonArray([.. AllowedRoles.Select(r => (JsonNode?)r)]),
        ["connection_details"] = new JsonObject
        {
            ["connection_url"] = ConnectionUrl,
            ["username"] = Username,
            ["max_open_connections"] = MaxOpenConnections,
            ["max_idle_connections"] = MaxIdleConnections,
            ["max_connection_lifetime"] = MaxConnectionLifetime,
            ["username_template"] = UsernameTemplate?.Text ?? "",
            ["disable_escaping"] = DisableEscaping,
            ["password_authentication"] = PasswordAuthentication,
        },
        ["password_policy"] = PasswordPolicy,
        ["plugin_name"] = PluginName,
        ["plugin_version"] = PluginVersion,
        ["root_credentials_rotate_statements"] = new JsonArray([.. RootRotationStatements.Select(s => (JsonNode?)s)]),
        ["verify_connection"] = VerifyConnection,
        ["skip_static_role_import_rotation"] = false,
    };

    /// <summary>Applies a write body over the current values (Vault merges updates into the stored config).</summary>
    public void Apply(JsonObject body, TimeProvider clock)
    {
        if (BodyReader.String(body, "plugin_name") is string plugin) PluginName = plugin;
        if (BodyReader.String(body, "plugin_version") is string version) PluginVersion = version;
        if (BodyReader.String(body, "connection_url") is string url) ConnectionUrl = url;
        if (BodyReader.String(body, "username") is string user) Username = user;
        if (BodyReader.String(body, "password") is string password) Password = password;
        if (BodyReader.Has(body, "allowed_roles")) AllowedRoles = BodyReader.List(body, "allowed_roles");
        VerifyConnection = BodyReader.Bool(body, "verify_connection", true);
        if (BodyReader.Has(body, "root_rotation_statements")) RootRotationStatements = BodyReader.Statements(body, "root_rotation_statements");
        if (BodyReader.String(body, "password_policy") is string policy) PasswordPolicy = policy;
        DisableEscaping = BodyReader.Bool(body, "disable_escaping", DisableEscaping);
        MaxOpenConnections = BodyReader.Int(body, "max_open_connections", MaxOpenConnections);
        MaxIdleConnections = BodyReader.Int(body, "max_idle_connections", MaxIdleConnections);
        if (BodyReader.String(body, "max_connection_lifetime") is string lifetime) MaxConnectionLifetime = lifetime;
        if (BodyReader.String(body, "password_authentication") is string auth)
        {
            if (auth is not ("password" or "scram-sha-256")) throw new VaultInputException($"error creating database object: invalid password_authentication \"{auth}\"");
            PasswordAuthentication = auth;
        }
        if (BodyReader.String(body, "username_template") is string template)
        {
            try { UsernameTemplate = template.Length == 0 ? null : UsernameTemplate.Parse(template, clock); }
            catch (FormatException ex) { throw new VaultInputException("error creating database object: unable to initialize username template: " + ex.Message); }
        }
    }
}
