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

    /// <summary>
    /// For runs on a schedule: keep the certificate in -CertsDir (Status Current: nothing issued or written)
    /// while it is for the same principal, chains to the mount's CA, has its key and stays valid longer than
    /// this ('8h', seconds, or a TimeSpan); otherwise issue a new one and replace the set without -Force
    /// (a ca.crt of another CA still needs -Force). Needs -CertsDir.
    /// </summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? RenewWithin { get; set; }

    /// <summary>-CertsDir as a folder of the file system (~ expanded), or null without it.</summary>
    private protected CertsDirectory? ResolveCertsDir(string errorId) =>
        CertsDir is null ? null : new CertsDirectory(FileSystemPath(CertsDirectory.ExpandHome(CertsDir), nameof(CertsDir), errorId));

    /// <summary>-RenewWithin keeps a certificate in a folder: without -CertsDir it is refused before any request.</summary>
    private protected void RefuseRenewalWithoutCertsDir(CertsDirectory? dir, string errorId, string target)
    {
        if (RenewWithin is not null && dir is null)
            ThrowInvalidArgument("-RenewWithin keeps the certificate in -CertsDir fresh and needs -CertsDir (e.g. -CertsDir ~/.cockroach-certs).", errorId,
                target);
    }

    /// <summary>The renewal decision (Core reads the folder; a renewal says why in -Verbose), or false when it failed (already reported).</summary>
    private protected bool TryDecide(Func<RenewalDecision> decide, string target, out RenewalDecision decision)
    {
        if (!TryRun(_ => Task.FromResult(decide()), out decision, target)) return false;
        if (!decision.IsCurrent) WriteVerbose(CertificateRenewal.Explain(decision));
        return true;
    }

    /// <summary>
    /// A current certificate: said in -Verbose, and under -WhatIf as "What if: …" (nothing would be issued);
    /// true when the caller should emit it (not under -WhatIf, which emits nothing).
    /// </summary>
    private protected bool KeepCurrent(RenewalDecision decision)
    {
        WriteVerbose(CertificateRenewal.Explain(decision));
        if (!WhatIfActive) return true;
        ShouldProcess($"Nothing would be issued or written: {decision.Reason}.", null, null);
        return false;
    }

    private bool WhatIfActive =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf) ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>Vault's certificate is valid for no longer than -RenewWithin: the next run renews again; say so.</summary>
    private protected void WarnIfTooShort(IssueResult result, DateTimeOffset asked)
    {
        if (RenewWithin is TimeSpan window && CertificateRenewal.TooShortWarning(result, window, asked) is string warning) WriteWarning(warning);
    }

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
