using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Base of cmdlets that talk to a server: resolves the connection (the -Vault/-Cloud parameter, else
/// the session default of Connect-*) on the pipeline thread and hands it to the cmdlet, so that
/// code inside the lambdas given to Run/TryRun/Await, which run on other threads where the session
/// default cannot be found, only ever sees a connection captured beforehand.
/// </summary>
/// <remarks>
/// A cmdlet that acts per record overrides <see cref="ProcessRecordWithSession"/>. A cmdlet that
/// acts once at the end (after checks that need no server) overrides ProcessCheckedRecord (to
/// collect, or to do nothing) and EndProcessing, and calls <see cref="ResolveSession"/> there.
/// </remarks>
public abstract class SessionCmdlet<TConnection> : CrdbCmdlet where TConnection : class
{
    /// <summary>The connection the user passed (-Vault, -Cloud), or null.</summary>
    private protected abstract TConnection? Given { get; }

    /// <summary>The default of this runspace (Connect-CrdbVault / Connect-CrdbCloud), or null.</summary>
    private protected abstract TConnection? SessionDefault { get; }

    /// <summary>The error when there is neither: what to run, with its stable id.</summary>
    private protected abstract (string Message, string ErrorId) NotConnected { get; }

    protected override void ProcessCheckedRecord() => ProcessRecordWithSession(ResolveSession());

    /// <summary>
    /// Shows what background work learned about the connection since the last command (a failed renewal,
    /// a token that will end): background threads never write to PowerShell streams, so the next command does.
    /// </summary>
    private protected virtual void ShowBackgroundNotices(TConnection connection)
    {
    }

    /// <summary>ProcessRecord of this cmdlet, after the record's input passed its checks, with the connection to use.</summary>
    protected virtual void ProcessRecordWithSession(TConnection session)
    {
    }

    /// <summary>
    /// The connection this call uses; a terminating error when there is none. Only on the pipeline
    /// thread: the session default belongs to the runspace, which other threads do not know.
    /// </summary>
    private protected TConnection ResolveSession()
    {
        TConnection? given = Given;
        if (given is not null)
        {
            ShowBackgroundNotices(given);
            return given;
        }
        if (Runspace.DefaultRunspace is null)
            throw new InvalidOperationException("Internal error: the connection was resolved off the pipeline thread. " +
                "Resolve it before Run/TryRun/Await and capture it.");
        TConnection? connection = SessionDefault;
        if (connection is null)
        {
            (string message, string errorId) = NotConnected;
            ThrowMapped(new NotConnectedException(message), null, errorId);
        }
        ShowBackgroundNotices(connection!);
        return connection!;
    }
}
