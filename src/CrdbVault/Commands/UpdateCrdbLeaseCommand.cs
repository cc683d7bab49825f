using System.Management.Automation;
using CrdbVault.Core.Leases;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Renews a Vault lease (extends a dynamic credential).</para>
/// <para type="description">Vault may grant less than -Increment: the role's max_ttl caps every
/// renewal. The returned lease's LeaseDuration is what was granted; a warning says when it was capped,
/// and once the cap is reached you need a new credential (New-CrdbDynamicCredential).</para>
/// </summary>
[Cmdlet(VerbsData.Update, "CrdbLease", SupportsShouldProcess = true)]
[OutputType(typeof(VaultLease))]
public sealed class UpdateCrdbLeaseCommand : VaultCmdlet
{
    /// <summary>The lease, e.g. database/creds/app/AbCd1234; binds from any object of this module that carries one.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.LeaseId)]
    public string LeaseId { get; set; } = "";

    /// <summary>How long from now: '1h', 3600 (seconds) or a TimeSpan. Default: the lease's own TTL.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration, ErrorId = "InvalidLeaseId")] // the id this cmdlet has always reported for a bad -Increment
    public TimeSpan? Increment { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        if (!ShouldProcess(LeaseId, Increment is TimeSpan inc ? $"Renew for {inc}" : "Renew")) return;
        var leases = new LeaseApi(vault.Client);
        if (!TryRun(ct => leases.RenewAsync(LeaseId, Increment, ct), out LeaseInfo info, LeaseId)) return;
        foreach (string warning in info.Warnings) WriteWarning($"Vault: {warning}");
        if (Increment is TimeSpan asked && info.LeaseDuration is TimeSpan granted && granted + TimeSpan.FromSeconds(1) < asked && info.Warnings.Count == 0)
            WriteWarning($"Vault granted {granted} of the {asked} asked for lease {LeaseId}: the role's max_ttl caps it. " +
                $"Issue a new credential before it ends.");
        WriteObject(VaultLease.From(info));
    }
}
