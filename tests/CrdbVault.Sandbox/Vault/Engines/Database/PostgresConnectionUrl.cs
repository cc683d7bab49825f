using System.Text;
using Npgsql;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>
/// Turns what Vault's postgres plugin accepts as <c>connection_url</c> (a libpq URL
/// <c>postgresql://user:pass@host:port/db?sslmode=...</c> or libpq <c>key=value</c> pairs) into an
/// Npgsql connection string.
/// </summary>
public static class PostgresConnectionUrl
{
    public static NpgsqlConnectionStringBuilder ToNpgsql(string connectionUrl, int maxPoolSize)
    {
        Dictionary<string, string> p = connectionUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || connectionUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? ParseUrl(connectionUrl)
            : ParseKeyValue(connectionUrl);

        var b = new NpgsqlConnectionStringBuilder
        {
            Host = p.GetValueOrDefault("host", "localhost"),
            Username = p.GetValueOrDefault("user"),
            Password = p.GetValueOrDefault("password"),
            // libpq's default database is the user name.
            Database = p.GetValueOrDefault("dbname") ?? p.GetValueOrDefault("user"),
            MaxPoolSize = Math.Max(1, maxPoolSize),
            Timeout = 10,
        };
        if (p.TryGetValue("port", out string? port) && int.TryParse(port, out int portNumber)) b.Port = portNumber;
        if (p.TryGetValue("sslmode", out string? mode)) b.SslMode = mode switch
        {
            "disable" => SslMode.Disable,
            "allow" => SslMode.Allow,
            "prefer" => SslMode.Prefer,
            "require" => SslMode.Require,
            "verify-ca" => SslMode.VerifyCA,
            "verify-full" => SslMode.VerifyFull,
            _ => throw new FormatException($"invalid sslmode \"{mode}\""),
        };
        if (p.TryGetValue("sslrootcert", out string? root)) b.RootCertificate = root;
        if (p.TryGetValue("sslcert", out string? cert)) b.SslCertificate = cert;
        if (p.TryGetValue("sslkey", out string? key)) b.SslKey = key;
        if (p.TryGetValue("sslpassword", out string? keyPassword)) b.SslPassword = keyPassword;
        if (p.TryGetValue("connect_timeout", out string? timeout) && int.TryParse(timeout, out int seconds) && seconds > 0) b.Timeout = seconds;
        if (p.TryGetValue("application_name", out string? app)) b.ApplicationName = app;
        if (p.TryGetValue("options", out string? options)) b.Options = options;
        return b;
    }

    private static Dictionary<string, string> ParseUrl(string url)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        string rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        int q = rest.IndexOf('?');
        string query = q < 0 ? "" : rest[(q + 1)..];
        if (q >= 0) rest = rest[..q];
        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash];
        string path = slash < 0 ? "" : rest[(slash + 1)..];
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            string userInfo = authority[..at];
            authority = authority[(at + 1)..];
            int colon = userInfo.IndexOf(':');
            p["user"] = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            if (colon >= 0) p["password"] = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        if (authority.Contains(','))
            p["host"] = authority; // several hosts: Npgsql takes "h1:p1,h2:p2" as is
        else if (authority.StartsWith('['))
        {
            int end = authority.IndexOf(']');
            p["host"] = authority[1..end];
            if (end + 1 < authority.Length && authority[end + 1] == ':') p["port"] = authority[(end + 2)..];
        }
        else if (authority.Length > 0)
        {
            int colon = authority.LastIndexOf(':');
            p["host"] = Uri.UnescapeDataString(colon < 0 ? authority : authority[..colon]);
            if (colon >= 0) p["port"] = authority[(colon + 1)..];
        }
        if (path.Length > 0) p["dbname"] = Uri.UnescapeDataString(path);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=');
            string k = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            string v = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            p[k] = v;
        }
        return p;
    }

    /// <summary>libpq keyword/value form: <c>host=h port=5432 user='a b'</c>.</summary>
    private static Dictionary<string, string> ParseKeyValue(string text)
    {
        var p = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            int eq = text.IndexOf('=', i);
            if (eq < 0) throw new FormatException("missing \"=\" after \"" + text[i..] + "\" in connection info string");
            string key = text[i..eq].Trim();
            i = eq + 1;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '\'')
            {
                for (i++; i < text.Length && text[i] != '\''; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i]);
                }
                i++;
            }
            else
            {
                for (; i < text.Length && !char.IsWhiteSpace(text[i]); i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    value.Append(text[i]);
                }
            }
            p[key] = value.ToString();
        }
        return p;
    }
}
