namespace CrdbVault.Core.Vault;

/// <summary>
/// Renews something (a token, a lease) in the background at about two thirds of its TTL, minus up to
/// 10 % random jitter, as Vault's own lifetime watcher does, so that many jobs started together do not
/// renew in the same second. The loop runs on the thread pool and never touches PowerShell: what it
/// learns goes where <c>renewOnce</c> puts it. The clock is a <see cref="TimeProvider"/> so tests drive it.
/// </summary>
public sealed class RenewalLoop : IDisposable
{
    /// <summary>Never wait less than this between renewals (a TTL of a few seconds must not become a busy loop).</summary>
    public static readonly TimeSpan MinimumDelay = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock;
    private readonly Func<CancellationToken, Task<TimeSpan?>> _renewOnce;
    private Task _running = Task.CompletedTask;
    private int _started;

    /// <param name="clock">The clock the waits use.</param>
    /// <param name="renewOnce">Renews once; returns the TTL left afterwards (the next wait is about 2/3 of it), or null to stop.</param>
    public RenewalLoop(TimeProvider clock, Func<CancellationToken, Task<TimeSpan?>> renewOnce)
    {
        _clock = clock;
        _renewOnce = renewOnce;
    }

    /// <summary>True from <see cref="Start"/> until the loop ends (stopped, or renewOnce said there is nothing more to do).</summary>
    public bool IsRunning => _started == 1 && !_running.IsCompleted;

    /// <summary>The wait before renewing something with <paramref name="ttl"/> left: 2/3 of it, minus <paramref name="jitter"/> (0..1) × 10 %.</summary>
    public static TimeSpan DelayFor(TimeSpan ttl, double jitter)
    {
        TimeSpan twoThirds = ttl * 2 / 3;
        TimeSpan delay = twoThirds - twoThirds * (0.1 * Math.Clamp(jitter, 0, 1));
        return delay < MinimumDelay ? MinimumDelay : delay;
    }

    /// <summary>Starts waiting for the first renewal of something with <paramref name="ttl"/> left. Once only.</summary>
    public void Start(TimeSpan ttl)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        _running = Task.Run(() => RunAsync(ttl, _stop.Token));
    }

    private async Task RunAsync(TimeSpan ttl, CancellationToken ct)
    {
        TimeSpan? left = ttl;
        while (left is TimeSpan l && !ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(DelayFor(l, Random.Shared.NextDouble()), _clock, ct).ConfigureAwait(false);
                left = await _renewOnce(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // renewOnce records its own failures where users see them; an exception it let through ends the loop.
                return;
            }
        }
    }

    /// <summary>Stops the loop and waits (briefly) for a renewal in flight to give up; never throws.</summary>
    public void Stop()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // renewOnce keeps its own failures; nothing else can end up here that a caller could act on.
        }
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }
}
