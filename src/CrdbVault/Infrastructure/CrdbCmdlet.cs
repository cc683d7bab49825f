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
    private HashSet<string> _boundBeforePipeline = new(StringComparer.OrdinalIgnoreCase);
    private bool _refusedBeforePipeline;

    /// <summary>Cancelled when the user presses Ctrl+C or the runbook is stopped.</summary>
    protected CancellationToken Cancellation => _stop.Token;

    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>True once a piped record was refused by its parameters' input checks (cmdlets that act on everything at the end must then act on
    /// nothing).</summary>
    protected bool AnyRecordRefused { get; private set; }

    /// <summary>True when a command-line value was refused (non-terminating because the parameter also takes pipeline input): EndProcessing must do
    /// nothing.</summary>
    protected bool RefusedBeforePipeline => _refusedBeforePipeline;

    /// <summary>
    /// Checks every parameter bound on the command line against its [Input] kind before anything
    /// else happens: a refused value is a terminating error with the parameter's stable id. Sealed so
    /// that no cmdlet can skip it; override <see cref="BeginCheckedProcessing"/> instead.
    /// </summary>
    protected sealed override void BeginProcessing()
    {
        _boundBeforePipeline = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
        if (CheckBoundInput(_boundBeforePipeline) is (ErrorRecord refused, bool pipelineParameter))
        {
            // A cmdlet that takes pipeline input reports a refused value like a bad piped item:
            // non-terminating (-ErrorAction Stop makes it stop), and the command then does nothing.
            if (!pipelineParameter) ThrowTerminatingError(refused);
            WriteError(refused);
            _refusedBeforePipeline = AnyRecordRefused = true;
            return;
        }
        BeginCheckedProcessing();
    }

    /// <summary>
    /// Checks the parameters bound from this pipeline record (they change per record), then runs
    /// <see cref="ProcessCheckedRecord"/>. A refused record is a non-terminating error and is
    /// skipped: one bad item must not stop the others, and nothing is sent for it. -Debug shows which
    /// parameters each record bound. Sealed so that no cmdlet can skip the checks.
    /// </summary>
    protected sealed override void ProcessRecord()
    {
        if (_refusedBeforePipeline) return;
        var fromPipeline = MyInvocation.BoundParameters.Keys.Where(k => !_boundBeforePipeline.Contains(k)).ToList();
        if (fromPipeline.Count > 0)
        {
            WriteDebug($"Pipeline input bound {string.Join(", ", fromPipeline.Select(k => "-" + k))}.");
            if (CheckBoundInput(fromPipeline) is (ErrorRecord refused, _))
            {
                AnyRecordRefused = true;
                WriteError(refused);
                return;
            }
        }
        ProcessCheckedRecord();
    }

    /// <summary>BeginProcessing of this cmdlet, after the command-line input passed its checks.</summary>
    protected virtual void BeginCheckedProcessing()
    {
    }

    /// <summary>ProcessRecord of this cmdlet, after this record's input passed its checks.</summary>
    protected virtual void ProcessCheckedRecord()
    {
    }

    /// <summary>The first refusal among <paramref name="names"/>, and whether the cmdlet takes pipeline input.</summary>
    private (ErrorRecord Refused, bool PipelineParameter)? CheckBoundInput(IEnumerable<string> names)
    {
        IReadOnlyDictionary<string, InputChecks.KindedParameter> kinded = InputChecks.For(GetType());
        foreach (string name in names)
        {
            if (!kinded.TryGetValue(name, out InputChecks.KindedParameter? p)) continue;
            if (InputChecks.Check(p, MyInvocation.BoundParameters[name]) is ErrorRecord refused) return (refused, p.PipelineCmdlet);
        }
        return null;
    }

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
    /// <remarks>
    /// Core awaits with ConfigureAwait(false) throughout, so without a SynchronizationContext (pwsh's
    /// pipeline thread has none) the operation starts right here and continues on the thread pool
    /// while this thread blocks: no hop to a pool thread just to start it. A host that installs a
    /// context gets the hop, so that blocking here cannot deadlock it.
    /// </remarks>
    protected T Await<T>(Func<CancellationToken, Task<T>> operation)
    {
        var lines = new ConcurrentQueue<string>();
        VerboseSink.Current.Value = lines;
        try
        {
            Task<T> task = SynchronizationContext.Current is null ? operation(Cancellation) : Task.Run(() => operation(Cancellation), Cancellation);
            return task.GetAwaiter().GetResult();
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

    /// <summary>Runs a synchronous Core step; what it throws becomes a terminating error through the ErrorMapper, as with Run.</summary>
    protected T Mapped<T>(Func<T> step, object? target = null)
    {
        try
        {
            return step();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowMapped(ex, target);
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <summary>Writes a terminating error built from any exception Core raised.</summary>
    protected void ThrowMapped(Exception exception, object? target = null, string? idOverride = null) =>
        ThrowTerminatingError(ErrorMapper.ToErrorRecord(exception, target, idOverride));

    /// <summary>Writes a non-terminating error (one bad pipeline item must not stop the others).</summary>
    protected void WriteMapped(Exception exception, object? target = null, string? idOverride = null) =>
        WriteError(ErrorMapper.ToErrorRecord(exception, target, idOverride));

    /// <summary>
    /// Runs a Core check that goes beyond a parameter's kind (how parameters fit together, a value
    /// from an environment variable, a manifest) before any request: its ArgumentException becomes a
    /// terminating InvalidArgument error with the stable id <paramref name="errorId"/>. The one place
    /// that turns Core's ArgumentExceptions into input errors; cmdlets do not catch them themselves.
    /// </summary>
    protected T Checked<T>(Func<T> check, string errorId, object? target)
    {
        try
        {
            return check();
        }
        catch (ArgumentException ex)
        {
            // "Add -AwsAccountId": a parameter is missing rather than wrong, and scripts tell the two apart.
            ThrowInvalidArgument(ex.Message, ex is Core.Keys.CmekParameterRequiredException ? "CmekParameterRequired" : errorId, target);
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <summary>Like <see cref="Checked{T}"/> for one pipeline record: the refusal is non-terminating and false is returned.</summary>
    protected bool TryChecked<T>(Func<T> check, string errorId, object? target, out T result)
    {
        try
        {
            result = check();
            return true;
        }
        catch (ArgumentException ex)
        {
            WriteError(new ErrorRecord(new ArgumentException(ErrorMapper.WithoutParameterSuffix(ex.Message)), errorId, ErrorCategory.InvalidArgument, target));
            result = default!;
            return false;
        }
    }

    /// <summary>
    /// A path parameter (already checked by its kind) as a file-system path: relative paths resolve
    /// against the current location, and a path of another provider (variable:, env:, function:) is
    /// refused rather than taken as a relative file name.
    /// </summary>
    protected string FileSystemPath(string path, string parameterName, string errorId)
    {
        try
        {
            string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.Name != "FileSystem")
                ThrowInvalidArgument($"-{parameterName} '{path}' is a path of the {provider.Name} provider, not of the file system. " +
                    $"Give a file or folder path.", errorId, path);
            return resolved;
        }
        catch (Exception ex) when (ex is NotSupportedException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException
            or ProviderNotFoundException or ArgumentException or PSInvalidOperationException)
        {
            ThrowInvalidArgument(ex.Message, errorId, path);
            throw; // not reached
        }
    }

    /// <summary>A terminating error for bad input, raised before any request.</summary>
    protected void ThrowInvalidArgument(string message, string errorId, object? target = null) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(ErrorMapper.WithoutParameterSuffix(message)),
            errorId, ErrorCategory.InvalidArgument, target));

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
