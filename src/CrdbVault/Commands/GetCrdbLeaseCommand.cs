using System.Management.Automation;
using CrdbVault.Core.Leases;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Looks up a Vault lease, or lists every lease under a prefix.</para>
/// <para type="description">-LeaseId binds from any object of this module that has one (credentials,
/// renewals). -Prefix lists leases such as those of a role ('database/creds/app'; a trailing slash is
/// optional) and needs sudo on sys/leases/lookup. -Issued lists every lease the module issued through this connection, and those
/// the lease ledger file (Connect-CrdbVault -LedgerPath, CRDBVAULT_LEDGER) records from any process and nobody revoked yet, with
/// their State: Live (and Vault's lookup), or AlreadyGone when Vault no longer knows them (expired, or ended with their token).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbLease", DefaultParameterSetName = ById)]
[OutputType(typeof(VaultLease))]
public sealed class GetCrdbLeaseCommand : VaultCmdlet
{
    private const string ById = "LeaseId";
    private const string ByPrefix = "Prefix";
    private const string ByIssued = "Issued";

    /// <summary>The lease, e.g. database/creds/app/AbCd1234; binds from any object of this module that carries one.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ById, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.LeaseId)]
    public string LeaseId { get; set; } = "";

    /// <summary>List every lease under this path, e.g. database/creds/app (the trailing slash is optional); needs sudo on sys/leases/lookup.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByPrefix)]
    [Input(InputKind.LeasePrefix)]
    public string Prefix { get; set; } = "";

    /// <summary>List the leases the module issued (this session, and the ledger file's that nobody revoked yet), with their live state.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByIssued)]
    public SwitchParameter Issued { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var leases = new LeaseApi(vault.Client);
        if (ParameterSetName == ByIssued)
        {
            WriteIssued(vault, leases);
            return;
        }
        if (ParameterSetName == ById)
        {
            if (TryRun(ct => leases.LookupAsync(LeaseId, ct), out LeaseInfo info, LeaseId))
                WriteObject(VaultLease.From(info));
            return;
        }

        string prefix = LeaseApi.NormalisePrefix(Prefix);
        IReadOnlyList<string> ids = Run(ct => leases.ListAsync(prefix, ct), prefix);
        WriteVerbose($"{ids.Count} lease(s) under {prefix}.");
        foreach (string id in ids)
        {
            // A lease may expire between LIST and lookup: skip it quietly.
            try
            {
                WriteObject(VaultLease.From(Await(ct => leases.LookupAsync(id, ct))));
            }
            catch (Core.Vault.VaultApiException ex) when (ex.Kind == Core.Vault.VaultErrorKind.NotFound)
            {
                WriteVerbose($"Lease {id} ended while listing.");
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                WriteMapped(ex, id);
            }
        }
    }

    private void WriteIssued(VaultConnection vault, LeaseApi leases)
    {
        var (outstanding, all, skipped) = Run(_ => Task.FromResult(vault.Session.Ledger.Collect()), vault.LedgerPath ?? "session", "LedgerUnreadable");
        if (skipped.Count > 0)
            WriteWarning($"{skipped.Count} line(s) of the lease ledger '{vault.LedgerPath}' were skipped: {string.Join("; ", skipped.Take(5))}" +
                $"{(skipped.Count > 5 ? "; …" : "")}.");
        WriteVerbose($"{all.Count} lease(s) issued, {outstanding.Count} not revoked.");
        foreach (LedgerEntry entry in all)
        {
            LeaseInfo? live = null;
            if (entry.State == LeaseState.Live)
            {
                try
                {
                    live = Await(ct => leases.LookupAsync(entry.LeaseId, ct));
                }
                catch (Core.Vault.VaultApiException ex) when (ex.Kind == Core.Vault.VaultErrorKind.NotFound)
                {
                    entry.State = LeaseState.AlreadyGone;
                }
                catch (Exception ex) when (ex is not PipelineStoppedException)
                {
                    WriteMapped(ex, entry.LeaseId);
                    continue;
                }
            }
            WriteObject(VaultLease.From(entry, live));
        }
    }
}
