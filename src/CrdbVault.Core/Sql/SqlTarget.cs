using System.Security;

namespace CrdbVault.Core.Sql;

/// <summary>TLS modes as libpq names them.</summary>
public enum SqlSslMode { Disable, Allow, Prefer, Require, VerifyCA, VerifyFull }

/// <summary>Where and as whom to open a SQL session: a password or a client certificate.</summary>
public sealed class SqlTarget
{
    public required string Server { get; init; }
    public int Port { get; init; } = 26257;
    public string Database { get; init; } = "defaultdb";
    public required string UserName { get; init; }

    /// <summary>Password login; null for certificate login.</summary>
    public SecureString? Password { get; init; }

    /// <summary>Client certificate and key files (PEM) for certificate login.</summary>
    public string? ClientCertificatePath { get; init; }
    public string? ClientKeyPath { get; init; }

    /// <summary>PEM of the CA that signed the server's certificate.</summary>
    public string? RootCertificatePath { get; init; }
    public SqlSslMode SslMode { get; init; } = SqlSslMode.VerifyFull;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    public override string ToString() => $"{UserName}@{Server}:{Port}/{Database}";

    public static string LibpqName(SqlSslMode mode) => mode switch
    {
        SqlSslMode.VerifyCA => "verify-ca",
        SqlSslMode.VerifyFull => "verify-full",
        _ => mode.ToString().ToLowerInvariant(),
    };
}
