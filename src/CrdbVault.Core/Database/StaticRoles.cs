using System.Security;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Database;

/// <summary>
/// Static roles of Vault's database secrets engine (docs/static-roles.md): one
/// existing SQL user per role, whose password Vault sets when the role is created and rotates on a
/// period or a cron schedule. <c>static-creds</c> reads the current password (no lease);
/// <c>rotate-role</c> rotates it now.
/// </summary>
public sealed class StaticRoles
{
    /// <summary>The stable error id of a static role the checks refuse.</summary>
    public const string InvalidArgumentId = "InvalidStaticRoleArgument";

    /// <summary>Vault's minimum rotation_period.</summary>
    public static readonly TimeSpan MinimumPeriod = TimeSpan.FromSeconds(5);
    /// <summary>Vault's minimum rotation_window.</summary>
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromHours(1);

    private readonly VaultClient _client;
    private readonly DatabaseEngine _engine;

    public StaticRoles(VaultClient client, string mountPath = "database")
    {
        _client = client;
        _engine = new DatabaseEngine(client, mountPath);
    }

    public string MountPath => _engine.MountPath;

    /// <summary>Checks a request before any call; returns it with the rotation statements resolved and the schedule normalised.</summary>
    public static StaticRoleRequest Validate(StaticRoleRequest request)
    {
        InputValidator.PathSegment(request.Name, "Name");
        InputValidator.PathSegment(request.ConnectionName, "ConnectionName");
        InputValidator.SqlUserName(request.UserName, "UserName");
        bool period = request.RotationPeriod is not null, schedule = request.RotationSchedule is not null;
        if (period == schedule)
            throw new ArgumentException("Give either -RotationPeriod (e.g. '24h') or -RotationSchedule (a cron schedule such as '0 3 * * *'), " +
                "not both and not neither.", "RotationPeriod");
        if (request.RotationPeriod is TimeSpan p && p < MinimumPeriod)
            throw new ArgumentException($"-RotationPeriod {p} is shorter than Vault's minimum of 5 seconds.", "RotationPeriod");
        if (request.RotationWindow is TimeSpan w)
        {
            if (!schedule) throw new ArgumentException("-RotationWindow applies only with -RotationSchedule.", "RotationWindow");
            if (w < MinimumWindow) throw new ArgumentException($"-RotationWindow {w} is shorter than Vault's minimum of 1 hour.", "RotationWindow");
        }
        return new StaticRoleRequest
        {
            Name = request.Name,
            ConnectionName = request.ConnectionName,
            UserName = request.UserName,
            RotationPeriod = request.RotationPeriod,
            RotationSchedule = schedule ? RotationSchedule.Validate(request.RotationSchedule) : null,
            RotationWindow = request.RotationWindow,
            RotationStatements = StaticRoleStatements.Resolve(request.RotationStatements),
        };
    }

