using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>The database engine creates, renews and drops REAL PostgreSQL roles under real leases.</summary>
[Collection("sandbox")]
public sealed class DatabaseEngineTests(SandboxFixture sandbox)
{
    private const string Creation = "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';";

    /// <summary>A fresh mount with connection "pg" (all roles allowed) and role "app".</summary>
    private async Task<string> SetUpAsync(object? roleBody = null, string? usernameTemplate = null)
    {
        string mount = SandboxFixture.Unique("db");
        var pg = sandbox.World.Postgres;
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "database" })).Code);
        var config = new JsonObject
        {
            ["plugin_name"] = "postgresql-database-plugin",
            ["connection_url"] = $"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{pg.Port}/postgres?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}",
            ["username"] = pg.AdminUser,
            ["password"] = pg.AdminPassword,
            ["allowed_roles"] = "*",
        };
        if (usernameTemplate is not null) config["username_template"] = usernameTemplate;
        var written = await sandbox.RootAsync("POST", $"{mount}/config/pg", config);
        Assert.True(written.Code == 204, written.Text);
        var role = await sandbox.RootAsync("POST", $"{mount}/roles/app", roleBody ?? new { db_name = "pg", creation_statements = new[] { Creation }, default_ttl = "1h", max_ttl = "2h" });
        Assert.True(role.Code == 204, role.Text);
        return mount;
    }

    [Fact]
    public async Task Creds_create_a_real_role_that_can_log_in_and_revoke_drops_it()
    {
        string mount = await SetUpAsync();
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        Assert.Equal(HttpStatusCode.OK, creds.Status);
        string user = creds.Data!["username"]!.GetValue<string>();
        string password = creds.Data!["password"]!.GetValue<string>();
        string leaseId = creds.Json!["lease_id"]!.GetValue<string>();
        Assert.StartsWith($"{mount}/creds/app/", leaseId);
        Assert.Equal(3600, creds.Json!["lease_duration"]!.GetValue<long>());
        Assert.True(creds.Json!["renewable"]!.GetValue<bool>());
        Assert.Matches("^v-token-app-[A-Za-z0-9]{20}-[0-9]{10}$", user);
        Assert.Equal(20, password.Length);

        Assert.True(await sandbox.PgRoleExistsAsync(user));
        await using (var conn = new NpgsqlConnection(sandbox.World.Postgres.ConnectionString(user, password)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT current_user", conn);
            Assert.Equal(user, (string)(await cmd.ExecuteScalarAsync())!);
        }

        var lookup = await sandbox.RootAsync("PUT", "sys/leases/lookup", new { lease_id = leaseId });
        Assert.Equal(leaseId, lookup.Data!["id"]!.GetValue<string>());
        Assert.Null(lookup.Data!["last_renewal"]);
        Assert.InRange(lookup.Data!["ttl"]!.GetValue<long>(), 3590, 3600);

        Assert.Equal(204, (await sandbox.RootAsync("PUT", "sys/leases/revoke", new { lease_id = leaseId, sync = true })).Code);
        Assert.False(await sandbox.PgRoleExistsAsync(user));
        var gone = await sandbox.RootAsync("PUT", "sys/leases/lookup", new { lease_id = leaseId });
        Assert.Equal(HttpStatusCode.BadRequest, gone.Status);
        Assert.Equal("invalid lease", gone.Errors[0]);
    }

    [Fact]
    public async Task Expired_lease_drops_the_role()
    {
        string mount = await SetUpAsync(new { db_name = "pg", creation_statements = Creation, default_ttl = 1, max_ttl = "5s" });
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string user = creds.Data!["username"]!.GetValue<string>();
        Assert.Equal(1, creds.Json!["lease_duration"]!.GetValue<long>());
        Assert.True(await sandbox.PgRoleExistsAsync(user));
        Assert.True(await SandboxFixture.EventuallyAsync(async () => !await sandbox.PgRoleExistsAsync(user), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Renew_is_capped_by_max_ttl_with_vaults_warning_and_runs_the_renew_statement()
    {
        string mount = await SetUpAsync(new { db_name = "pg", creation_statements = Creation, default_ttl = "30s", max_ttl = "60s" });
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string leaseId = creds.Json!["lease_id"]!.GetValue<string>();
        string user = creds.Data!["username"]!.GetValue<string>();

        var renewed = await sandbox.RootAsync("PUT", "sys/leases/renew", new { lease_id = leaseId, increment = "1h" });
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        Assert.Equal(leaseId, renewed.Json!["lease_id"]!.GetValue<string>());
        Assert.InRange(renewed.Json!["lease_duration"]!.GetValue<long>(), 55, 60);
        string warning = renewed.Json!["warnings"]![0]!.GetValue<string>();
        Assert.StartsWith("TTL of \"1h0m0s\" exceeded the effective max_ttl of \"", warning);
        Assert.EndsWith("\"; TTL value is capped accordingly", warning);

        var lookup = await sandbox.RootAsync("PUT", "sys/leases/lookup", new { lease_id = leaseId });
        Assert.NotNull(lookup.Data!["last_renewal"]);

        // The default renew statement moved VALID UNTIL to the new expiry.
        await using var conn = new NpgsqlConnection(sandbox.World.Postgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1", conn);
        cmd.Parameters.AddWithValue(user);
        var validUntil = (DateTime)(await cmd.ExecuteScalarAsync())!;
        Assert.InRange((validUntil.ToUniversalTime() - DateTime.UtcNow).TotalSeconds, 45, 65);

        var small = await sandbox.RootAsync("PUT", $"sys/leases/renew/{leaseId}", new { increment = 10 });
        Assert.Equal(10, small.Json!["lease_duration"]!.GetValue<long>());
        Assert.Null(small.Json!["warnings"]);
    }

    [Fact]
    public async Task Listing_and_revoke_prefix_need_sudo()
    {
        string mount = await SetUpAsync();
        var a = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        var b = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string userA = a.Data!["username"]!.GetValue<string>(), userB = b.Data!["username"]!.GetValue<string>();

        var top = await sandbox.RootAsync("LIST", $"sys/leases/lookup/{mount}/creds/");
        Assert.Equal(["app/"], top.Data!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
        var leaves = await sandbox.RootAsync("LIST", $"sys/leases/lookup/{mount}/creds/app/");
        Assert.Equal(2, leaves.Data!["keys"]!.AsArray().Count);
        Assert.Contains(a.Json!["lease_id"]!.GetValue<string>().Split('/').Last(), leaves.Data!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));

        string policy = SandboxFixture.Unique("p");
        sandbox.World.Vault.WritePolicy(policy, "path \"sys/leases/*\" { capabilities = [\"create\", \"read\", \"update\", \"list\"] }");
        string noSudo = sandbox.World.Vault.CreateToken([policy]).Id;
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("LIST", $"sys/leases/lookup/{mount}/creds/app/", noSudo)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("PUT", $"sys/leases/revoke-prefix/{mount}/creds/app", noSudo)).Status);

        sandbox.World.Vault.WritePolicy(policy, "path \"sys/leases/*\" { capabilities = [\"update\", \"list\", \"sudo\"] }");
        Assert.Equal(204, (await sandbox.SendAsync("PUT", $"sys/leases/revoke-prefix/{mount}/creds/app", noSudo, new { sync = true })).Code);
        Assert.False(await sandbox.PgRoleExistsAsync(userA));
        Assert.False(await sandbox.PgRoleExistsAsync(userB));
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.RootAsync("LIST", $"sys/leases/lookup/{mount}/creds/app/")).Status);
    }

    [Fact]
    public async Task Async_revoke_finishes_promptly()
    {
        string mount = await SetUpAsync();
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string user = creds.Data!["username"]!.GetValue<string>();
        Assert.Equal(204, (await sandbox.RootAsync("PUT", "sys/leases/revoke", new { lease_id = creds.Json!["lease_id"]!.GetValue<string>() })).Code);
        Assert.True(await SandboxFixture.EventuallyAsync(async () => !await sandbox.PgRoleExistsAsync(user), TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task Custom_revocation_and_failures_keep_the_lease()
    {
        string mount = await SetUpAsync(new
        {
            db_name = "pg",
            creation_statements = Creation,
            revocation_statements = new[] { "DROP ROLE \"{{name}}\"; SELECT 1/0;" },
        });
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string leaseId = creds.Json!["lease_id"]!.GetValue<string>();
        string user = creds.Data!["username"]!.GetValue<string>();

        var failed = await sandbox.RootAsync("PUT", "sys/leases/revoke", new { lease_id = leaseId, sync = true });
        Assert.Equal(HttpStatusCode.BadRequest, failed.Status);
        Assert.StartsWith("failed to revoke entry: ", failed.Errors[0]);
        Assert.True(await sandbox.PgRoleExistsAsync(user)); // one transaction: the DROP was rolled back
        Assert.Equal(HttpStatusCode.OK, (await sandbox.RootAsync("PUT", "sys/leases/lookup", new { lease_id = leaseId })).Status);

        // Fix the role; the revocation now works with the role as it is now.
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/roles/app", new { revocation_statements = "DROP ROLE IF EXISTS \"{{name}}\";" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("PUT", $"sys/leases/revoke/{leaseId}", new { sync = true })).Code);
        Assert.False(await sandbox.PgRoleExistsAsync(user));
    }

    [Fact]
    public async Task Creation_failure_rolls_back_and_answers_500()
    {
        string name = SandboxFixture.Unique("rb_");
        string mount = await SetUpAsync(new
        {
            db_name = "pg",
            // Base64 of two statements: the second fails, so the first must not stay.
            creation_statements = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"CREATE ROLE {name}; SELECT nonsense FROM nowhere;")),
        });
        var r = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        Assert.Equal(HttpStatusCode.InternalServerError, r.Status);
        Assert.Contains("failed to create user", r.Errors[0]);
        Assert.False(await sandbox.PgRoleExistsAsync(name));
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.RootAsync("LIST", $"sys/leases/lookup/{mount}/creds/")).Status);
    }

    [Fact]
    public async Task Unknown_and_disallowed_roles_use_vaults_texts()
    {
        string mount = await SetUpAsync();
        var unknown = await sandbox.RootAsync("GET", $"{mount}/creds/nope");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
        Assert.Equal("unknown role: nope", unknown.Errors[0]);

        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/config/pg", new { allowed_roles = "other,app-*" })).Code);
        var disallowed = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        Assert.Equal(HttpStatusCode.BadRequest, disallowed.Status);
        Assert.Equal("\"app\" is not an allowed role", disallowed.Errors[0]);
    }

    [Fact]
    public async Task Config_read_hides_the_password_and_bad_settings_are_rejected()
    {
        string mount = await SetUpAsync();
        var read = await sandbox.RootAsync("GET", $"{mount}/config/pg");
        Assert.Equal("postgresql-database-plugin", read.Data!["plugin_name"]!.GetValue<string>());
        Assert.Equal(sandbox.World.Postgres.AdminUser, read.Data!["connection_details"]!["username"]!.GetValue<string>());
        Assert.StartsWith("postgresql://{{username}}:{{password}}@", read.Data!["connection_details"]!["connection_url"]!.GetValue<string>());
        Assert.DoesNotContain(sandbox.World.Postgres.AdminPassword, read.Text);
        Assert.Equal(["*"], read.Data!["allowed_roles"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["pg"], (await sandbox.RootAsync("LIST", $"{mount}/config")).Data!["keys"]!.AsArray().Select(x => x!.GetValue<string>()));

        var badPassword = await sandbox.RootAsync("POST", $"{mount}/config/bad", new
        {
            plugin_name = "postgresql-database-plugin",
            connection_url = $"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{sandbox.World.Postgres.Port}/postgres?sslmode=verify-full&sslrootcert={sandbox.World.Postgres.CaCertificatePath}",
            username = sandbox.World.Postgres.AdminUser,
            password = "wrong",
        });
        Assert.Equal(HttpStatusCode.BadRequest, badPassword.Status);
        Assert.Contains("password authentication failed", badPassword.Errors[0]);

        var badPlugin = await sandbox.RootAsync("POST", $"{mount}/config/bad", new { plugin_name = "mysql-database-plugin", connection_url = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, badPlugin.Status);
        Assert.Contains("invalid database plugin", badPlugin.Errors[0]);

        var badTemplate = await sandbox.RootAsync("POST", $"{mount}/config/pg", new { username_template = "{{ .RoleName | nosuchfunc }}" });
        Assert.Equal(HttpStatusCode.BadRequest, badTemplate.Status);

        var role = await sandbox.RootAsync("GET", $"{mount}/roles/app");
        Assert.Equal(3600, role.Data!["default_ttl"]!.GetValue<long>());
        Assert.Equal(7200, role.Data!["max_ttl"]!.GetValue<long>());
    }

    [Fact]
    public async Task Username_template_of_the_connection_is_used()
    {
        string mount = await SetUpAsync(usernameTemplate: "{{ printf \"v-%s-%s-%s\" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 10) | lowercase }}");
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        string user = creds.Data!["username"]!.GetValue<string>();
        Assert.Matches("^v-token-app-[a-z0-9]{10}$", user);
        Assert.True(await sandbox.PgRoleExistsAsync(user));
        Assert.Equal(204, (await sandbox.RootAsync("PUT", "sys/leases/revoke", new { lease_id = creds.Json!["lease_id"]!.GetValue<string>(), sync = true })).Code);
    }

    [Fact]
    public async Task Rotate_root_changes_the_password_only_vault_knows()
    {
        // Its own login role: rotating the shared admin would lock every other test out.
        string owner = SandboxFixture.Unique("vault_root_");
        await using (var admin = new NpgsqlConnection(sandbox.World.Postgres.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE {owner} WITH LOGIN CREATEROLE PASSWORD 'first-Pass-1'", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        string mount = SandboxFixture.Unique("db");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "database" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/config/pg", new
        {
            plugin_name = "postgresql-database-plugin",
            connection_url = $"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{sandbox.World.Postgres.Port}/postgres?sslmode=verify-full&sslrootcert={sandbox.World.Postgres.CaCertificatePath}",
            username = owner, password = "first-Pass-1", allowed_roles = new[] { "app" },
        })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/rotate-root/pg")).Code);

        await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var old = new NpgsqlConnection(sandbox.World.Postgres.ConnectionString(owner, "first-Pass-1"));
            await old.OpenAsync();
        });
        // Vault still can: issue a credential through the rotated connection.
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"{mount}/roles/app", new { db_name = "pg", creation_statements = Creation })).Code);
        var creds = await sandbox.RootAsync("GET", $"{mount}/creds/app");
        Assert.Equal(HttpStatusCode.OK, creds.Status);
        // Disabling revokes its leases. PostgreSQL refuses concurrent ACL changes on one database
        // ("tuple concurrently updated") while the expiry sweeper revokes other tests' users, so a
        // failed disable is retried as an operator would.
        VaultHttpResult? disabled = null;
        Assert.True(await SandboxFixture.EventuallyAsync(async () => (disabled = await sandbox.RootAsync("DELETE", $"sys/mounts/{mount}")).Code == 204, TimeSpan.FromSeconds(10)), disabled?.Text);
        Assert.False(await sandbox.PgRoleExistsAsync(creds.Data!["username"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Revoking_the_token_revokes_its_leases()
    {
        string mount = await SetUpAsync();
        string policy = SandboxFixture.Unique("p");
        sandbox.World.Vault.WritePolicy(policy, $"path \"{mount}/creds/app\" {{ capabilities = [\"read\"] }}");
        string token = sandbox.World.Vault.CreateToken([policy]).Id;
        var creds = await sandbox.SendAsync("GET", $"{mount}/creds/app", token);
        string user = creds.Data!["username"]!.GetValue<string>();
        Assert.True(await sandbox.PgRoleExistsAsync(user));
        Assert.Equal(204, (await sandbox.SendAsync("POST", "auth/token/revoke-self", token)).Code);
        Assert.False(await sandbox.PgRoleExistsAsync(user));
    }
}
