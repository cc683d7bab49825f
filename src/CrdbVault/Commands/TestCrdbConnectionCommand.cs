using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Sql;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Logs in to CockroachDB with a credential and reports who the server says you are.</para>
/// <para type="description">Opens a real SQL session (TLS verify-full by default) and runs
/// SELECT current_user, version(). Success emits a ConnectionTestResult; a refused login is an
/// AuthenticationError and an unreachable server a ConnectionError, so scripts can tell them apart.
/// Pipe a DynamicCredential to test it. With -CertsDir and -User it logs in with client.&lt;user&gt;.crt and
/// client.&lt;user&gt;.key (no password), trusting ca.crt from the same folder unless -RootCertificate says
/// otherwise; like CockroachDB it refuses a key file that group or others can read, and says how to fix it.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "CrdbConnection", DefaultParameterSetName = PasswordSet)]
[OutputType(typeof(ConnectionTestResult))]
public sealed class TestCrdbConnectionCommand : SqlTargetCmdlet
{
    internal const string PasswordSet = "Credential";
    internal const string CertificateSet = "Certificate";

    /// <summary>A CockroachDB certs dir holding ca.crt, client.&lt;user&gt;.crt and client.&lt;user&gt;.key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ReadPath)]
    public string CertsDir { get; set; } = "";

    /// <summary>The SQL user whose client certificate to log in with.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.SqlUser)]
    public string User { get; set; } = "";

    /// <summary>User and password, e.g. the Credential of New-CrdbDynamicCredential.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
    [Credential]
    [Input(InputKind.SqlCredential)]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>Seconds to wait for the server.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Timeout { get; set; }

    protected override void ProcessCheckedRecord()
    {
        SqlTarget target;
        try
        {
            target = Checked(BuildTarget, "InvalidConnectionArgument", Server);
        }
        catch (UnauthorizedAccessException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "KeyFilePermissionsTooOpen", ErrorCategory.SecurityError, CertsDir));
            return;
        }
        if (!TryRun(ct => SqlConnectionTester.TestAsync(target, ct), out SqlLoginResult result, target.ToString())) return;
        WriteObject(ConnectionTestResult.From(result, target.Password is null ? "certificate" : "password"));
    }

    private SqlTarget BuildTarget()
    {
        if (ParameterSetName == CertificateSet) return BuildCertificateTarget();
        string? root = ResolveRootCertificate(mustExist: true);
        if (string.IsNullOrEmpty(Credential.UserName))
            throw new ArgumentException("-Credential has no user name.", nameof(Credential));
        return Target(Credential.UserName, root, password: Credential.Password, timeout: Timeout);
    }

    private SqlTarget BuildCertificateTarget()
    {
        var dir = new CertsDirectory(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertsDirectory.ExpandHome(CertsDir)));
        if (!Directory.Exists(dir.FullPath))
            throw new ArgumentException($"-CertsDir '{dir.FullPath}' does not exist. Issue a certificate into it first: " +
                $"New-CrdbClientCert -User {User} -CertsDir '{dir.FullPath}'.", nameof(CertsDir));
        string cert = dir.ClientCertPath(User), key = dir.ClientKeyPath(User);
        if (!File.Exists(cert) || !File.Exists(key))
            throw new ArgumentException($"'{dir.FullPath}' has no client.{User}.crt and client.{User}.key. Issue them with: " +
                $"New-CrdbClientCert -User {User} -CertsDir '{dir.FullPath}'.", nameof(User));
        try
        {
            CertsDirectory.CheckKeyFile(key);
        }
        catch (IOException ex)
        {
            throw new ArgumentException(ex.Message, nameof(CertsDir));
        }
        string? root = ResolveRootCertificate(mustExist: true, fallback: File.Exists(dir.CaPath) ? dir.CaPath : null);
        try
        {
            using var x509 = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(Core.Validation.InputBudgets.ReadPemFile(cert));
            IReadOnlyList<string> principals = CertificateChecks.Principals(x509);
            if (!principals.Contains(User))
                WriteWarning($"client.{User}.crt names {string.Join(", ", principals.Select(p => $"'{p}'"))}, not '{User}': " +
                    $"the server will probably refuse it.");
            if (x509.NotAfter.ToUniversalTime() < DateTime.UtcNow)
                WriteWarning($"client.{User}.crt expired at {x509.NotAfter.ToUniversalTime():u}: issue a new one with New-CrdbClientCert -Force.");
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ArgumentException($"'{cert}' is not a PEM certificate ({ex.Message}).", nameof(CertsDir));
        }
        return Target(User, root, clientCertificate: cert, clientKey: key, timeout: Timeout);
    }
}