    /// <summary>
    /// Validates, then reads what writing the role will do: the connection must exist and must not
    /// log in as the same user (Vault would rotate the password its own connection uses and lock
    /// itself out), and an existing role must keep its user (Vault cannot change it). Reads only.
    /// </summary>
    public async Task<StaticRolePlan> PlanAsync(StaticRoleRequest request, CancellationToken ct)
    {
        request = Validate(request);
        DatabaseConnectionInfo connection = await _engine.ReadConnectionAsync(request.ConnectionName, ct).ConfigureAwait(false)
            ?? throw new VaultApiException($"Vault has no database connection '{request.ConnectionName}' at '{MountPath}/config/'. " +
                $"Create it with Initialize-CrdbVaultDatabase, or check -ConnectionName and -MountPath.",
                VaultErrorKind.NotFound, $"{MountPath}/config/{request.ConnectionName}", 404);
        if (string.IsNullOrEmpty(connection.Username))
            throw new InvalidOperationException($"Connection '{request.ConnectionName}' does not say which user it logs in as, " +
                $"so it cannot be checked that -UserName '{request.UserName}' is not that user. Nothing was written.");
        // CockroachDB folds user names to lower case: compare the way it would.
        if (string.Equals(connection.Username, request.UserName, StringComparison.OrdinalIgnoreCase))
            throw new InputRefusedException($"-UserName '{request.UserName}' is the user connection '{request.ConnectionName}' itself logs in as. " +
                $"A static role rotates that password at once, and Vault's own connection would stop working. " +
                "Use another SQL user; to rotate the connection's password, use Vault's rotate-root instead.", InvalidArgumentId, "UserName");
        StaticRoleInfo? existing = await ReadAsync(request.Name, ct).ConfigureAwait(false);
        if (existing is not null && !string.Equals(existing.UserName, request.UserName, StringComparison.Ordinal))
            throw new InputRefusedException($"Static role '{request.Name}' manages user '{existing.UserName}'; Vault cannot change a static role's user. " +
                $"Remove it with Remove-CrdbVaultStaticRole -Name {request.Name} and create it again, or choose another -Name.", InvalidArgumentId, "UserName");
        if (existing is not null && !string.Equals(existing.ConnectionName, request.ConnectionName, StringComparison.Ordinal))
            throw new InputRefusedException($"Static role '{request.Name}' uses connection '{existing.ConnectionName}'; " +
                $"Vault cannot move a static role to another connection. Remove it and create it again, or choose another -Name.", InvalidArgumentId,
                "ConnectionName");
        return new StaticRolePlan(request, existing is null, connection);
    }

    /// <summary>
    /// Writes the role. Creating one makes Vault set a new password for the user at once. Retried
    /// like any idempotent write: a repeated create is an update, and updates do not rotate.
    /// </summary>
    public async Task WriteAsync(StaticRolePlan plan, CancellationToken ct)
    {
        StaticRoleRequest r = plan.Request;
        var body = new Dictionary<string, object>
        {
            ["db_name"] = r.ConnectionName,
            ["username"] = r.UserName,
            ["rotation_statements"] = r.RotationStatements,
        };
        if (r.RotationPeriod is TimeSpan p) body["rotation_period"] = VaultDuration.Format(p);
        if (r.RotationSchedule is string s) body["rotation_schedule"] = s;
        if (r.RotationWindow is TimeSpan w) body["rotation_window"] = VaultDuration.Format(w);
        string path = $"{MountPath}/static-roles/{r.Name}";
        try
        {
            await _client.WriteAsync(path, body, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("not an allowed role"))
        {
            throw new VaultApiException($"Connection '{r.ConnectionName}' does not allow role '{r.Name}' (allowed_roles). " +
                $"Add it to the connection's allowed roles (Initialize-CrdbVaultDatabase -AllowedRoles) and try again.",
                VaultErrorKind.InvalidRequest, path, ex.Status, ex.Errors);
        }
    }

    public async Task<StaticRoleInfo?> ReadAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        VaultResponse? r = await _client.ReadAsync($"{MountPath}/static-roles/{name}", ct).ConfigureAwait(false);
        if (r is null) return null;
        StaticRoleData role = r.DataAs<StaticRoleData>() ?? new StaticRoleData(null, null, TimeSpan.Zero, null, TimeSpan.Zero, null, null);
        (TimeSpan? period, string? schedule, TimeSpan? window) = Rotation(role.RotationPeriod, role.RotationSchedule, role.RotationWindow);
        return new StaticRoleInfo(MountPath, name, role.DbName ?? "", role.Username ?? "",
            period, schedule, window, role.RotationStatements ?? [], role.CredentialType ?? "password");
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken ct) => _client.ListAsync($"{MountPath}/static-roles", ct);

