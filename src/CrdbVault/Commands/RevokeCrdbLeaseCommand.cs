using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Leases;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Revokes a Vault lease, or every lease under a prefix.</para>
/// <para type="description">Revoking a dynamic credential's lease runs the role's revocation
/// statements: the SQL user is dropped. -LeaseId binds by property name from any object of this module
/// that carries one. Without -Sync Vault queues the revocation and answers at once (done within a
/// moment); with -Sync it answers after the statements ran, so a failure is reported here.
/// -Prefix (e.g. 'database/creds/app') revokes everything under it and needs sudo; a prefix wider than
/// one role (a bare mount such as 'database', or 'database/creds') needs -Force as well.
/// Certificates pipe in too: one with a LeaseId (issued from a generate_lease role) has its lease revoked,
/// which revokes the certificate; one without a lease but with SerialNumber and MountPath is revoked through
/// &lt;mount&gt;/revoke, like Revoke-CrdbCertificate.
/// -Issued revokes every lease the module issued and nobody revoked yet: this session's, and those recorded in the lease ledger
/// file (Connect-CrdbVault -LedgerPath, CRDBVAULT_LEDGER, the CI default) by any process, so a clean-up step that runs after a
/// crashed job removes what it left. It waits for each revocation, emits one lease per entry with State Revoked or AlreadyGone
/// (expired, or ended with its token: not an error), an error record only for a real failure, and appends what it did to the file.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "CrdbLease", SupportsShouldProcess = true, DefaultParameterSetName = ById)]
[OutputType(typeof(VaultLease))]
public sealed class RevokeCrdbLeaseCommand : VaultCmdlet
{
    private const string ById = "LeaseId";
    private const string ByCertificate = "Certificate";
    private const string ByPrefix = "Prefix";
    private const string ByIssued = "Issued";

    /// <summary>The lease, e.g. database/creds/app/AbCd1234; binds from any object of this module that carries one (credentials, leases, leased
    /// certificates).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [Input(InputKind.LeaseId, AllowEmpty = true)]
    public string? LeaseId { get; set; }

    /// <summary>A certificate without a lease: the serial to revoke through its PKI mount (binds from ClientCertificate, NodeCertificate and X509Certificate2
    /// objects).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByCertificate, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.SerialNumber, ErrorId = "InvalidSerialNumber")]
    public string SerialNumber { get; set; } = "";

