using System.Management.Automation;
using CrdbVault.Core.Certificates;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Base of the cmdlets that issue certificates from a Vault PKI mount into a CockroachDB certs dir
/// (New-CrdbClientCert, New-CrdbNodeCert): the mount, validity, target folder and -Force they share,
/// and the steps around issuing that they take alike.
/// </summary>
public abstract class CertificateCmdlet : VaultCmdlet
{
    /// <summary>The PKI mount (default cockroach_client_ca, as Initialize-CrdbCertificateAuthority enables it).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    /// <summary>How long the certificate is valid: '720h', seconds, or a TimeSpan. Capped by the role's max TTL (Vault then warns).</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Ttl { get; set; }

    /// <summary>A CockroachDB certs dir (e.g. ~/.cockroach-certs) to write the certificate, its key and ca.crt into.</summary>
    [Parameter]
    [Input(InputKind.WritePath)]
    public string? CertsDir { get; set; }

    /// <summary>Replace existing files in -CertsDir (and a ca.crt of another CA).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>-CertsDir as a folder of the file system (~ expanded), or null without it.</summary>
    private protected CertsDirectory? ResolveCertsDir(string errorId) =>
        CertsDir is null ? null : new CertsDirectory(FileSystemPath(CertsDirectory.ExpandHome(CertsDir), nameof(CertsDir), errorId));

    /// <summary>Issues through <paramref name="issue"/> after warning about backups an older run left; false when it failed (already reported).</summary>
    private protected bool TryIssue(CertsDirectory? dir, IEnumerable<string> setPaths, Func<CancellationToken, Task<IssueResult>> issue, string target,
        out IssueResult result)
    {
        if (dir is not null) LeftoverFiles.WarnAboutBackups(this, setPaths);
        if (!TryRun(issue, out result, target)) return false;
        foreach (string w in result.Certificate.Warnings) WriteWarning($"Vault: {w}");
        return true;
    }
}
