using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Npgsql;

namespace CrdbVault.Sandbox.Demo;

/// <summary>
/// Runs demo.ps1 in the real PowerShell engine against a running sandbox, then shows from the
/// database side that the revoked user is gone. Returns 0 on success.
/// </summary>
public static class HostedDemo
{
    /// <param name="vaultAddress">The Vault double's address.</param>
    /// <param name="rootToken">Its root token (the demo connects with it, as an admin would with theirs).</param>
    /// <param name="sqlAdminConnectionString">Npgsql connection string of the PostgreSQL superuser.</param>
    /// <param name="caCertificatePath">The CA that signed the server's certificate (clients verify the server with it).</param>
    public static async Task<int> RunAsync(string vaultAddress, string rootToken, string sqlAdminConnectionString, string caCertificatePath, string modulePath)
    {
        var admin = new NpgsqlConnectionStringBuilder(sqlAdminConnectionString);
        if (!File.Exists(modulePath))
        {
            Console.Error.WriteLine($"demo: the module is not built at {modulePath}; run 'dotnet build' first.");
            return 1;
        }

        // What a DBA does once in SQL: a group role the dynamic users join (docs/cockroachdb-notes.md#sql-users).
        Console.WriteLine("sql> CREATE ROLE app_rw; GRANT CONNECT ON DATABASE postgres TO app_rw;");
        await using (var connection = new NpgsqlConnection(sqlAdminConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_rw') THEN CREATE ROLE app_rw; END IF; END $$; GRANT CONNECT ON DATABASE postgres TO app_rw;", connection);
            await cmd.ExecuteNonQueryAsync();
        }

        Environment.SetEnvironmentVariable("NO_COLOR", "1");
        string script = Path.Combine(AppContext.BaseDirectory, "Demo", "demo.ps1");
        var iss = InitialSessionState.CreateDefault2();
        using Runspace runspace = RunspaceFactory.CreateRunspace(new DemoHost(), iss);
        runspace.Open();
        using (var init = PowerShell.Create())
        {
            init.Runspace = runspace;
            init.AddScript("$PSStyle.OutputRendering = 'PlainText'").Invoke();
        }

        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand(script)
            .AddParameter("ModulePath", modulePath)
            .AddParameter("VaultAddress", vaultAddress)
            .AddParameter("VaultToken", rootToken)
            .AddParameter("SqlHost", admin.Host)
            .AddParameter("SqlPort", admin.Port)
            .AddParameter("SqlAdmin", admin.Username)
            .AddParameter("SqlAdminPassword", admin.Password)
            .AddParameter("CaCertificate", caCertificatePath);
        ps.Streams.Error.DataAdded += (s, e) => Console.WriteLine("ERROR: " + ((PSDataCollection<ErrorRecord>)s!)[e.Index]);

        string? user;
        try
        {
            user = ps.Invoke().LastOrDefault()?.BaseObject as string;
        }
        catch (RuntimeException ex)
        {
            Console.WriteLine($"demo failed: [{ex.ErrorRecord.FullyQualifiedErrorId}] {ex.Message}");
            return 1;
        }
        // Step 8 provokes one error on purpose (-ErrorAction SilentlyContinue); any other failure is terminating.
        if (user is null)
        {
            Console.WriteLine("demo failed: the script reported errors.");
            return 1;
        }

        Console.WriteLine($"\nsql> SELECT count(*) FROM pg_roles WHERE rolname = '{user}';");
        await using (var connection = new NpgsqlConnection(sqlAdminConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = $1", connection);
            cmd.Parameters.AddWithValue(user);
            long left = (long)(await cmd.ExecuteScalarAsync())!;
            Console.WriteLine(left);
            if (left != 0)
            {
                Console.WriteLine($"demo failed: role {user} is still in the database.");
                return 1;
            }
        }
        Console.WriteLine("\nDemo complete: issued, used, renewed and revoked a CockroachDB credential through Vault; the SQL user is gone.");
        return 0;
    }
}
