using Npgsql;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>
/// The SQL side of Vault's postgresql-database-plugin: statements with {{name}}-style
/// placeholders run in one transaction, and the plugin's default revocation and renewal.
/// </summary>
public static class PostgresStatements
{
    /// <summary>The plugin's renew statement when a role has none.</summary>
    public const string DefaultRenew = "ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}';";

    /// <summary>The plugin's root rotation statement when the connection has none.</summary>
    public const string DefaultRootRotation = "ALTER ROLE \"{{username}}\" WITH PASSWORD '{{password}}';";

    /// <summary>Vault's expiration format for VALID UNTIL: Go layout "2006-01-02 15:04:05-0700", in UTC.</summary>
    public static string Expiration(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "+0000";

    /// <summary>
    /// Splits each statement on ';' (as the plugin does), fills {{key}} placeholders, and runs them all
    /// in one transaction: all or nothing.
    /// </summary>
    public static async Task ExecuteInTransactionAsync(NpgsqlConnection conn, IEnumerable<string> statements, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        await using NpgsqlTransaction tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        foreach (string query in Queries(statements, values))
        {
            await using var cmd = new NpgsqlCommand(query, conn, tx);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    public static IEnumerable<string> Queries(IEnumerable<string> statements, IReadOnlyDictionary<string, string> values)
    {
        foreach (string statement in statements)
        {
            foreach (string part in statement.Split(';'))
            {
                string query = part.Trim();
                if (query.Length == 0) continue;
                foreach (var (k, v) in values) query = query.Replace("{{" + k + "}}", v, StringComparison.Ordinal);
                yield return query;
            }
        }
    }

    /// <summary>
    /// The plugin's revocation when a role has no revocation_statements: skip if the role does not
    /// exist (compared with the name exactly as generated), revoke what it holds, then DROP ROLE IF EXISTS.
    /// </summary>
    public static async Task DefaultRevokeAsync(NpgsqlConnection conn, string username, CancellationToken ct)
    {
        await using (var exists = new NpgsqlCommand("SELECT exists (SELECT rolname FROM pg_roles WHERE rolname=$1);", conn))
        {
            exists.Parameters.AddWithValue(username);
            if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true) return;
        }

        string user = QuoteIdentifier(username);
        var revocations = new List<string>();
        await using (var schemas = new NpgsqlCommand("SELECT DISTINCT table_schema FROM information_schema.role_column_grants WHERE grantee=$1;", conn))
        {
            schemas.Parameters.AddWithValue(username);
            await using NpgsqlDataReader reader = await schemas.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                string schema = QuoteIdentifier(reader.GetString(0));
                revocations.Add($"REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA {schema} FROM {user};");
                revocations.Add($"REVOKE USAGE ON SCHEMA {schema} FROM {user};");
            }
        }
        revocations.Add($"REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM {user};");
        revocations.Add($"REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM {user};");
        revocations.Add($"REVOKE USAGE ON SCHEMA public FROM {user};");
        await using (var db = new NpgsqlCommand("SELECT current_database();", conn))
        {
            if (await db.ExecuteScalarAsync(ct).ConfigureAwait(false) is string dbName)
                revocations.Add($"REVOKE CONNECT ON DATABASE {QuoteIdentifier(dbName)} FROM {user};");
        }

        // Like the plugin: try every revocation, remember the last error, only then give up.
        Exception? last = null;
        foreach (string query in revocations)
        {
            try
            {
                await using var cmd = new NpgsqlCommand(query, conn);
                await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) { last = ex; }
        }
        if (last is not null) throw new InvalidOperationException("could not perform all revocation statements: " + last.Message, last);

        await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {user};", conn);
        await drop.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>pq.QuoteIdentifier: double quotes, embedded quotes doubled.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}
