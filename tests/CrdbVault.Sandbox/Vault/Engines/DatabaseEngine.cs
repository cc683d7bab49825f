using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Engines.Database;
using Npgsql;

namespace CrdbVault.Sandbox.Vault.Engines;

/// <summary>
/// The database secrets engine with the postgresql-database-plugin: connections (config/),
/// roles (roles/), dynamic credentials (creds/) that create REAL PostgreSQL roles under a lease
/// whose revocation drops them, plus reset/ and rotate-root/, and static roles (static-roles/,
/// static-creds/, rotate-role/) whose REAL passwords it rotates (see <see cref="StaticRoles"/>).
/// </summary>
public sealed class DatabaseEngine : IVaultEngine, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, DatabaseConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DatabaseRole> _roles = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly VaultMount _mount;
    private readonly VaultServices _services;

    public DatabaseEngine(VaultMount mount, VaultServices services)
    {
        _mount = mount;
        _services = services;
        StaticRoles = new StaticRoleRotations(name => _connections.TryGetValue(name, out DatabaseConnection? c) ? c : null,
            services.Clock, services.Options.ExpirySweepInterval);
    }

    /// <summary>Static roles and their rotations; <see cref="StaticRoleRotations.AdvanceClockAsync"/> is the tests' clock hook.</summary>
    public StaticRoleRotations StaticRoles { get; }

    public string Type => "database";

    public async Task<VaultReply> HandleAsync(VaultRequest request)
    {
        string[] parts = request.Path.Split('/', 2);
        string head = parts[0], name = parts.Length > 1 ? parts[1] : "";
        if (name.Contains('/')) return VaultReply.UnsupportedPath();
        return (head, name.Length > 0) switch
        {
            ("config", false) => request.IsList ? VaultReply.Keys(_connections.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation(),
            ("config", true) => await Config(request, name).ConfigureAwait(false),
            ("roles", false) => request.IsList ? VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal)) : VaultReply.UnsupportedOperation(),
            ("roles", true) => Role(request, name),
            ("creds", true) => request.IsRead ? await Creds(request, name).ConfigureAwait(false) : VaultReply.UnsupportedOperation(),
            ("reset", true) => request.IsWrite ? await Reset(name).ConfigureAwait(false) : VaultReply.UnsupportedOperation(),
            ("rotate-root", true) => request.IsWrite ? await RotateRoot(name).ConfigureAwait(false) : VaultReply.UnsupportedOperation(),
            ("static-roles", false) => request.IsList ? VaultReply.Keys(StaticRoles.Names) : VaultReply.UnsupportedOperation(),
            ("static-roles", true) => await StaticRole(request, name).ConfigureAwait(false),
            ("static-creds", true) => request.IsRead ? StaticRoles.Creds(name) : VaultReply.UnsupportedOperation(),
            ("rotate-role", true) => request.IsWrite ? await StaticRoles.RotateNowAsync(name).ConfigureAwait(false) : VaultReply.UnsupportedOperation(),
            _ => VaultReply.UnsupportedPath(),
        };
    }

    private async Task<VaultReply> Config(VaultRequest request, string name)
    {
        if (request.IsRead)
            return _connections.TryGetValue(name, out DatabaseConnection? c) ? VaultReply.Ok(c.ToJson()) : VaultReply.NotFound();
        if (request.IsDelete)
        {
            if (_connections.TryRemove(name, out DatabaseConnection? removed)) await removed.DisposeAsync().ConfigureAwait(false);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();

        await _writes.WaitAsync(request.Cancellation).ConfigureAwait(false);
        try
        {
            _connections.TryGetValue(name, out DatabaseConnection? existing);
            // Build the new settings on a copy so a failed write leaves the stored config untouched.
            var candidate = new DatabaseConnection { Name = name };
            if (existing is not null) CopySettings(existing, candidate);
            candidate.Apply(request.Body, _services.Clock);
            if (candidate.PluginName.Length == 0) return VaultReply.BadRequest("empty plugin name");
            if (candidate.PluginName != DatabaseConnection.PostgresPlugin)
                return VaultReply.BadRequest($"error creating database object: invalid database plugin \"{candidate.PluginName}\": the sandbox runs only \"{DatabaseConnection.PostgresPlugin}\"");
            if (candidate.ConnectionUrl.Length == 0) return VaultReply.BadRequest("error creating database object: connection_url cannot be empty");
            try { PostgresConnectionUrl.ToNpgsql(candidate.RenderedUrl(), 1); }
            catch (Exception ex) when (ex is FormatException or ArgumentException) { return VaultReply.BadRequest("error creating database object: " + ex.Message); }
            if (candidate.VerifyConnection)
            {
                try { await candidate.VerifyAsync(request.Cancellation).ConfigureAwait(false); }
                catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or System.Net.Sockets.SocketException or ArgumentException)
                {
                    return VaultReply.BadRequest("error creating database object: error verifying connection: " + ex.Message);
                }
            }
            _connections[name] = candidate;
            if (existing is not null) await existing.DisposeAsync().ConfigureAwait(false);
            return VaultReply.NoContent();
        }
        finally { _writes.Release(); }
    }

    private static void CopySettings(DatabaseConnection from, DatabaseConnection to)
    {
        to.PluginName = from.PluginName; to.PluginVersion = from.PluginVersion; to.ConnectionUrl = from.ConnectionUrl;
        to.Username = from.Username; to.Password = from.Password; to.AllowedRoles = [.. from.AllowedRoles];
        to.VerifyConnection = from.VerifyConnection; to.RootRotationStatements = [.. from.RootRotationStatements];
        to.PasswordPolicy = from.PasswordPolicy; to.UsernameTemplate = from.UsernameTemplate; to.DisableEscaping = from.DisableEscaping;
        to.MaxOpenConnections = from.MaxOpenConnections; to.MaxIdleConnections = from.MaxIdleConnections;
        to.MaxConnectionLifetime = from.MaxConnectionLifetime; to.PasswordAuthentication = from.PasswordAuthentication;
    }

    private VaultReply Role(VaultRequest request, string name)
    {
        if (request.IsRead) return _roles.TryGetValue(name, out DatabaseRole? r) ? VaultReply.Ok(r.ToJson()) : VaultReply.NotFound();
        if (request.IsDelete)
        {
            // Like Vault: deleting a role leaves its leases; they revoke with the default statements.
            _roles.TryRemove(name, out _);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        bool creating = !_roles.TryGetValue(name, out DatabaseRole? existing);
        var role = new DatabaseRole { Name = name };
        if (existing is not null)
        {
            role.DbName = existing.DbName; role.CreationStatements = existing.CreationStatements; role.RevocationStatements = existing.RevocationStatements;
            role.RollbackStatements = existing.RollbackStatements; role.RenewStatements = existing.RenewStatements;
            role.DefaultTtl = existing.DefaultTtl; role.MaxTtl = existing.MaxTtl; role.CredentialType = existing.CredentialType;
        }
        role.Apply(request.Body, creating);
        _roles[name] = role;
        return VaultReply.NoContent();
    }

    private async Task<VaultReply> StaticRole(VaultRequest request, string name)
    {
        if (request.IsRead) return StaticRoles.Get(name) is Database.StaticRole r ? VaultReply.Ok(r.ToJson()) : VaultReply.NotFound();
        // Like Vault: the database user stays as it is.
        if (request.IsDelete) { StaticRoles.Delete(name); return VaultReply.NoContent(); }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        return await StaticRoles.WriteAsync(name, request.Body, request.Cancellation).ConfigureAwait(false);
    }

    private async Task<VaultReply> Creds(VaultRequest request, string roleName)
    {
        if (!_roles.TryGetValue(roleName, out DatabaseRole? role)) return VaultReply.BadRequest($"unknown role: {roleName}");
        if (!_connections.TryGetValue(role.DbName, out DatabaseConnection? conn))
            return VaultReply.Error(500, $"failed to find entry for connection with name: \"{role.DbName}\"");
        if (!conn.Allows(roleName)) return VaultReply.BadRequest($"\"{roleName}\" is not an allowed role");

        TimeSpan max = role.MaxTtl > TimeSpan.Zero && role.MaxTtl < _mount.EffectiveMaxTtl ? role.MaxTtl : _mount.EffectiveMaxTtl;
        TimeSpan ttl = role.DefaultTtl > TimeSpan.Zero ? role.DefaultTtl : _mount.EffectiveDefaultTtl;
        if (ttl > max) ttl = max;

        string displayName = request.Token?.DisplayName ?? "token";
        string username = (conn.UsernameTemplate ?? UsernameTemplate.Parse(UsernameTemplate.PostgresDefault, _services.Clock)).Render(displayName, roleName);
        string password = VaultPasswordPolicy.Generate();
        DateTimeOffset expiration = _services.Clock.GetUtcNow() + ttl;
        var values = new Dictionary<string, string>
        {
            ["name"] = username, ["username"] = username, ["password"] = password, ["expiration"] = PostgresStatements.Expiration(expiration),
        };

        // The work is not tied to the HTTP request: a client that gave up must not leave half a user.
        try
        {
            await using NpgsqlConnection db = await conn.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await PostgresStatements.ExecuteInTransactionAsync(db, role.CreationStatements, values, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            return VaultReply.Error(500, "1 error occurred:\n\t* failed to create user: " + ex.Message + "\n\n");
        }

        string dbName = role.DbName;
        string leaseId = _services.Leases.Create($"{_mount.Path}/creds/{roleName}", ttl, max, renewable: true,
            revoke: ct => RevokeUserAsync(dbName, roleName, username, ct),
            renew: (expires, ct) => RenewUserAsync(dbName, roleName, username, expires, ct));
        return new VaultReply
        {
            LeaseId = leaseId,
            LeaseDuration = ttl,
            Renewable = true,
            Data = new JsonObject { ["username"] = username, ["password"] = password },
        };
    }

    /// <summary>Revocation uses the role and connection as they are NOW (as Vault does); a deleted role means default revocation.</summary>
    private async Task RevokeUserAsync(string dbName, string roleName, string username, CancellationToken ct)
    {
        if (!_connections.TryGetValue(dbName, out DatabaseConnection? conn))
            throw new InvalidOperationException($"failed to find entry for connection with name: \"{dbName}\"");
        _roles.TryGetValue(roleName, out DatabaseRole? role);
        await using NpgsqlConnection db = await conn.OpenAsync(ct).ConfigureAwait(false);
        if (role is { RevocationStatements.Count: > 0 })
            await PostgresStatements.ExecuteInTransactionAsync(db, role.RevocationStatements,
                new Dictionary<string, string> { ["name"] = username, ["username"] = username }, ct).ConfigureAwait(false);
        else
            await PostgresStatements.DefaultRevokeAsync(db, username, ct).ConfigureAwait(false);
    }

    private async Task RenewUserAsync(string dbName, string roleName, string username, DateTimeOffset expires, CancellationToken ct)
    {
        if (!_connections.TryGetValue(dbName, out DatabaseConnection? conn))
            throw new InvalidOperationException($"failed to find entry for connection with name: \"{dbName}\"");
        _roles.TryGetValue(roleName, out DatabaseRole? role);
        List<string> statements = role is { RenewStatements.Count: > 0 } ? role.RenewStatements : [PostgresStatements.DefaultRenew];
        await using NpgsqlConnection db = await conn.OpenAsync(ct).ConfigureAwait(false);
        await PostgresStatements.ExecuteInTransactionAsync(db, statements,
            new Dictionary<string, string> { ["name"] = username, ["username"] = username, ["expiration"] = PostgresStatements.Expiration(expires) }, ct).ConfigureAwait(false);
    }

    private async Task<VaultReply> Reset(string name)
    {
        if (!_connections.TryGetValue(name, out DatabaseConnection? conn)) return VaultReply.BadRequest($"failed to find entry for connection with name: \"{name}\"");
        await conn.ResetAsync().ConfigureAwait(false);
        return VaultReply.NoContent();
    }

    /// <summary>Sets a new random password for the connection's own user; from then on only Vault knows it.</summary>
    private async Task<VaultReply> RotateRoot(string name)
    {
        if (!_connections.TryGetValue(name, out DatabaseConnection? conn)) return VaultReply.BadRequest($"failed to find entry for connection with name: \"{name}\"");
        if (conn.Username.Length == 0) return VaultReply.BadRequest("unable to rotate root credentials: no username in configuration");
        await _writes.WaitAsync().ConfigureAwait(false);
        try
        {
            string password = VaultPasswordPolicy.Generate();
            List<string> statements = conn.RootRotationStatements.Count > 0 ? conn.RootRotationStatements : [PostgresStatements.DefaultRootRotation];
            try
            {
                await using NpgsqlConnection db = await conn.OpenAsync(CancellationToken.None).ConfigureAwait(false);
                await PostgresStatements.ExecuteInTransactionAsync(db, statements,
                    new Dictionary<string, string> { ["name"] = conn.Username, ["username"] = conn.Username, ["password"] = password }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException)
            {
                return VaultReply.Error(500, "1 error occurred:\n\t* failed to update user: " + ex.Message + "\n\n");
            }
            conn.Password = password;
            await conn.ResetAsync().ConfigureAwait(false);
            return VaultReply.NoContent();
        }
        finally { _writes.Release(); }
    }

    public async ValueTask DisposeAsync()
    {
        await StaticRoles.DisposeAsync().ConfigureAwait(false);
        foreach (DatabaseConnection c in _connections.Values) await c.DisposeAsync().ConfigureAwait(false);
        _writes.Dispose();
    }
}
