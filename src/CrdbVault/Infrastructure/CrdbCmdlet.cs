using System.Collections.Concurrent;
using System.Management.Automation;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Base of every cmdlet: owns a CancellationTokenSource that Ctrl+C (StopProcessing) cancels, runs
/// Core's async calls to completion on the pipeline thread, and turns what Core throws into
/// ErrorRecords with stable ids (see <see cref="ErrorMapper"/>).
/// </summary>
public abstract class CrdbCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancelled when the user presses Ctrl+C or the runbook is stopped.</summary>
    protected CancellationToken Cancellation => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>
    /// Runs an async Core operation and waits for it. Verbose lines that Core traces on other
    /// threads are queued and written here, on the pipeline thread, after the call returns
    /// (the engine only accepts stream writes from this thread).
    /// </summary>
    /// <remarks>Any failure becomes a terminating error; use <see cref="TryRun{T}"/> for per-item work.</remarks>
    protected T Run<T>(Func<CancellationToken, Task<T>> operation, object? target = null, string? errorId = null)
    {
        try
        {
            return Await(operation);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowMapped(ex, target, errorId);
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    protected void Run(Func<CancellationToken, Task> operation, object? target = null, string? errorId = null) =>
        Run<bool>(async ct => { await operation(ct).ConfigureAwait(false); return true; }, target, errorId);

    /// <summary>Like <see cref="Run{T}"/> but a failure is written as a non-terminating error and false is returned.</summary>
    protected bool TryRun<T>(Func<CancellationToken, Task<T>> operation, out T result, object? target = null, string? errorId = null)
    {
        try
        {
            result = Await(operation);
            return true;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteMapped(ex, target, errorId);
            result = default!;
            return false;
        }
    }

    /// <summary>Runs the operation and lets Core's exception through unmapped (for callers that handle some failures).</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        var lines = new ConcurrentQueue<string>();
        VerboseSink.Current.Value = lines;
        try
        {
            return Task.Run(() => operation(Cancellation), Cancellation).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            // Once the pipeline is stopping, writing to any stream throws: clean up and rethrow.
            throw new PipelineStoppedException();
        }
        finally
        {
            VerboseSink.Current.Value = null;
            if (!Cancellation.IsCancellationRequested)
                while (lines.TryDequeue(out string? line)) WriteVerbose(line);
        }
    }

    /// <summary>Writes a terminating error built from any exception Core raised.</summary>
    protected void ThrowMapped(Exception exception, object? target = null, string? idOverride = null) =>
        ThrowTerminatingError(ErrorMapper.ToErrorRecord(exception, target, idOverride));

    /// <summary>Writes a non-terminating error (one bad pipeline item must not stop the others).</summary>
    protected void WriteMapped(Exception exception, object? target = null, string? idOverride = null) =>
        WriteError(ErrorMapper.ToErrorRecord(exception, target, idOverride));

    /// <summary>A terminating error for bad input, raised before any request.</summary>
    protected void ThrowInvalidArgument(string message, string errorId, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(ErrorMapper.WithoutParameterSuffix(message)), errorId, ErrorCategory.InvalidArgument, target));

    public void Dispose()
    {
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Per-call queue for verbose lines that Core traces from background threads.</summary>
internal static class VerboseSink
{
    internal static readonly AsyncLocal<ConcurrentQueue<string>?> Current = new();

    internal static void Write(string line) => Current.Value?.Enqueue(line);
}
