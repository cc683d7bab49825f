using System.Text;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using Npgsql;

namespace CrdbVault.Core.Sql;

/// <summary>libpq URLs and ADO.NET (Npgsql) connection strings for a <see cref="SqlTarget"/>.</summary>
public static class SqlConnectionStrings
{
    /// <summary>
    /// <c>postgresql://user[:password]@host:port/db?sslmode=...&amp;sslrootcert=...&amp;sslcert=...&amp;sslkey=...</c>,
    /// the form cockroach sql, psql and most drivers take. The password only when asked.
    /// </summary>
    public static string ToLibpqUrl(SqlTarget target, bool includePassword)
    {
        var sb = new StringBuilder("postgresql://");
        sb.Append(Uri.EscapeDataString(target.UserName));
        if (includePassword && target.Password is not null)
            sb.Append(':').Append(Uri.EscapeDataString(SecureStrings.Reveal(target.Password)));
        string host = target.Server.Contains(':') && !target.Server.StartsWith('[') ? $"[{target.Server}]" : target.Server;
        sb.Append('@').Append(host).Append(':').Append(target.Port).Append('/').Append(Uri.EscapeDataString(target.Database));
        var query = new List<string> { "sslmode=" + SqlTarget.LibpqName(target.SslMode) };
        if (target.RootCertificatePath is not null) query.Add("sslrootcert=" + Uri.EscapeDataString(target.RootCertificatePath));
        if (target.ClientCertificatePath is not null) query.Add("sslcert=" + Uri.EscapeDataString(target.ClientCertificatePath));
        if (target.ClientKeyPath is not null) query.Add("sslkey=" + Uri.EscapeDataString(target.ClientKeyPath));
        sb.Append('?').Append(string.Join('&', query));
        return sb.ToString();
    }

    /// <summary>
    /// A connection string to hand to the caller (Get-CrdbConnectionString): a libpq URL, or an
    /// Npgsql string with <paramref name="adoNet"/>. One that carries the password is registered for
    /// CI masking before it is returned (docs/ci-pipelines.md).
    /// </summary>
    public static string ForCaller(SqlTarget target, bool adoNet, bool includePassword)
    {
        string text = adoNet ? ToNpgsql(target, includePassword) : ToLibpqUrl(target, includePassword);
        if (includePassword && target.Password is not null) CiMasking.RegisterConnectionString(text, target.Password);
        return text;
    }

    /// <summary>An Npgsql (ADO.NET) connection string. The password only when asked.</summary>
    public static string ToNpgsql(SqlTarget target, bool includePassword)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = target.Server,
            Port = target.Port,
            Database = target.Database,
            Username = target.UserName,
            SslMode = target.SslMode switch
            {
                SqlSslMode.Disable => SslMode.Disable,
                SqlSslMode.Allow => SslMode.Allow,
                SqlSslMode.Prefer => SslMode.Prefer,
                SqlSslMode.Require => SslMode.Require,
                SqlSslMode.VerifyCA => SslMode.VerifyCA,
                _ => SslMode.VerifyFull,
            },
            Timeout = Math.Max(1, (int)Math.Ceiling(target.Timeout.TotalSeconds)),
            Pooling = false,
            ApplicationName = "CrdbVault",
        };
        if (includePassword && target.Password is not null) b.Password = SecureStrings.Reveal(target.Password);
        if (target.RootCertificatePath is not null) b.RootCertificate = target.RootCertificatePath;
        if (target.ClientCertificatePath is not null) b.SslCertificate = target.ClientCertificatePath;
        if (target.ClientKeyPath is not null) b.SslKey = target.ClientKeyPath;
        return b.ConnectionString;
    }
}