    /// <summary>Deletes the role; the SQL user and its current password stay, and Vault stops rotating it.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        return await _client.DeleteAsync($"{MountPath}/static-roles/{name}", ct).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Reads the current password. A plain read (retried like any GET: reading changes nothing).
    /// The password is registered for CI masking before it is returned.
    /// </summary>
    public async Task<StaticCredentialInfo> ReadCredentialAsync(string role, CancellationToken ct)
    {
        InputValidator.PathSegment(role, "Role");
        string path = $"{MountPath}/static-creds/{role}";
        VaultResponse? r;
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        try
        {
            r = await _client.ReadAsync(path, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("unknown role", "no static role"))
        {
            throw NoSuchRole(role, path, ex);
        }
        if (r is null) throw NoSuchRole(role, path, null);
        CredentialData? data = r.DataAs<CredentialData>();
        string? user = data?.Username;
        string? password = data?.Password;
        if (data is null || string.IsNullOrEmpty(user) || password is null)
            throw new VaultApiException($"Vault answered {path} without username and password: " +
                $"is '{MountPath}' a database secrets engine?", VaultErrorKind.Other, path, 200);
        (TimeSpan? period, string? schedule, TimeSpan? window) = Rotation(data.RotationPeriod, data.RotationSchedule, data.RotationWindow);
        DateTimeOffset? last = data.LastVaultRotation;
        // Vault reports whole seconds left, so the next rotation lies within the second after asked + ttl.
        DateTimeOffset? next = data.Ttl is TimeSpan ttl ? CeilingToSecond(asked + ttl)
            : last is DateTimeOffset l && period is TimeSpan p ? l + p : null;
        SecureString secret = SecureStrings.From(password);
        CiMasking.Register(secret); // before it is handed out (docs/ci-pipelines.md)
        return new StaticCredentialInfo
        {
            MountPath = MountPath,
            Role = role,
            UserName = user,
            Password = secret,
            LastVaultRotation = last,
            NextRotation = next,
            RotationPeriod = period,
            RotationSchedule = schedule,
            RotationWindow = window,
        };
    }

    /// <summary>
    /// Rotates the password now (<c>POST rotate-role</c>). Sent at most once: a blind retry after a
    /// lost answer would rotate a second time and invalidate a password someone may already have read
    /// in between; when the outcome is unknown, the error says how to check.
    /// </summary>
    public async Task RotateAsync(string role, CancellationToken ct)
    {
        InputValidator.PathSegment(role, "Role");
        string path = $"{MountPath}/rotate-role/{role}";
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"The password may have been rotated: " +
                $"compare LastVaultRotation of Get-CrdbStaticCredential -Role {role} -MountPath '{MountPath}' with the time of this call.",
        };
        try
        {
            await _client.WriteAsync(path, null, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("no static role", "unknown role"))
        {
            throw NoSuchRole(role, path, ex);
        }
    }

    private VaultApiException NoSuchRole(string role, string path, VaultApiException? inner) =>
        new($"Vault has no static role '{role}' at '{MountPath}/'. Create it with Set-CrdbVaultStaticRole, " +
            $"or list them with Get-CrdbVaultStaticRole -MountPath '{MountPath}'.",
            VaultErrorKind.NotFound, path, inner?.Status ?? 404, inner?.Errors);

    /// <summary>Both documented shapes: <c>rotation_period</c> (seconds, or a duration string in older docs) or <c>rotation_schedule</c> +
    /// <c>rotation_window</c>.</summary>
    private static (TimeSpan? Period, string? Schedule, TimeSpan? Window) Rotation(TimeSpan period, string? schedule, TimeSpan window) =>
        !string.IsNullOrWhiteSpace(schedule)
            ? (null, schedule, window > TimeSpan.Zero ? window : null)
            : (period > TimeSpan.Zero ? period : null, null, null);

    private static DateTimeOffset CeilingToSecond(DateTimeOffset t) =>
        t.Ticks % TimeSpan.TicksPerSecond == 0 ? t : new DateTimeOffset(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond + TimeSpan.TicksPerSecond, t.Offset);
}
