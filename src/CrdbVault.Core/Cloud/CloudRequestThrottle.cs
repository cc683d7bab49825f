using System.Diagnostics;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// At most N requests in any rolling second, per client. A token bucket would allow a burst of N
/// plus N refilled within the same second, i.e. up to 2N in a window the server counts; a log of
/// the last N send times cannot. Waiters are served in order.
/// </summary>
internal sealed class CloudRequestThrottle
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly int _permits;
    private readonly Queue<long> _sent = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public CloudRequestThrottle(int permitsPerSecond) => _permits = permitsPerSecond;

    public async Task WaitAsync(CancellationToken ct)
    {
        if (_permits <= 0) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            while (true)
            {
                long now = Stopwatch.GetTimestamp();
                while (_sent.Count > 0 && Stopwatch.GetElapsedTime(_sent.Peek(), now) >= Window)
                    _sent.Dequeue();
                if (_sent.Count < _permits)
                {
                    _sent.Enqueue(now);
                    return;
                }
                TimeSpan wait = Window - Stopwatch.GetElapsedTime(_sent.Peek(), now);
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromMilliseconds(1), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
