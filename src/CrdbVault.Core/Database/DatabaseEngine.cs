using System.Security;
using System.Text.Json;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Database;

/// <summary>
/// Vault's database secrets engine (vault-api.md §3), as CockroachDB needs it: the mount, the
/// connection config, roles, and dynamic credentials.
/// </summary>
public sealed class DatabaseEngine
{
    public const string PluginName = "postgresql-database-plugin";
    private readonly VaultClient _client;

    public DatabaseEngine(VaultClient client, string mountPath = "database")
    {
        _client = client;
        MountPath = InputValidator.MountPath(mountPath);
    }

    public string MountPath { get; }

    /// <summary>
    /// Enables a database engine at the mount when none is there. Returns true when it enabled
    /// one; throws when the path holds an engine of another type.
    /// </summary>
    public async Task<bool> EnsureMountAsync(CancellationToken ct)
    {
        string? existing = await ReadMountTypeAsync(ct).ConfigureAwait(false);
        if (existing == "database") return false;
        if (existing is not null)
            throw new InvalidOperationException($"Vault already has a '{existing}' engine at '{MountPath}/', not a database secrets engine. Choose another -MountPath or disable that mount.");
        try
        {
            await _client.WriteAsync($"sys/mounts/{MountPath}", new { type = "database", description = "CockroachDB dynamic credentials (CrdbVault)" },
                VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status is 400 or 409 && ex.Errors.Any(e => e.Contains("already in use", StringComparison.OrdinalIgnoreCase) || e.Contains("existing mount", StringComparison.OrdinalIgnoreCase)))
        {
            return false; // Someone enabled it meanwhile: fine.
        }
        return true;
    }

    /// <summary>The type of the engine mounted at <see cref="MountPath"/>, or null when none.</summary>
    public async Task<string?> ReadMountTypeAsync(CancellationToken ct)
    {
        try
        {
            VaultResponse? r = await _client.ReadAsync($"sys/mounts/{MountPath}", ct).ConfigureAwait(false);
            return r?.GetString("type");
        }
        catch (VaultApiException ex) when (ex.Status == 400)
        {
            return null; // Older Vaults answer 400 "no matching mount".
        }
    }

    public async Task WriteConnectionAsync(DatabaseConnectionRequest request, CancellationToken ct)
    {
        InputValidator.PathSegment(request.Name, "Name");
        var body = new Dictionary<string, object>
        {
            ["plugin_name"] = PluginName,
            ["connection_url"] = request.Url.TemplatedUrl,
            ["username"] = request.Username,
            ["password"] = SecureStrings.Reveal(request.Password),
            ["allowed_roles"] = request.AllowedRoles,
            ["username_template"] = request.UsernameTemplate,
            ["verify_connection"] = request.VerifyConnection,
        };
        await _client.WriteAsync($"{MountPath}/config/{request.Name}", body, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    public async Task<DatabaseConnectionInfo?> ReadConnectionAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "ConnectionName");
        VaultResponse? r = await _client.ReadAsync($"{MountPath}/config/{name}", ct).ConfigureAwait(false);
        if (r is null) return null;
        JsonElement details = r.Get("connection_details");
        string? Detail(string key) => details.ValueKind == JsonValueKind.Object && details.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new DatabaseConnectionInfo(
            MountPath, name,
            r.GetString("plugin_name") ?? "",
            Detail("connection_url") ?? r.GetString("connection_url"),
            Detail("username") ?? r.GetString("username"),
            VaultResponse.StringList(r.Get("allowed_roles")),
            r.GetString("username_template") ?? Detail("username_template"),
            details.ValueKind == JsonValueKind.Object && details.TryGetProperty("verify_connection", out JsonElement vc) ? vc.ValueKind != JsonValueKind.False : r.Get("verify_connection").ValueKind != JsonValueKind.False);
    }

    /// <summary>
    /// The connection a role is about to use. Throws <see cref="DatabaseConnectionNotFoundException"/>
    /// when Vault has none of that name (Vault itself would store the role and fail only when a
    /// credential is asked for); a token that may not read it gets Vault's permission error.
    /// </summary>
    public async Task<DatabaseConnectionInfo> RequireConnectionAsync(string name, CancellationToken ct) =>
        await ReadConnectionAsync(name, ct).ConfigureAwait(false)
        ?? throw new DatabaseConnectionNotFoundException(
            $"Vault has no database connection '{name}' at '{MountPath}/config/'. Create it first with Initialize-CrdbVaultDatabase -Name {name} -MountPath {MountPath} (or give the -ConnectionName of an existing one). Nothing was written.");

    /// <summary>Rotates the root password Vault holds; afterwards nobody, you included, knows it.</summary>
    public Task RotateRootAsync(string name, CancellationToken ct) =>
        _client.WriteAsync($"{MountPath}/rotate-root/{InputValidator.PathSegment(name, "Name")}", null, new VaultRequestOptions { Idempotent = false }, ct);

    public async Task WriteRoleAsync(string name, string connectionName, RoleStatements statements, TimeSpan? defaultTtl, TimeSpan? maxTtl, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        InputValidator.PathSegment(connectionName, "ConnectionName");
        var body = new Dictionary<string, object>
        {
            ["db_name"] = connectionName,
            ["creation_statements"] = statements.Creation,
            ["revocation_statements"] = statements.Revocation,
            ["renew_statements"] = statements.Renew,
        };
        if (defaultTtl is TimeSpan d) body["default_ttl"] = VaultDuration.Format(d);
        if (maxTtl is TimeSpan m) body["max_ttl"] = VaultDuration.Format(m);
        await _client.WriteAsync($"{MountPath}/roles/{name}", body, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    public async Task<DatabaseRoleInfo?> ReadRoleAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        VaultResponse? r = await _client.ReadAsync($"{MountPath}/roles/{name}", ct).ConfigureAwait(false);
        if (r is null) return null;
        return new DatabaseRoleInfo(
            MountPath, name,
            r.GetString("db_name") ?? "",
            Statements(r.Get("creation_statements")),
            Statements(r.Get("revocation_statements")),
            Statements(r.Get("renew_statements")),
            VaultDuration.FromJson(r.Get("default_ttl")),
            VaultDuration.FromJson(r.Get("max_ttl")));
    }

    public Task<IReadOnlyList<string>> ListRolesAsync(CancellationToken ct) => _client.ListAsync($"{MountPath}/roles", ct);

    public Task<IReadOnlyList<string>> ListConnectionsAsync(CancellationToken ct) => _client.ListAsync($"{MountPath}/config", ct);

    /// <summary>Deletes the role. Credentials already issued from it keep their leases.</summary>
    public async Task<bool> DeleteRoleAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        return await _client.DeleteAsync($"{MountPath}/roles/{name}", ct).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Issues a credential (<c>GET &lt;mount&gt;/creds/&lt;role&gt;</c>). Never retried: each call
    /// creates a database user, and a retried call could leave an unknown one behind.
    /// </summary>
    public async Task<IssuedCredential> IssueCredentialAsync(string role, CancellationToken ct)
    {
        InputValidator.PathSegment(role, "Role");
        string path = $"{MountPath}/creds/{role}";
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"A credential may have been issued: check leases under {path}/ (Get-CrdbLease -Prefix '{path}') and revoke strays (Revoke-CrdbLease -Prefix '{path}').",
        };
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        VaultResponse? r;
        try
        {
            r = await _client.SendAsync(HttpMethod.Get, path, null, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status == 400 && ex.Errors.Any(e => e.Contains("unknown role", StringComparison.OrdinalIgnoreCase)))
        {
            throw new VaultApiException($"Vault has no database role '{role}' at '{MountPath}/'. Create it with Set-CrdbVaultRole, or list the roles with Get-CrdbVaultRole -MountPath '{MountPath}'.",
                VaultErrorKind.NotFound, path, ex.Status, ex.Errors);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw new VaultApiException($"Nothing answers at '{path}': is '{MountPath}' a database secrets engine, and does role '{role}' exist? Check -MountPath (Initialize-CrdbVaultDatabase enables it) and Get-CrdbVaultRole.",
                VaultErrorKind.NotFound, path, ex.Status, ex.Errors);
        }
        if (r is null)
            throw new VaultApiException($"Vault has no database role '{role}' at '{MountPath}/'. Create it with Set-CrdbVaultRole.", VaultErrorKind.NotFound, path, 404);
        string? user = r.GetString("username");
        string? password = r.GetString("password");
        if (string.IsNullOrEmpty(user) || password is null)
            throw new VaultApiException($"Vault answered {path} without username and password: is '{MountPath}' a database secrets engine?", VaultErrorKind.Other, path, 200);
        // No lease_id (the API docs' own sample has none): the user exists all the same, so it is
        // handed over; the caller warns that nothing will revoke it (HasLease false).
        SecureString secret = SecureStrings.From(password);
        CiMasking.Register(secret); // before it is handed out (docs/ci-pipelines.md)
        return new IssuedCredential
        {
            MountPath = MountPath,
            Role = role,
            UserName = user,
            Password = secret,
            LeaseId = string.IsNullOrEmpty(r.LeaseId) ? null : r.LeaseId,
            LeaseDuration = r.LeaseDuration,
            Renewable = r.Renewable,
            IssuedAt = asked,
            Warnings = r.Warnings,
        };
    }

    /// <summary>Statements come back as a list, or (older Vaults) as one ';'-joined string.</summary>
    private static IReadOnlyList<string> Statements(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray(),
        JsonValueKind.String when !string.IsNullOrEmpty(e.GetString()) => [e.GetString()!],
        _ => [],
    };
}

/// <summary>A role names a database connection that does not exist on the mount.</summary>
public sealed class DatabaseConnectionNotFoundException(string message) : InvalidOperationException(message);