    /// <summary>With -SerialNumber: the PKI mount that issued the certificate (default cockroach_client_ca).</summary>
    [Parameter(ParameterSetName = ByCertificate, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    [Input(InputKind.MountPath, AllowEmpty = true, ErrorId = "InvalidSerialNumber")]
    public string? MountPath { get; set; }

    /// <summary>Revoke every lease under this path, e.g. database/creds/app (needs sudo on sys/leases/revoke-prefix).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByPrefix)]
    [Input(InputKind.LeasePrefix)]
    public string Prefix { get; set; } = "";

    /// <summary>With -Prefix: allow a prefix wider than one role (a bare mount such as 'database', or 'database/creds'), which revokes every credential of the
    /// engine.</summary>
    [Parameter(ParameterSetName = ByPrefix)]
    public SwitchParameter Force { get; set; }

    /// <summary>Revoke every lease the module issued and nobody revoked yet (this session's and the ledger file's); one lease is emitted per entry,
    /// with State Revoked or AlreadyGone.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIssued)]
    public SwitchParameter Issued { get; set; }

    /// <summary>Wait until Vault has run the revocation (and report its failure).</summary>
    [Parameter]
    public SwitchParameter Sync { get; set; }

    /// <summary>Emit the lease as it was just before revocation.</summary>
    [Parameter(ParameterSetName = ById)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var leases = new LeaseApi(vault.Client);
        if (ParameterSetName == ByIssued)
        {
            RevokeIssued(vault, leases);
            return;
        }
        if (ParameterSetName == ByPrefix)
        {
            string prefix = LeaseApi.NormalisePrefix(Prefix);
            bool broad = Core.Validation.InputValidator.IsBroadLeasePrefix(prefix);
            if (broad && !Force)
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-Prefix '{prefix}' is wider than one role: it revokes every lease under it (for a database mount, every credential it issued: " +
                        $"their SQL users are dropped). To clean up one role, use -Prefix '<mount>/creds/<role>'; to revoke them all, add -Force. " +
                        $"Nothing was revoked."),
                    "LeasePrefixTooBroad", ErrorCategory.InvalidArgument, prefix));
            if (ShouldProcess(prefix, broad ? "Revoke EVERY lease under the prefix (wider than one role)" : "Revoke every lease under the prefix"))
                Run(ct => leases.RevokePrefixAsync(prefix, Sync, ct), prefix, null);
            return;
        }

        if (ParameterSetName == ByCertificate)
        {
            RevokeCertificate(vault, SerialNumber, string.IsNullOrEmpty(MountPath) ? "cockroach_client_ca" : MountPath);
            return;
        }
        if (string.IsNullOrEmpty(LeaseId))
        {
            WriteError(new ErrorRecord(new ArgumentException("No lease id: pass -LeaseId, " +
                "or pipe an object that has a LeaseId (New-CrdbDynamicCredential output) or a certificate with a SerialNumber (New-CrdbClientCert output)."),
                "MissingLeaseId", ErrorCategory.InvalidArgument, null));
            return;
        }
        if (!ShouldProcess(LeaseId, "Revoke the lease (drops the SQL user of a dynamic credential)")) return;
        LeaseInfo? before = null;
        if (PassThru && !TryRun(ct => leases.LookupAsync(LeaseId, ct), out before, LeaseId)) return;
        if (TryRun(async ct => { await leases.RevokeAsync(LeaseId, Sync, ct).ConfigureAwait(false); return true; }, out bool _, LeaseId))
        {
            WriteVerbose($"Revoked {LeaseId}{(Sync ? "" : " (queued at Vault)")}.");
            if (PassThru && before is not null) WriteObject(VaultLease.From(before, "Revoked"));
        }
    }

    private void RevokeIssued(VaultConnection vault, LeaseApi leases)
    {
        var (outstanding, _, skipped) = Run(_ => Task.FromResult(vault.Session.Ledger.Collect()), vault.LedgerPath ?? "session", "LedgerUnreadable");
        if (skipped.Count > 0)
            WriteWarning($"{skipped.Count} line(s) of the lease ledger '{vault.LedgerPath}' were skipped (not revoked): " +
                $"{string.Join("; ", skipped.Take(5))}{(skipped.Count > 5 ? "; …" : "")}.");
        WriteVerbose($"{outstanding.Count} lease(s) issued and not revoked yet{(vault.LedgerPath is null ? "" : $" (ledger '{vault.LedgerPath}')")}.");
        foreach (LedgerEntry entry in outstanding)
        {
            if (!ShouldProcess($"{entry.LeaseId} ({entry.IssuedAs})", "Revoke the lease the module issued")) continue;
            if (TryEndIssued(leases, entry.LeaseId, out LeaseState state))
            {
                entry.State = state;
                WriteObject(VaultLease.From(entry, null));
            }
        }
        ShowLedgerFailures(vault);
    }

    private void RevokeCertificate(VaultConnection vault, string serialText, string mountText)
    {
        // Both passed their kinds' checks when they were bound.
        string serial = CertificateChecks.NormalizeSerial(serialText);
        string mount = Core.Validation.InputValidator.MountPath(mountText);
        if (!ShouldProcess($"certificate {serial} of {mount}/", "Revoke the certificate (it has no lease; revoked through the PKI mount)")) return;
        var engine = new PkiEngine(vault.Client, mount);
        if (TryRun(ct => engine.RevokeAsync(serial, ct), out DateTimeOffset at, serial))
            WriteVerbose($"Revoked certificate {serial} of {mount}/ at {at:u}.");
    }
}
