using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Sql;

namespace CrdbVault.Infrastructure;

/// <summary>
/// The parameters that say where a SQL session goes (server, port, database, TLS), shared by
/// Test-CrdbConnection and Get-CrdbConnectionString so both read and check them the same way.
/// </summary>
[InputErrorId("InvalidConnectionArgument")]
public abstract class SqlTargetCmdlet : CrdbCmdlet
{
    /// <summary>Host name or IP address of the cluster (or its load balancer): the host only, no port, path or query.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.Host)]
    public string Server { get; set; } = "";

    /// <summary>The SQL port. Default 26257, CockroachDB's.</summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 26257;

    /// <summary>The database. Default defaultdb.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.NameSegment)]
    public string Database { get; set; } = "defaultdb";

    /// <summary>PEM file of the CA that signed the cluster's certificate (ca.crt, or the Cloud cluster CA); becomes sslrootcert.</summary>
    [Parameter]
    [Input(InputKind.ReadPath)]
    public string? RootCertificate { get; set; }

    /// <summary>libpq sslmode; default verify-full.</summary>
    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full", IgnoreCase = true)]
    [Input(InputKind.Choice)]
    public string SslMode { get; set; } = "verify-full";

    /// <summary>
    /// -RootCertificate as a file-system path, or <paramref name="fallback"/> when it was not given.
    /// With <paramref name="mustExist"/> a missing file is an ArgumentException saying what to pass.
    /// </summary>
    protected string? ResolveRootCertificate(bool mustExist, string? fallback = null)
    {
        string? root = RootCertificate is null ? fallback : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RootCertificate);
        if (mustExist && root is not null && !File.Exists(root))
            throw new ArgumentException($"-RootCertificate '{root}' does not exist. Pass the PEM file of the cluster's CA (ca.crt).", nameof(RootCertificate));
        return root;
    }

    /// <summary>A target from the shared parameters and who logs in: a password, or a client certificate and key.</summary>
    protected SqlTarget Target(string userName, string? rootCertificate, SecureString? password = null,
        string? clientCertificate = null, string? clientKey = null, TimeSpan? timeout = null) => new()
        {
            Server = Server,
            Port = Port,
            Database = Database,
            UserName = userName,
            Password = password,
            ClientCertificatePath = clientCertificate,
            ClientKeyPath = clientKey,
            RootCertificatePath = rootCertificate,
            SslMode = SslModes.Parse(SslMode),
            Timeout = timeout ?? TimeSpan.FromSeconds(15),
        };
}
