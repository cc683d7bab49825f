using System.Diagnostics;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// The one poll loop behind every wait: read, report, stop when done, else sleep with a growing
/// interval (PollInterval ×1.5 up to MaxPollInterval). Every read goes through the client's rate
/// cap, so a wait can never exceed the Cloud's 10 requests/s. Transient errors (5xx, 429,
/// connection, timeout) do not end a wait — Terraform's waiters retry them too — other errors do.
/// </summary>
internal static class CloudPoller
{
    public static async Task<T> PollAsync<T>(
        CloudClientOptions options,
        string clusterId,
        string operation,
        Func<CancellationToken, Task<T>> read,
        Func<T, bool> isDone,
        Func<T, string> describe,
        TimeSpan timeout,
        string howToCheck,
        IProgress<CloudWaitProgress<T>>? progress,
        CancellationToken ct)
    {
        bool unlimited = timeout < TimeSpan.Zero;
        var watch = Stopwatch.StartNew();
        TimeSpan interval = options.PollInterval > TimeSpan.Zero ? options.PollInterval : TimeSpan.FromMilliseconds(100);
        TimeSpan maxInterval = options.MaxPollInterval > interval ? options.MaxPollInterval : interval;
        string lastStatus = "not read yet";
        int polls = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            T? current = default;
            try
            {
                current = await read(ct).ConfigureAwait(false);
                polls++;
                lastStatus = describe(current);
            }
            catch (CloudApiException e)
                when (e.Kind is CloudErrorKind.ServerError or CloudErrorKind.RateLimited or CloudErrorKind.ConnectionFailed or CloudErrorKind.Timeout)
            {
                polls++;
                options.Trace?.Invoke($"poll of {operation} on {clusterId} failed transiently ({e.Kind}); waiting on");
            }
            progress?.Report(new CloudWaitProgress<T>
            {
                ClusterId = clusterId, Operation = operation, Current = current, Status = lastStatus,
                Elapsed = watch.Elapsed, Timeout = unlimited ? Timeout.InfiniteTimeSpan : timeout, Polls = polls,
            });
            if (current is not null && isDone(current)) return current;

            TimeSpan remaining = unlimited ? interval : timeout - watch.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw new CloudOperationTimeoutException(clusterId, operation, watch.Elapsed, lastStatus, howToCheck);
            await Task.Delay(interval < remaining ? interval : remaining, ct).ConfigureAwait(false);
            interval = TimeSpan.FromTicks(Math.Min((long)(interval.Ticks * 1.5), maxInterval.Ticks));
        }
    }
}
