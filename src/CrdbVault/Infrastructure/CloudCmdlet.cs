using System.Collections.Concurrent;
using System.Management.Automation;
using CrdbVault.Core.Cloud;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Base of cmdlets that talk to the CockroachDB Cloud API: the -Cloud parameter, the session
/// default, and waits that show Write-Progress from the pipeline thread while Core polls.
/// </summary>
public abstract class CloudCmdlet : SessionCmdlet<CloudConnection>
{
    /// <summary>The connection to use instead of the one Connect-CrdbCloud made the session default.</summary>
    [Parameter]
    [ValidateNotNull]
    public CloudConnection? Cloud { get; set; }

    private protected override CloudConnection? Given => Cloud;

    private protected override CloudConnection? SessionDefault => ConnectionStore.Cloud as CloudConnection;

    private protected override (string Message, string ErrorId) NotConnected =>
        ("Not connected to the CockroachDB Cloud API. Run Connect-CrdbCloud first (it reads COCKROACH_API_KEY and COCKROACH_SERVER), "
            + "or pass -Cloud with a connection.", "CloudNotConnected");

    /// <summary>
    /// Runs an operation that reports progress from another thread and writes those reports here,
    /// on the pipeline thread, as they arrive (the engine accepts stream writes only from this
    /// thread). Ctrl+C returns at once: the token cancels the poll and nothing more is written.
    /// Failures are Core's exceptions, unmapped.
    /// </summary>
    protected T AwaitWithProgress<T, TReport>(Func<IProgress<TReport>, CancellationToken, Task<T>> operation, Action<TReport> write)
    {
        var reports = new ConcurrentQueue<TReport>();
        using var signal = new SemaphoreSlim(0);
        var progress = new QueueProgress<TReport>(r =>
        {
            reports.Enqueue(r);
            try { signal.Release(); } catch (ObjectDisposedException) { }
        });
        var lines = new ConcurrentQueue<string>();
        Task<T> task;
        VerboseSink.Current.Value = lines;
        try
        {
            task = Task.Run(() => operation(progress, Cancellation), Cancellation);
        }
        finally
        {
            VerboseSink.Current.Value = null;
        }

        try
        {
            while (!task.IsCompleted)
            {
                signal.Wait(TimeSpan.FromMilliseconds(250), Cancellation);
                Drain(reports, lines, write);
            }
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            // Ctrl+C: the token also cancels the poll; observe its end so it is not reported as unobserved.
            _ = task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            throw new PipelineStoppedException();
        }

        try
        {
            T result = task.GetAwaiter().GetResult();
            Drain(reports, lines, write);
            return result;
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            if (!Cancellation.IsCancellationRequested)
                while (lines.TryDequeue(out string? line)) WriteVerbose(line);
        }
    }

    private void Drain<TReport>(ConcurrentQueue<TReport> reports, ConcurrentQueue<string> lines, Action<TReport> write)
    {
        if (Cancellation.IsCancellationRequested) return;
        while (lines.TryDequeue(out string? line)) WriteVerbose(line);
        while (reports.TryDequeue(out TReport? report)) write(report);
    }

    /// <summary>Same as <see cref="AwaitWithProgress{T, TReport}"/> with Core failures turned into a terminating error.</summary>
    protected T RunWithProgress<T, TReport>(Func<IProgress<TReport>, CancellationToken, Task<T>> operation, Action<TReport> write, object? target = null)
    {
        try
        {
            return AwaitWithProgress(operation, write);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowMapped(ex, target);
            throw; // not reached
        }
    }

    /// <summary>
    /// Waits until every CMEK region has settled, writing one parent progress record (regions done
    /// so far) and one child record per region. A *_FAILED region is a CloudOperationFailed error
    /// carrying the Cloud's user_message for each failed region.
    /// </summary>
    protected CmekClusterInfo WaitForCmek(CloudApiClient client, string clusterId, string operation, string target, int timeoutSeconds)
    {
        const int parent = 10;
        string activity = $"{operation} on cluster {clusterId}";
        var regions = new List<string>();
        CmekClusterInfo done = RunWithProgress<CmekClusterInfo, CloudWaitProgress<CmekClusterInfo>>(
            (progress, ct) => client.WaitForCmekAsync(clusterId, TimeSpan.FromSeconds(timeoutSeconds), progress, ct),
            p =>
            {
                WriteProgress(WaitRecord(parent, activity, p, CmekSummary(p.Current, target)));
                if (p.Current is null) return;
                foreach (CmekRegionInfo r in p.Current.RegionInfos)
                {
                    int i = regions.IndexOf(r.Region);
                    if (i < 0) { regions.Add(r.Region); i = regions.Count - 1; }
                    WriteProgress(new ProgressRecord(parent + 1 + i, $"Region {r.Region}", r.Status.Value) { ParentActivityId = parent });
                }
            },
            clusterId);
        for (int i = 0; i < regions.Count; i++) WriteProgress(Completed(parent + 1 + i, $"Region {regions[i]}", parent));
        WriteProgress(Completed(parent, activity));
        return done;
    }

    /// <summary>"2 of 3 regions ENABLED: us-east-1 ENABLED, …" for a progress bar.</summary>
    private static string CmekSummary(CmekClusterInfo? info, string target)
    {
        if (info is null || info.RegionInfos.Count == 0) return info?.Status.Value is { Length: > 0 } s ? s : "waiting for the Cloud";
        int done = info.RegionInfos.Count(r => r.Status.Value == target);
        return $"{done} of {info.RegionInfos.Count} regions {target}";
    }

    /// <summary>One progress record per poll: activity, status and time waited.</summary>
    protected static ProgressRecord WaitRecord<T>(int activityId, string activity, CloudWaitProgress<T> p, string? status = null, int parentId = -1)
    {
        string waited = Seconds(p.Elapsed);
        string limit = p.Timeout > TimeSpan.Zero ? $" of {Seconds(p.Timeout)} allowed" : "";
        return new ProgressRecord(activityId, activity, $"{status ?? p.Status} — {waited} elapsed{limit}")
        {
            PercentComplete = -1,
            SecondsRemaining = p.Timeout > TimeSpan.Zero ? (int)Math.Max(0, (p.Timeout - p.Elapsed).TotalSeconds) : -1,
            CurrentOperation = $"poll {p.Polls}",
            ParentActivityId = parentId,
        };
    }

    protected static ProgressRecord Completed(int activityId, string activity, int parentId = -1) =>
        new(activityId, activity, "Done") { RecordType = ProgressRecordType.Completed, ParentActivityId = parentId };

    protected static string Seconds(TimeSpan t) => t.TotalSeconds >= 100 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0} s";

    private sealed class QueueProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
