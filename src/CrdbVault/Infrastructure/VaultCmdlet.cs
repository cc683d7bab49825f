using System.Management.Automation;

namespace CrdbVault.Infrastructure;

/// <summary>Base of cmdlets that talk to Vault: the -Vault parameter, else the session default of Connect-CrdbVault.</summary>
public abstract class VaultCmdlet : SessionCmdlet<VaultConnection>
{
    /// <summary>The connection to use instead of the one Connect-CrdbVault made the session default.</summary>
    [Parameter]
    [ValidateNotNull]
    public VaultConnection? Vault { get; set; }

    private protected override VaultConnection? Given => Vault;

    private protected override VaultConnection? SessionDefault => ConnectionStore.Vault;

    private protected override void ShowBackgroundNotices(VaultConnection connection)
    {
        foreach (string notice in connection.Session.TakeNotices()) WriteWarning(notice);
        foreach (string failure in connection.Session.Ledger.TakeFileFailures()) WriteWarning(failure);
    }

    /// <summary>
    /// Ends a lease the module issued (<see cref="Core.Leases.LeaseApi.EndIssuedAsync"/>): Revoked or AlreadyGone, or a
    /// non-terminating error LeaseRevocationFailed whose text names the lease (the SQL user may still exist).
    /// </summary>
    private protected bool TryEndIssued(Core.Leases.LeaseApi leases, string leaseId, out Core.Leases.LeaseState state)
    {
        try
        {
            state = Await(ct => leases.EndIssuedAsync(leaseId, ct));
            return true;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ErrorRecord record = ErrorMapper.ToErrorRecord(ex, leaseId, "LeaseRevocationFailed");
            record.ErrorDetails = new ErrorDetails($"Lease {leaseId} was not revoked: {ex.Message} " +
                $"What it issued may still exist; Revoke-CrdbLease -Issued tries again.");
            WriteError(record);
            state = default;
            return false;
        }
    }

    /// <summary>Warns when this command's lease could not be written to the ledger file (the lease itself was issued or revoked).</summary>
    private protected void ShowLedgerFailures(VaultConnection connection)
    {
        foreach (string failure in connection.Session.Ledger.TakeFileFailures()) WriteWarning(failure);
    }

    private protected override (string Message, string ErrorId) NotConnected =>
        ("Not connected to Vault. Run Connect-CrdbVault first (it reads VAULT_ADDR and VAULT_TOKEN), or pass -Vault with a connection.", "VaultNotConnected");

    /// <summary>
    /// Writes every item whose name is given or matches a wildcard pattern (all of them when
    /// <paramref name="names"/> is empty): a plain name is read directly and a missing one is
    /// <paramref name="notFound"/>'s error; patterns list the items once and read each match.
    /// One item that fails is a non-terminating error; the others are still written.
    /// </summary>
    private protected void WriteMatching<TInfo>(string[]? names, Func<CancellationToken, Task<IReadOnlyList<string>>> list, string listTarget,
        Func<string, CancellationToken, Task<TInfo?>> read, Func<TInfo, object> view, Func<string, ErrorRecord> notFound) where TInfo : class
    {
        IReadOnlyList<string>? all = null;
        foreach (string pattern in names is { Length: > 0 } ? names : ["*"])
        {
            if (!WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                if (TryRun(ct => read(pattern, ct), out TInfo? one, pattern))
                {
                    if (one is null) WriteError(notFound(pattern));
                    else WriteObject(view(one));
                }
                continue;
            }
            all ??= Run(list, listTarget);
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            foreach (string name in all.Where(n => wildcard.IsMatch(n)))
            {
                if (TryRun(ct => read(name, ct), out TInfo? info, name) && info is not null)
                    WriteObject(view(info));
            }
        }
    }
}
