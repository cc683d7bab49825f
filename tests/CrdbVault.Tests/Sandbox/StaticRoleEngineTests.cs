using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Engines;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// The double's static roles over its HTTP API: Vault's documented checks and response shapes, and
/// REAL PostgreSQL passwords set on create, on rotate-role, every rotation_period and on
/// rotation_schedule (through the clock hook, without waiting).
/// </summary>
[Collection("sandbox")]
public sealed class StaticRoleEngineTests(SandboxFixture sandbox)
{
    private const string Rotation = "ALTER USER \"{{name}}\" WITH PASSWORD '{{password}}';";

    /// <summary>A fresh mount with connection "pg" (allowed roles as given) and a fresh SQL user with a known password.</summary>
    private async Task<(string Mount, string User, string Password)> SetUpAsync(string allowedRoles = "*")
    {
        string mount = SandboxFixture.Unique("sdb");
        var pg = sandbox.World.Postgres;
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "database" })).Code);
        var config = await sandbox.RootAsync("POST", $"{mount}/config/pg", new JsonObject
        {
            ["plugin_name"] = "postgresql-database-plugin",
            ["connection_url"] = $"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{pg.Port}/postgres?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}",
            ["username"] = pg.AdminUser,
            ["password"] = pg.AdminPassword,
            ["allowed_roles"] = allowedRoles,
        });
        Assert.True(config.Code == 204, config.Text);
        string user = SandboxFixture.Unique("static_user");
        string password = "initial-" + Guid.NewGuid().ToString("n");
        await ExecAsync($"CREATE ROLE {user} LOGIN PASSWORD '{password}'");
        return (mount, user, password);
    }

    private async Task ExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(sandbox.World.Postgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Does a fresh (unpooled) login with this password succeed?</summary>
    private async Task<bool> LogsInAsync(string user, string password)
    {
        var cs = new NpgsqlConnectionStringBuilder(sandbox.World.Postgres.ConnectionString(user, password)) { Pooling = false }.ConnectionString;
        try
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == "28P01")
        {
            return false;
        }
    }

    private async Task<JsonNode> CredsAsync(string mount, string role)
    {
        var r = await sandbox.RootAsync("GET", $"{mount}/static-creds/{role}");
        Assert.True(r.Code == 200, r.Text);
        return r.Data!;
    }

    private DatabaseEngine Engine(string mount) => (DatabaseEngine)sandbox.World.Vault.Mounts.Get(mount)!.Engine;

    [Fact]
    public async Task Creating_a_static_role_rotates_the_live_password_at_once()
    {
        var (mount, user, initial) = await SetUpAsync();
        Assert.True(await LogsInAsync(user, initial));
        var w = await sandbox.RootAsync("POST", $"{mount}/static-roles/st", new { db_name = "pg", username = user, rotation_period = "1h", rotation_statements = new[] { Rotation } });
        Assert.True(w.Code == 204, w.Text);

        JsonNode creds = await CredsAsync(mount, "st");
        string password = creds["password"]!.GetValue<string>();
        Assert.Equal(user, creds["username"]!.GetValue<string>());
        Assert.Equal(3600, creds["rotation_period"]!.GetValue<long>());
        Assert.InRange(creds["ttl"]!.GetValue<long>(), 3590, 3600);
        Assert.True(DateTimeOffset.UtcNow - DateTimeOffset.Parse(creds["last_vault_rotation"]!.GetValue<string>()) < TimeSpan.FromMinutes(1));
        Assert.Null(creds["rotation_schedule"]);
        Assert.False(await LogsInAsync(user, initial));
        Assert.True(await LogsInAsync(user, password));
        // No lease: static credentials are not revoked, only rotated.
        Assert.True((await sandbox.RootAsync("GET", $"{mount}/static-creds/st")).Json!["lease_id"]?.GetValue<string>() is null or "");
    }

    [Fact]
    public async Task Rotate_role_sets_a_new_password_and_restarts_the_period()
    {
        var (mount, user, _) = await SetUpAsync();
        await sandbox.RootAsync("POST", $"{mount}/static-roles/st", new { db_name = "pg", username = user, rotation_period = 3600 });
        string first = (await CredsAsync(mount, "st"))["password"]!.GetValue<string>();

        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/rotate-role/st")).Code);
        string second = (await CredsAsync(mount, "st"))["password"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        Assert.False(await LogsInAsync(user, first));
        Assert.True(await LogsInAsync(user, second));

        var unknown = await sandbox.RootAsync("POST", $"{mount}/rotate-role/nope");
        Assert.Equal(400, unknown.Code);
        Assert.Contains("no static role found", unknown.Errors[0]);
    }

    [Fact]
    public async Task A_rotation_period_rotates_for_real()
    {
        var (mount, user, _) = await SetUpAsync();
        await sandbox.RootAsync("POST", $"{mount}/static-roles/fast", new { db_name = "pg", username = user, rotation_period = "5s" });
        JsonNode before = await CredsAsync(mount, "fast");
        string old = before["password"]!.GetValue<string>();
        Assert.InRange(before["ttl"]!.GetValue<long>(), 0, 5);

        // Wait for the state (a new last_vault_rotation), not for a time.
        Assert.True(await SandboxFixture.EventuallyAsync(async () => (await CredsAsync(mount, "fast"))["password"]!.GetValue<string>() != old, TimeSpan.FromSeconds(30)));
        string current = (await CredsAsync(mount, "fast"))["password"]!.GetValue<string>();
        Assert.False(await LogsInAsync(user, old));
        Assert.True(await LogsInAsync(user, current) || (await CredsAsync(mount, "fast"))["password"]!.GetValue<string>() != current);
        Assert.Equal(204, (await sandbox.RootAsync("DELETE", $"{mount}/static-roles/fast")).Code);
    }

    [Fact]
    public async Task A_rotation_schedule_rotates_when_the_clock_hook_passes_the_scheduled_time()
    {
        var (mount, user, _) = await SetUpAsync();
        var w = await sandbox.RootAsync("POST", $"{mount}/static-roles/nightly", new { db_name = "pg", username = user, rotation_schedule = "0 3 * * *" });
        Assert.True(w.Code == 204, w.Text);
        JsonNode creds = await CredsAsync(mount, "nightly");
        string first = creds["password"]!.GetValue<string>();
        Assert.Equal("0 3 * * *", creds["rotation_schedule"]!.GetValue<string>());
        Assert.Null(creds["rotation_period"]);
        long ttl = creds["ttl"]!.GetValue<long>();
        Assert.InRange(ttl, 0, 24 * 3600);

        var rotations = Engine(mount).StaticRoles;
        await rotations.AdvanceClockAsync(TimeSpan.FromSeconds(Math.Max(0, ttl - 60)));
        Assert.Equal(first, (await CredsAsync(mount, "nightly"))["password"]!.GetValue<string>());
        Assert.True(await LogsInAsync(user, first));

        await rotations.AdvanceClockAsync(TimeSpan.FromMinutes(2));
        JsonNode after = await CredsAsync(mount, "nightly");
        string second = after["password"]!.GetValue<string>();
        Assert.NotEqual(first, second);
        Assert.False(await LogsInAsync(user, first));
        Assert.True(await LogsInAsync(user, second));
        // The next one is a day later, at 03:00 again.
        Assert.InRange(after["ttl"]!.GetValue<long>(), 24 * 3600 - 180, 24 * 3600);
        Assert.Equal(3, DateTimeOffset.Parse(after["last_vault_rotation"]!.GetValue<string>()).UtcDateTime.Hour);
    }

    [Fact]
    public async Task A_missed_rotation_window_waits_for_the_next_scheduled_time()
    {
        var (mount, user, _) = await SetUpAsync();
        await sandbox.RootAsync("POST", $"{mount}/static-roles/windowed", new { db_name = "pg", username = user, rotation_schedule = "0 3 * * *", rotation_window = "1h" });
        JsonNode creds = await CredsAsync(mount, "windowed");
        Assert.Equal(3600, creds["rotation_window"]!.GetValue<long>());
        string first = creds["password"]!.GetValue<string>();
        long ttl = creds["ttl"]!.GetValue<long>();

        // Jump straight past 03:00 + 1h: the rotation is skipped, and the next is tomorrow at 03:00.
        await Engine(mount).StaticRoles.AdvanceClockAsync(TimeSpan.FromSeconds(ttl) + TimeSpan.FromMinutes(90));
        JsonNode after = await CredsAsync(mount, "windowed");
        Assert.Equal(first, after["password"]!.GetValue<string>());
        Assert.InRange(after["ttl"]!.GetValue<long>(), 24 * 3600 - 90 * 60 - 120, 24 * 3600 - 90 * 60 + 60);
        Assert.True(await LogsInAsync(user, first));
    }

    [Fact]
    public async Task Reads_come_in_the_documented_shapes()
    {
        var (mount, user, _) = await SetUpAsync();
        await sandbox.RootAsync("POST", $"{mount}/static-roles/p", new { db_name = "pg", username = user, rotation_period = "90m", rotation_statements = new[] { Rotation } });
        JsonNode period = (await sandbox.RootAsync("GET", $"{mount}/static-roles/p")).Data!;
        Assert.Equal(5400, period["rotation_period"]!.GetValue<long>());
        Assert.Equal("pg", period["db_name"]!.GetValue<string>());
        Assert.Equal(user, period["username"]!.GetValue<string>());
        Assert.Equal(Rotation, period["rotation_statements"]![0]!.GetValue<string>());
        Assert.Equal("password", period["credential_type"]!.GetValue<string>());
        Assert.Null(period["password"]);

        // An update switches to a schedule without rotating.
        string before = (await CredsAsync(mount, "p"))["password"]!.GetValue<string>();
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/static-roles/p", new { rotation_schedule = "0 0 * * SAT", rotation_window = 7200 })).Code);
        JsonNode schedule = (await sandbox.RootAsync("GET", $"{mount}/static-roles/p")).Data!;
        Assert.Equal("0 0 * * SAT", schedule["rotation_schedule"]!.GetValue<string>());
        Assert.Equal(7200, schedule["rotation_window"]!.GetValue<long>());
        Assert.Null(schedule["rotation_period"]);
        Assert.Equal(before, (await CredsAsync(mount, "p"))["password"]!.GetValue<string>());

        var list = await sandbox.RootAsync("LIST", $"{mount}/static-roles");
        Assert.Equal("p", list.Data!["keys"]![0]!.GetValue<string>());
        // Deleting the role leaves the user and its password.
        Assert.Equal(204, (await sandbox.RootAsync("DELETE", $"{mount}/static-roles/p")).Code);
        Assert.Equal(404, (await sandbox.RootAsync("GET", $"{mount}/static-roles/p")).Code);
        Assert.True(await LogsInAsync(user, before));
        var gone = await sandbox.RootAsync("GET", $"{mount}/static-creds/p");
        Assert.Equal(400, gone.Code);
        Assert.Contains("unknown role", gone.Errors[0]);
    }

    public static TheoryData<string, string> RefusedBodies() => new()
    {
        { """{"db_name":"pg","username":"$USER","rotation_period":"4s"}""", "rotation_period must be 5 seconds or more" },
        { """{"db_name":"pg","username":"$USER","rotation_period":"1h","rotation_schedule":"0 3 * * *"}""", "mutually exclusive" },
        { """{"db_name":"pg","username":"$USER"}""", "one of rotation_schedule or rotation_period" },
        { """{"db_name":"pg","username":"$USER","rotation_period":"1h","rotation_window":"2h"}""", "rotation_window is invalid with use of rotation_period" },
        { """{"db_name":"pg","username":"$USER","rotation_schedule":"0 3 * * *","rotation_window":"59m"}""", "at least 3600 seconds" },
        { """{"db_name":"pg","username":"$USER","rotation_schedule":"@hourly"}""", "could not parse rotation_schedule" },
        { """{"db_name":"pg","username":"$USER","rotation_schedule":"0 0 3 * * *"}""", "could not parse rotation_schedule" },
        { """{"db_name":"pg","username":"$USER","rotation_schedule":"0 0 L * *"}""", "could not parse rotation_schedule" },
        { """{"db_name":"pg","rotation_period":"1h"}""", "username is a required field" },
        { """{"username":"$USER","rotation_period":"1h"}""", "empty database name" },
        { """{"db_name":"nope","username":"$USER","rotation_period":"1h"}""", "failed to find entry for connection" },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task Vaults_checks_refuse_bad_writes_and_leave_the_password_alone(string body, string error)
    {
        var (mount, user, initial) = await SetUpAsync();
        var r = await sandbox.RootAsync("POST", $"{mount}/static-roles/bad", JsonNode.Parse(body.Replace("$USER", user)));
        Assert.Equal(400, r.Code);
        Assert.Contains(error, r.Errors[0]);
        Assert.True(await LogsInAsync(user, initial));
        Assert.Equal(404, (await sandbox.RootAsync("GET", $"{mount}/static-roles/bad")).Code);
    }

    [Fact]
    public async Task Updates_cannot_change_the_user_or_the_connection_and_roles_must_be_allowed()
    {
        var (mount, user, _) = await SetUpAsync(allowedRoles: "st,other");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/static-roles/st", new { db_name = "pg", username = user, rotation_period = "1h" })).Code);
        var moved = await sandbox.RootAsync("POST", $"{mount}/static-roles/st", new { username = "someone_else" });
        Assert.Contains("cannot update static account username", moved.Errors[0]);
        var notAllowed = await sandbox.RootAsync("POST", $"{mount}/static-roles/unlisted", new { db_name = "pg", username = user, rotation_period = "1h" });
        Assert.Equal(400, notAllowed.Code);
        Assert.Contains("is not an allowed role", notAllowed.Errors[0]);
    }

    [Fact]
    public async Task A_user_that_does_not_exist_fails_the_create_and_stores_nothing()
    {
        var (mount, _, _) = await SetUpAsync();
        var r = await sandbox.RootAsync("POST", $"{mount}/static-roles/ghost", new { db_name = "pg", username = "no_such_user_" + Guid.NewGuid().ToString("n")[..8], rotation_period = "1h" });
        Assert.Equal(500, r.Code);
        Assert.Contains("error setting credentials", r.Errors[0]);
        Assert.Equal(404, (await sandbox.RootAsync("GET", $"{mount}/static-roles/ghost")).Code);
    }
}
