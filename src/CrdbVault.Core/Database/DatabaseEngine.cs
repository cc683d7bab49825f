using System.Security;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Database;

/// <summary>
/// Vault's database secrets engine (docs/vault-notes.md#database-secrets-engine), as CockroachDB needs it: the mount, the
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
    public Task<bool> EnsureMountAsync(CancellationToken ct) =>
        VaultMounts.EnsureAsync(_client, MountPath, "database", "a database secrets engine", "CockroachDB dynamic credentials (CrdbVault)", ct);

    /// <summary>The type of the engine mounted at <see cref="MountPath"/>, or null when none.</summary>
    public Task<string?> ReadMountTypeAsync(CancellationToken ct) => VaultMounts.ReadTypeAsync(_client, MountPath, ct);

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
        if (r?.DataAs<DatabaseConfigData>() is not DatabaseConfigData c) return null;
        DatabaseConnectionDetails? details = c.ConnectionDetails;
        return new DatabaseConnectionInfo(
            MountPath, name,
            c.PluginName ?? "",
            details?.ConnectionUrl ?? c.ConnectionUrl,
            details?.Username ?? c.Username,
            c.AllowedRoles ?? [],
            c.UsernameTemplate ?? details?.UsernameTemplate,
            details?.VerifyConnection ?? c.VerifyConnection ?? true);
    }

    /// <summary>
    /// The connection a role is about to use. Throws <see cref="DatabaseConnectionNotFoundException"/>
    /// when Vault has none of that name (Vault itself would store the role and fail only when a
    /// credential is asked for); a token that may not read it gets Vault's permission error.
    /// </summary>
    public async Task<DatabaseConnectionInfo> RequireConnectionAsync(string name, CancellationToken ct) =>
        await ReadConnectionAsync(name, ct).ConfigureAwait(false)
        ?? throw new DatabaseConnectionNotFoundException(
            $"Vault has no database connection '{name}' at '{MountPath}/config/'. Create it first with Initialize-CrdbVaultDatabase -Name {name} -MountPath " +
                $"{MountPath} (or give the -ConnectionName of an existing one). Nothing was written.");

    /// <summary>Rotates the root password Vault holds; afterwards nobody, you included, knows it.</summary>
    public Task RotateRootAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = "The root password may have been rotated: if the old password no longer logs in " +
                "(Test-CrdbConnection -Credential), it was, and only Vault knows the new one.",
        };
        return _client.WriteAsync($"{MountPath}/rotate-root/{name}", null, options, ct);
    }

    public async Task WriteRoleAsync(string name, string connectionName, RoleStatements statements, TimeSpan? defaultTtl, TimeSpan? maxTtl,
        CancellationToken ct)
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
        DatabaseRoleData role = r.DataAs<DatabaseRoleData>() ?? new DatabaseRoleData(null, null, null, null, TimeSpan.Zero, TimeSpan.Zero);
        return new DatabaseRoleInfo(
            MountPath, name,
            role.DbName ?? "",
            role.CreationStatements ?? [],
            role.RevocationStatements ?? [],
            role.RenewStatements ?? [],
            role.DefaultTtl,
            role.MaxTtl);
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
    /// Vault's own 5xx answer to creds: the database refused the role's creation statements or could
    /// not be reached. Vault runs the statements in one transaction that is rolled back on error and
    /// keeps no lease, so no user exists (docs/vault-notes.md, "Failed creations").
    /// </summary>
    private VaultApiException CreationFailed(string role, string path, VaultApiException ex) => new(
        $"No credential was issued: Vault could not create a database user for role '{role}', because the role's SQL statements failed " +
            "or the database could not be reached (Vault runs them in one transaction and rolled it back, so no user exists and there is no lease). " +
            $"Vault said ({ex.Status}): {string.Join("; ", ex.Errors.Select(e => ServerText.Printable(e).Trim()))}. " +
            $"Check the role's statements (Get-CrdbVaultRole -Name {role} -MountPath '{MountPath}'), that every role or database they " +
            "name exists, and that the connection's user may run them.",
        VaultErrorKind.ServerError, path, ex.Status, ex.Errors, inner: ex);

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
            UnknownOutcomeHint = $"A credential may have been issued: check leases under {path}/ (Get-CrdbLease -Prefix '{path}') " +
                $"and revoke strays (Revoke-CrdbLease -Prefix '{path}').",
        };
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        VaultResponse? r;
        try
        {
            r = await _client.SendAsync(HttpMethod.Get, path, null, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("unknown role"))
        {
            throw ex.AsNotFound($"Vault has no database role '{role}' at '{MountPath}/'. Create it with Set-CrdbVaultRole, " +
                $"or list the roles with Get-CrdbVaultRole -MountPath '{MountPath}'.", path);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw ex.AsNotFound($"Nothing answers at '{path}': is '{MountPath}' a database secrets engine, and does role '{role}' exist? " +
                $"Check -MountPath (Initialize-CrdbVaultDatabase enables it) and Get-CrdbVaultRole.", path);
        }
        catch (VaultApiException ex) when (ex.Status >= 500 && !ex.MayHaveExecuted && ex.Errors.Count > 0)
        {
            throw CreationFailed(role, path, ex);
        }
        if (r is null)
            throw new VaultApiException($"Vault has no database role '{role}' at '{MountPath}/'. " +
                $"Create it with Set-CrdbVaultRole.", VaultErrorKind.NotFound, path, 404);
        CredentialData? data = r.DataAs<CredentialData>();
        string? user = data?.Username;
        string? password = data?.Password;
        if (string.IsNullOrEmpty(user) || password is null)
            throw new VaultApiException($"Vault answered {path} without username and password: " +
                $"is '{MountPath}' a database secrets engine?", VaultErrorKind.Other, path, 200);
        // No lease_id (the API docs' own sample has none): the user exists all the same, so it is
        // handed over; the caller warns that nothing will revoke it (HasLease false).
        SecureString secret = SecureStrings.From(password);
        CiMasking.Register(secret); // before it is handed out (docs/ci-pipelines.md)
        string? leaseId = string.IsNullOrEmpty(r.LeaseId) ? null : r.LeaseId;
        return new IssuedCredential
        {
            MountPath = MountPath,
            Role = role,
            UserName = user,
            Password = secret,
            LeaseId = leaseId,
            LeaseDuration = r.LeaseDuration,
            Renewable = r.Renewable,
            IssuedAt = asked,
            Warnings = r.Warnings,
            // The session's ledger: a clean-up step finds it there, and its end follows the issuing token's.
            Ledger = leaseId is null ? null : _client.Ledger?.RecordIssued(leaseId, MountPath, role, user, null, asked, asked + r.LeaseDuration),
        };
    }
}

/// <summary>A role names a database connection that does not exist on the mount.</summary>
public sealed class DatabaseConnectionNotFoundException(string message) : InvalidOperationException(message);
