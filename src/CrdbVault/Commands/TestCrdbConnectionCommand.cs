using System.Management.Automation;
using CrdbVault.Core.Sql;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Logs in to CockroachDB with a credential and reports who the server says you are.</para>
/// <para type="description">Opens a real SQL session (TLS verify-full by default) and runs
/// SELECT current_user, version(). Success emits a ConnectionTestResult; a refused login is an
/// AuthenticationError and an unreachable server a ConnectionError, so scripts can tell them apart.
/// Pipe a DynamicCredential to test it.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CrdbConnection", DefaultParameterSetName = PasswordSet)]
[OutputType(typeof(ConnectionTestResult))]
public sealed class TestCrdbConnectionCommand : CrdbCmdlet
{
    internal const string PasswordSet = "Credential";

    /// <summary>User and password, e.g. the Credential of New-CrdbDynamicCredential.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
    [Credential]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>Host name of the cluster (or its load balancer).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Server { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 26257;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "defaultdb";

    /// <summary>PEM of the CA that signed the cluster's certificate (ca.crt, or the Cloud cluster CA).</summary>
    [Parameter]
    public string? RootCertificate { get; set; }

    /// <summary>libpq sslmode; default verify-full.</summary>
    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full", IgnoreCase = true)]
    public string SslMode { get; set; } = "verify-full";

    /// <summary>Seconds to wait for the server.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Timeout { get; set; }

    protected override void ProcessRecord()
    {
        SqlTarget target;
        try
        {
            target = BuildTarget();
        }
        catch (ArgumentException ex)
        {
            ThrowInvalidArgument(ex.Message, "InvalidConnectionArgument", Server);
            return;
        }
        if (!TryRun(ct => SqlConnectionTester.TestAsync(target, ct), out SqlLoginResult result, target.ToString())) return;
        WriteObject(new ConnectionTestResult
        {
            Server = result.Server,
            Port = result.Port,
            Database = result.Database,
            UserName = result.UserName,
            ServerVersion = result.ServerVersion,
            IsCockroachDb = result.IsCockroachDb,
            Latency = result.Latency,
            AuthenticationMethod = target.Password is null ? "certificate" : "password",
        });
    }

    private SqlTarget BuildTarget()
    {
        string? root = RootCertificate is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RootCertificate);
        if (root is not null && !File.Exists(root))
            throw new ArgumentException($"-RootCertificate '{root}' does not exist. Pass the PEM file of the cluster's CA (ca.crt).", nameof(RootCertificate));
        if (string.IsNullOrEmpty(Credential.UserName))
            throw new ArgumentException("-Credential has no user name.", nameof(Credential));
        return new SqlTarget
        {
            Server = Server,
            Port = Port,
            Database = Database,
            UserName = Credential.UserName,
            Password = Credential.Password,
            RootCertificatePath = root,
            SslMode = SslModes.Parse(SslMode),
            Timeout = Timeout ?? TimeSpan.FromSeconds(15),
        };
    }
}
