namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// Per-key sliding one-second windows: one of admitted requests (the limit, answered with 429 and
/// Retry-After like the Cloud's "10 requests per second per user"), one of every arrival (the
/// statistic tests read to prove a client stays under the limit).
/// </summary>
internal sealed class CloudRateCounter(TimeProvider clock, int limitPerSecond)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    private readonly Dictionary<string, Queue<long>> _admitted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<long>> _arrivals = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private int _maxObserved;

    public int MaxObserved
    {
        get { lock (_gate) return _maxObserved; }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _maxObserved = 0;
            _arrivals.Clear();
        }
    }

    /// <summary>Counts an arrival for the statistic, whatever its fate.</summary>
    public void RecordArrival(string key)
    {
        lock (_gate)
        {
            long now = clock.GetTimestamp();
            Queue<long> q = Trimmed(_arrivals, key, now);
            q.Enqueue(now);
            _maxObserved = Math.Max(_maxObserved, q.Count);
        }
    }

    /// <summary>Admits the request or says how many whole seconds to wait (Retry-After is in seconds).</summary>
    public bool TryAdmit(string key, out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (limitPerSecond <= 0) return true;
        lock (_gate)
        {
            long now = clock.GetTimestamp();
            Queue<long> q = Trimmed(_admitted, key, now);
            if (q.Count < limitPerSecond)
            {
                q.Enqueue(now);
                return true;
            }
            TimeSpan untilFree = Window - clock.GetElapsedTime(q.Peek(), now);
            retryAfterSeconds = Math.Max(1, (int)Math.Ceiling(untilFree.TotalSeconds));
            return false;
        }
    }

    private Queue<long> Trimmed(Dictionary<string, Queue<long>> map, string key, long now)
    {
        if (!map.TryGetValue(key, out Queue<long>? q)) map[key] = q = new Queue<long>();
        while (q.Count > 0 && clock.GetElapsedTime(q.Peek(), now) >= Window) q.Dequeue();
        return q;
    }
}
