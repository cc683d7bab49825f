using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Npgsql;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>
/// The static roles of one database mount and the rotations Vault does for them: on create (unless
/// skip_import_rotation), on rotate-role, every rotation_period (real time, minimum 5 s) and on
/// rotation_schedule (cron, within rotation_window). Rotations set REAL PostgreSQL passwords through
/// the connection's admin user.
/// </summary>
/// <remarks>
/// The clock hook: every time here is read from <see cref="Clock"/>, the double's clock plus an offset
/// that <see cref="AdvanceClockAsync"/> moves forward. Tests of schedules advance it past the next
/// scheduled time instead of waiting for it; the call returns once every rotation due by then ran.
/// It only moves this mount's static-role time, so leases and tokens elsewhere are unaffected.
/// </remarks>
public sealed class StaticRoleRotations(Func<string, DatabaseConnection?> connection, TimeProvider clock, TimeSpan tick) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, StaticRole> _roles = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly OffsetClock _clock = new(clock);
    private Task? _loop;

    /// <summary>The time static roles live by (the double's clock plus what tests advanced).</summary>
    public TimeProvider Clock => _clock;

    public IEnumerable<string> Names => _roles.Keys.Order(StringComparer.Ordinal);

    public StaticRole? Get(string name) => _roles.TryGetValue(name, out StaticRole? r) ? r : null;

    /// <summary>Test hook: moves this mount's static-role clock forward and runs every rotation due by then.</summary>
    public async Task AdvanceClockAsync(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), "The clock only moves forward.");
        _clock.Advance(by);
        await RunDueAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<VaultReply> WriteAsync(string name, JsonObject body, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _roles.TryGetValue(name, out StaticRole? existing);
            // Build on a copy so a refused write leaves the stored role untouched.
            StaticRole role = existing?.Copy() ?? new StaticRole { Name = name };
            role.Apply(body, creating: existing is null);
            if (connection(role.DbName) is not DatabaseConnection conn)
                return VaultReply.BadRequest($"failed to find entry for connection with name: \"{role.DbName}\"");
            if (!conn.Allows(name)) return VaultReply.BadRequest($"\"{name}\" is not an allowed role");

            DateTimeOffset now = _clock.GetUtcNow();
            if (existing is null)
            {
                if (!role.SkipImportRotation)
                {
                    // Vault must set the password itself to know it: the user's live password changes now.
                    string? error = await RotateAsync(role, conn, now).ConfigureAwait(false);
                    if (error is not null) return VaultReply.Error(500, "1 error occurred:\n\t* error setting credentials: " + error + "\n\n");
                }
                else role.ScheduleFrom(now);
            }
            else if (role.Scheduled != existing.Scheduled || role.RotationPeriod != existing.RotationPeriod || role.RotationSchedule != existing.RotationSchedule)
            {
                role.ScheduleFrom(role.LastVaultRotation ?? now);
            }
            _roles[name] = role;
            _loop ??= Task.Run(LoopAsync);
            return VaultReply.NoContent();
        }
        finally { _gate.Release(); }
    }

    public bool Delete(string name) => _roles.TryRemove(name, out _);

    public VaultReply Creds(string name) =>
        _roles.TryGetValue(name, out StaticRole? role) ? VaultReply.Ok(role.CredsJson(_clock.GetUtcNow())) : VaultReply.BadRequest($"unknown role: {name}");

    /// <summary>rotate-role: a new password now; the period starts again.</summary>
    public async Task<VaultReply> RotateNowAsync(string name)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_roles.TryGetValue(name, out StaticRole? role)) return VaultReply.BadRequest("no static role found for role name");
            if (connection(role.DbName) is not DatabaseConnection conn)
                return VaultReply.Error(500, $"failed to find entry for connection with name: \"{role.DbName}\"");
            string? error = await RotateAsync(role, conn, _clock.GetUtcNow()).ConfigureAwait(false);
            return error is null ? VaultReply.NoContent() : VaultReply.Error(500, "1 error occurred:\n\t* unable to rotate credentials: " + error + "\n\n");
        }
        finally { _gate.Release(); }
    }

    /// <summary>Sets a new password with the role's statements, in one transaction; returns the error text or null.</summary>
    private static async Task<string?> RotateAsync(StaticRole role, DatabaseConnection conn, DateTimeOffset now)
    {
        string password = VaultPasswordPolicy.Generate();
        List<string> statements = role.RotationStatements.Count > 0 ? role.RotationStatements : [StaticRole.DefaultRotation];
        try
        {
            // Not tied to a request: a client that gave up must not leave the password half-changed.
            await using NpgsqlConnection db = await conn.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            await PostgresStatements.ExecuteInTransactionAsync(db, statements,
                new Dictionary<string, string> { ["name"] = role.Username, ["username"] = role.Username, ["password"] = password }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            role.LastError = ex.Message;
            return ex.Message;
        }
        role.Password = password;
        role.LastVaultRotation = now;
        role.LastError = null;
        role.RetryAfter = null;
        role.ScheduleFrom(now);
        return null;
    }

    /// <summary>Runs the rotations due now: period roles once their time passed; schedule roles only within their window.</summary>
    private async Task RunDueAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            DateTimeOffset now = _clock.GetUtcNow();
            foreach (StaticRole role in _roles.Values)
            {
                if (now < role.NextRotation || role.RetryAfter is DateTimeOffset retry && now < retry) continue;
                if (role.Scheduled && role.RotationWindow > TimeSpan.Zero && now >= role.NextRotation + role.RotationWindow)
                {
                    // Missed the window: like Vault, wait for the next scheduled time.
                    role.NextRotation = role.NextScheduled(now);
                    continue;
                }
                if (connection(role.DbName) is not DatabaseConnection conn) continue;
                if (await RotateAsync(role, conn, now).ConfigureAwait(false) is not null)
                    role.RetryAfter = now + TimeSpan.FromSeconds(5);
            }
        }
        finally { _gate.Release(); }
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(tick, _stop.Token).ConfigureAwait(false);
                await RunDueAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested) { return; }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
        _gate.Dispose();
    }

    /// <summary>The double's clock plus an offset that only grows.</summary>
    private sealed class OffsetClock(TimeProvider inner) : TimeProvider
    {
        private long _offsetTicks;

        public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
    }
}
