using System.Security.Cryptography.X509Certificates;
using CrdbVault.Sandbox.Postgres;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// The throwaway PostgreSQL is as strict as a secure CockroachDB cluster: TLS only, a server
/// certificate that verifies against the sandbox's CA, real scram password checks, client
/// certificates for certificate users, and no plaintext login at all.
/// </summary>
[Collection("sandbox")]
public sealed class PostgresLauncherTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Admin_url_and_connection_string_log_in()
    {
        var pg = sandbox.World.Postgres;
        Assert.Equal($"postgresql://{pg.AdminUser}:{pg.AdminPassword}@127.0.0.1:{pg.Port}/defaultdb?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}", pg.AdminUrl);
        await using var conn = new NpgsqlConnection(pg.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT rolsuper, (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()) FROM pg_roles WHERE rolname = current_user", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.True(reader.GetBoolean(1), "the admin session is not encrypted");
        Assert.True(Directory.Exists(pg.DataDirectory));
    }

    [Fact]
    public async Task The_admin_url_works_for_libpq_clients_and_names_defaultdb()
    {
        var pg = sandbox.World.Postgres;
        string psql = PsqlPath();
        const string Query = "SELECT current_database() || ' ' || (SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())";
        var psi = new System.Diagnostics.ProcessStartInfo(psql, ["-X", "-A", "-t", "-c", Query, pg.AdminUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string output = await p.StandardOutput.ReadToEndAsync();
        string error = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, error);
        Assert.Equal("defaultdb true", output.Trim());
    }

    [Fact]
    public async Task A_plaintext_login_is_refused_even_with_the_right_password()
    {
        var pg = sandbox.World.Postgres;
        var plaintext = new NpgsqlConnectionStringBuilder(pg.AdminConnectionString) { SslMode = SslMode.Disable, Pooling = false };
        var ex = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var conn = new NpgsqlConnection(plaintext.ConnectionString);
            await conn.OpenAsync();
        });
        Assert.Equal("28000", ex.SqlState); // invalid_authorization_specification: no pg_hba.conf entry
        Assert.Contains("no encryption", ex.MessageText);
    }

    [Fact]
    public async Task The_server_certificate_verifies_against_the_CA_for_127_0_0_1_and_not_for_another_name()
    {
        var pg = sandbox.World.Postgres;
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(pg.CaCertificatePath));
        using var server = X509Certificate2.CreateFromPem(pg.Tls.ServerCertificatePem);
        Assert.Equal("CN=Cockroach CA", ca.Subject);
        Assert.Equal("CN=node", server.Subject);
        Assert.True(server.MatchesHostname("127.0.0.1") && server.MatchesHostname("localhost"));
        Assert.False(server.MatchesHostname("db.example.com"));
        using var chain = new X509Chain { ChainPolicy = { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, CustomTrustStore = { ca } } };
        Assert.True(chain.Build(server));

        // verify-full to a name the certificate does not carry fails, as it must.
        var wrongName = new NpgsqlConnectionStringBuilder(pg.AdminConnectionString) { Host = "127.0.0.2", Pooling = false };
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var conn = new NpgsqlConnection(wrongName.ConnectionString);
            await conn.OpenAsync();
        });
    }

    [Fact]
    public async Task Members_of_the_certificate_login_role_need_a_client_certificate_not_a_password()
    {
        var pg = sandbox.World.Postgres;
        string user = SandboxFixture.Unique("certuser_");
        await using (var admin = new NpgsqlConnection(pg.AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE ROLE {user} LOGIN PASSWORD 'pw-Test-1' IN ROLE {PostgresLauncher.CertificateLoginRole}", admin);
            await cmd.ExecuteNonQueryAsync();
        }
        var ex = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var c = new NpgsqlConnection(pg.ConnectionString(user, "pw-Test-1"));
            await c.OpenAsync();
        });
        Assert.Equal("28000", ex.SqlState); // "certificate authentication failed": the password is not even asked for
    }

    private static string PsqlPath()
    {
        string? onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "psql")).FirstOrDefault(File.Exists);
        return onPath ?? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin", "psql")).First(File.Exists);
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
            await pg.WriteHbaAsync([$"host all {user} 127.0.0.1/32 reject", .. PostgresLauncher.DefaultHba]);
            await pg.ReloadAsync();
            await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var c = new NpgsqlConnection(pg.ConnectionString(user, "pw-Test-1"));
                await c.OpenAsync();
            });
        }
        finally
        {
            await pg.WriteHbaAsync(PostgresLauncher.DefaultHba);
            await pg.ReloadAsync();
        }
        await using var ok = new NpgsqlConnection(pg.ConnectionString(user, "pw-Test-1"));
        await ok.OpenAsync();
    }
}
