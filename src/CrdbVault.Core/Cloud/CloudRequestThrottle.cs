namespace CrdbVault.Core.Cloud;

/// <summary>
/// Keeps one client under N requests in any second *as the server counts them*. The server sees
/// a request arrive at some moment between our send and its answer, and a slow connection setup
/// can push a whole batch of "spaced" sends into one server second (seen in tests: nine sends
/// stuck ~1 s in connecting arrived together with the next nine). So a request holds one of N
/// permits from before it is sent until one second after its answer: any N+1 arrivals within a
/// second would need N+1 permits held at the same instant, which cannot happen.
/// </summary>
internal sealed class CloudRequestThrottle
{
    // A little over a second: timers fire on a millisecond tick, the server stamps on its own clock.
    private static readonly TimeSpan Cooldown = TimeSpan.FromMilliseconds(1100);
    private readonly SemaphoreSlim? _permits;

    public CloudRequestThrottle(int permitsPerSecond) =>
        _permits = permitsPerSecond > 0 ? new SemaphoreSlim(permitsPerSecond, permitsPerSecond) : null;

    /// <summary>Waits for a permit; dispose the lease when the answer (or failure) is in.</summary>
    public async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        if (_permits is null) return NoLease.Instance;
        await _permits.WaitAsync(ct).ConfigureAwait(false);
        return new Lease(_permits);
    }

    private sealed class Lease(SemaphoreSlim permits) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 1) return;
            // Released a second after the exchange ended, off the caller's path.
            _ = Task.Delay(Cooldown).ContinueWith(static (_, s) => ((SemaphoreSlim)s!).Release(), permits, CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private sealed class NoLease : IDisposable
    {
        public static readonly NoLease Instance = new();

        public void Dispose() { }
    }
}
