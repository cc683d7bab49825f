using System.Diagnostics;
using CrdbVault.Core.Secrets;
using Npgsql;

namespace CrdbVault.Core.Sql;

/// <summary>Who the server says you are after a real login.</summary>
public sealed record SqlLoginResult(string Server, int Port, string Database, string UserName, string ServerVersion, bool IsCockroachDb, TimeSpan Latency);

/// <summary>Opens a real SQL session (Npgsql; CockroachDB speaks the PostgreSQL wire protocol).</summary>
public static class SqlConnectionTester
{
    public static async Task<SqlLoginResult> TestAsync(SqlTarget target, CancellationToken ct)
    {
        string connectionString = SqlConnectionStrings.ToNpgsql(target, includePassword: true);
        var watch = Stopwatch.StartNew();
        try
        {
            // No pooling: a test login must really log in, and a revoked user must not linger in a pool.
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(ct).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT current_user, version()", connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            string user = reader.GetString(0);
            string version = reader.GetString(1);
            watch.Stop();
            return new SqlLoginResult(target.Server, target.Port, target.Database, user, version,
                version.StartsWith("CockroachDB", StringComparison.Ordinal), watch.Elapsed);
        }
        catch (PostgresException ex) when (ex.SqlState.StartsWith("28", StringComparison.Ordinal))
        {
            throw new SqlConnectionException(
                $"{target.Server}:{target.Port} refused the login of '{target.UserName}' ({ex.SqlState}: {ex.MessageText}). " +
                (target.Password is not null
                    ? "The password is wrong or expired (VALID UNTIL), or the lease was revoked: issue a new credential."
                    : "The client certificate is not accepted: check it was issued by the CA the cluster trusts and its CN is the user."),
                isAuthentication: true, ex.SqlState);
        }
        catch (PostgresException ex)
        {
            throw new SqlConnectionException($"{target.Server}:{target.Port} answered the login of '{target.UserName}' with {ex.SqlState}: " +
                $"{ex.MessageText}.", isAuthentication: ex.SqlState == "3D000" ? false : false, ex.SqlState);
        }
        catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
        {
            string why = ex.InnerException is System.Security.Authentication.AuthenticationException
                ? "the TLS handshake failed (check -RootCertificate and -SslMode; verify-full also checks the host name)"
                : ex.InnerException is System.Net.Sockets.SocketException se ? $"{se.SocketErrorCode} (is the server running and the port right?)"
                : ex.InnerException is TimeoutException || ex.Message.Contains("Timeout", StringComparison.OrdinalIgnoreCase) ? $"no answer within " +
                    $"{target.Timeout.TotalSeconds:0} s"
                : ex.Message;
            // The inner exception carries the real cause (never the password: Npgsql does not put it in messages).
            throw new SqlConnectionException($"Could not connect to {target.Server}:{target.Port}: {why}.", isAuthentication: false, inner: ex);
        }
        catch (TimeoutException) when (!ct.IsCancellationRequested)
        {
            throw new SqlConnectionException($"Could not connect to {target.Server}:{target.Port}: " +
                $"no answer within {target.Timeout.TotalSeconds:0} s.", isAuthentication: false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested
            && ex is IOException or System.Security.Authentication.AuthenticationException or System.Security.Cryptography.CryptographicException)
        {
            throw new SqlConnectionException($"Could not connect to {target.Server}:{target.Port}: {ex.Message}", isAuthentication: false);
        }
    }
}
