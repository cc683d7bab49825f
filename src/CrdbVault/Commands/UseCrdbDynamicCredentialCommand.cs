using System.Collections.ObjectModel;
using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Leases;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Issues a short-lived SQL user, runs a script block with it, and revokes it when the block ends.</para>
/// <para type="description">Reads &lt;mount&gt;/creds/&lt;Role&gt; as New-CrdbDynamicCredential does, then runs -ScriptBlock with the
/// credential as $_ and as its first argument (-ArgumentList follows). While the block runs, the lease is renewed in the background at
/// about two thirds of its TTL: the credential's ExpiresAt and RenewalState stay current, and warnings (the role's max TTL reached, the
/// Vault token ending before the lease) are written when the block returns, never from the background. When the block ends, normally,
/// by an exception or by Ctrl+C, the lease is revoked and the command waits until Vault has dropped the user. After Ctrl+C the
/// revocation runs with its own time limit and writes nothing (PowerShell no longer accepts output then); the lease ledger records
/// it. The block's output is this command's output; an exception from the block is thrown again after the revocation; a revocation
/// that fails otherwise is an error record naming the lease. -WhatIf shows the issue and the revocation and runs nothing.</para>
/// </summary>
[Cmdlet(VerbsOther.Use, "CrdbDynamicCredential", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(object))]
[InputErrorId("InvalidRoleName")]
public sealed class UseCrdbDynamicCredentialCommand : VaultCmdlet
{
    /// <summary>How long the revocation after Ctrl+C may take: the pipeline's own cancellation is already spent then.</summary>
    private static readonly TimeSpan RevocationAfterStop = TimeSpan.FromSeconds(30);

    /// <summary>The role to issue from (Set-CrdbVaultRole -Name).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(DatabaseRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Role { get; set; } = "";

    /// <summary>The script block to run with the credential ($_ and its first argument).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>More arguments for the script block, after the credential.</summary>
    [Parameter]
    public object[] ArgumentList { get; set; } = [];

    /// <summary>The database secrets engine's mount (default database).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var engine = new DatabaseEngine(vault.Client, MountPath);
        string path = $"{engine.MountPath}/creds/{Role}";
        // Both steps ask, so -WhatIf shows both; declining either runs nothing (a credential nobody revokes is not on offer).
        bool issue = ShouldProcess(path, "Issue a dynamic SQL credential for the script block");
        bool revoke = ShouldProcess($"the lease of the credential from {path}", "Revoke the lease when the script block ends (drops the SQL user)");
        if (!issue || !revoke) return;

        var leases = new LeaseApi(vault.Client);
        IssuedCredential? issued = null;
        LeaseRenewer? renewer = null;
        DynamicCredential? credential = null;
        string? tokenFirst = null;
        // From the issue on, every write can end this command: a stop preference on a warning or on the issue's own trace line,
        // Ctrl+C. So the lease is ended on every way out after the issue, not only the block's (the result is kept even when
        // the trace line written after the call throws).
        try
        {
            Run(async ct => issued = await engine.IssueCredentialAsync(Role, ct).ConfigureAwait(false), path);
            IssuedCredential got = issued!;
            foreach (string warning in got.Warnings) WriteWarning($"Vault: {warning}");
            if (got.NoLeaseWarning is string noLease) WriteWarning(noLease);
            tokenFirst = got.Ledger?.TokenEndsFirstWarning();
            if (tokenFirst is not null) WriteWarning(tokenFirst);
            ShowLedgerFailures(vault);
            credential = DynamicCredential.From(got);
            renewer = got.LeaseId is string id ? new LeaseRenewer(leases, id, got.LeaseDuration, got.Renewable) : null;
            LeaseRenewer? renewing = renewer;
            credential.LiveRenewalState = () => Map(renewing?.State);
            WriteVerbose($"Running the script block as '{got.UserName}' (lease {got.LeaseId}).");

            Collection<PSObject> output = ScriptBlock.InvokeWithContext(null, [new PSVariable("_", credential)], [credential, .. ArgumentList]);
            EndLease(leases, got, credential, renewer, tokenFirst);
            // Written after the revocation: a downstream Select-Object -First stops this command at its first write, and the user must be gone by then.
            WriteObject(output, enumerateCollection: true);
        }
        catch (PipelineStoppedException)
        {
            // Ctrl+C or a stopped runbook: revoke with a fresh, time-limited cancellation and write nothing (streams throw now).
            renewer?.Stop();
            if (issued is not null && !_endTried) RevokeAfterStop(leases, issued);
            throw;
        }
        catch (Exception) when (issued is not null && !_endTried)
        {
            // The block threw (or a break/exit left it), or a write stopped the command: end the lease, then let the reason through.
            EndLease(leases, issued, credential ?? DynamicCredential.From(issued), renewer, tokenFirst);
            throw;
        }
        finally
        {
            renewer?.Dispose();
        }
    }

    /// <summary>Whether the revocation was tried (it reports its own failure): no second attempt on the way out.</summary>
    private bool _endTried;

    /// <summary>Stops renewing, shows what the background learned, and revokes the lease (waiting for it); a failure is an error record.</summary>
    private void EndLease(LeaseApi leases, IssuedCredential issued, DynamicCredential credential, LeaseRenewer? renewer, string? shownAtIssue)
    {
        renewer?.Stop();
        if (issued.LeaseId is not string leaseId)
        {
            _endTried = true;
            credential.RenewalState = CredentialRenewalState.NotRenewable;
        }
        else
        {
            // Revoked before anything is written: a write may end this command (a stop preference), the revocation must not wait for it.
            bool ended = TryEndIssued(leases, leaseId, out LeaseState state);
            _endTried = true;
            credential.RenewalState = ended ? CredentialRenewalState.Revoked : Map(renewer?.State);
            if (ended)
                WriteVerbose(state == LeaseState.Revoked
                    ? $"Revoked lease {leaseId}: SQL user '{issued.UserName}' is dropped."
                    : $"Lease {leaseId} had already ended (expired, or with its token): SQL user '{issued.UserName}' is gone.");
        }
        foreach (string notice in renewer?.TakeNotices() ?? []) WriteWarning(notice);
        if (issued.Ledger?.TokenEndsFirstWarning() is string tokenFirst && shownAtIssue is null) WriteWarning(tokenFirst);
    }

    private static void RevokeAfterStop(LeaseApi leases, IssuedCredential issued)
    {
        if (issued.LeaseId is not string leaseId) return;
        using var limit = new CancellationTokenSource(RevocationAfterStop);
        try
        {
            // Not on this thread's context: nothing here may touch PowerShell. The ledger records the outcome.
            Task.Run(() => leases.EndIssuedAsync(leaseId, limit.Token)).GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Nothing can be written once the pipeline stopped: the lease stays Live in the ledger, and Revoke-CrdbLease -Issued ends it later.
        }
    }

    private static CredentialRenewalState Map(LeaseRenewalState? state) => state switch
    {
        LeaseRenewalState.Renewing or LeaseRenewalState.Stopped => CredentialRenewalState.Renewing,
        LeaseRenewalState.MaxTtlReached => CredentialRenewalState.MaxTtlReached,
        LeaseRenewalState.Failed => CredentialRenewalState.Failed,
        _ => CredentialRenewalState.NotRenewable,
    };
}
