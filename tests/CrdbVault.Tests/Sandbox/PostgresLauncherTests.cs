using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>The throwaway PostgreSQL really checks passwords and listens only on 127.0.0.1.</summary>
[Collection("sandbox")]
public sealed class PostgresLauncherTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Admin_url_and_connection_string_log_in()
    {
        var pg = sandbox.World.Postgres;
        Assert.Equal($"postgresql://{pg.AdminUser}:{pg.AdminPassword}@127.0.0.1:{pg.Port}/postgres", pg.AdminUrl);
        await using var conn = new NpgsqlConnection(pg.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", conn);
        Assert.True((bool)(await cmd.ExecuteScalarAsync())!);
        Assert.True(Directory.Exists(pg.DataDirectory));
    }

    [Fact]
    public async Task Wrong_password_is_refused_by_scram()
    {
        var pg = sandbox.World.Postgres;
        var ex = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var conn = new NpgsqlConnection(pg.ConnectionString(pg.AdminUser, "not-the-password"));
            await conn.OpenAsync();
        });
        Assert.Equal("28P01", ex.SqlState);
    }

    [Fact]
    public async Task Hba_rewrite_and_reload_take_effect()
    {
        var pg = sandbox.World.Postgres;
        string user = SandboxFixture.Unique("hba_");
        await using (var admin = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE {user} LOGIN PASSWORD 'pw-Test-1'", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        try
        {
            await pg.WriteHbaAsync([$"host all {user} 127.0.0.1/32 reject", .. CrdbVault.Sandbox.Postgres.PostgresLauncher.DefaultHba]);
            await pg.ReloadAsync();
            await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var c = new NpgsqlConnection(pg.ConnectionString(user, "pw-Test-1"));
                await c.OpenAsync();
            });
        }
        finally
        {
            await pg.WriteHbaAsync(CrdbVault.Sandbox.Postgres.PostgresLauncher.DefaultHba);
            await pg.ReloadAsync();
        }
        await using var ok = new NpgsqlConnection(pg.ConnectionString(user, "pw-Test-1"));
        await ok.OpenAsync();
    }
}
