namespace CrdbVault.Sandbox;

/// <summary>Knobs for tests: timing of the Cloud status machines, faults to inject, TLS.</summary>
public sealed class SandboxOptions
{
    /// <summary>Serve the Vault double over HTTPS with a generated certificate.</summary>
    public bool VaultTls { get; init; }

    /// <summary>Faults the doubles inject before answering (see <see cref="Fault"/>).</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>How the throwaway PostgreSQL starts (extra config, pg_hba lines for TLS work).</summary>
    public Postgres.PostgresLauncherOptions Postgres { get; init; } = new();

    /// <summary>How often expired leases and tokens are swept (real expiry; small = prompt revocation).</summary>
    public TimeSpan ExpirySweepInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long the Cloud double's changes stay in progress (client CA PENDING, CMEK ENABLING /
    /// ROTATING / REVOKING, a LOCKED cluster); null = the double's fast default. serve's
    /// <c>--cloud-transition-seconds</c> sets it, to watch progress and press Ctrl+C by hand.
    /// </summary>
    public TimeSpan? CloudTransitionDelay { get; init; }
}

/// <summary>
/// One injected fault: matches requests by method and path prefix, a number of times. Tests add them
/// in-process (<c>World.Options.Faults</c>); serve reads them from a file (<see cref="FaultFile"/>).
/// </summary>
public sealed class Fault
{
    /// <summary>Null = any method.</summary>
    public string? Method { get; init; }
    /// <summary>Path after /v1/ (Vault) or the full path (Cloud), matched as a prefix.</summary>
    public required string PathPrefix { get; init; }
    /// <summary>Status to answer, e.g. 503. 0 = no status (only the delay, or a dropped connection when <see cref="Drop"/>).</summary>
    public int Status { get; init; }
    public string[] Errors { get; init; } = [];
    /// <summary>How many matching requests it hits; -1 = all.</summary>
    public int Times { get; set; } = 1;
    /// <summary>Wait before answering (to provoke client timeouts).</summary>
    public TimeSpan Delay { get; init; }
    /// <summary>Process the request normally, then fail (the call happened but the client sees an error).</summary>
    public bool AfterExecution { get; init; }
    /// <summary>Abort the connection instead of answering.</summary>
    public bool Drop { get; init; }
    /// <summary>Retry-After header value in seconds, when set.</summary>
    public int? RetryAfterSeconds { get; init; }
    /// <summary>Answer 307 Temporary Redirect (like a standby node) instead of handling the request.</summary>
    public bool Redirect { get; init; }
    /// <summary>Where the redirect points; null = the same URL on the same server (so one follow succeeds).</summary>
    public string? RedirectLocation { get; init; }
    /// <summary>
    /// With <see cref="AfterExecution"/>: rewrites the JSON answer the double would send (the work is
    /// done), e.g. to strip <c>lease_id</c> the way some servers and the API docs' samples answer.
    /// </summary>
    public Func<string, string>? TransformBody { get; init; }
    /// <summary>
    /// Armed only while this holds (null = always): a test states WHEN in the double's own state the
    /// fault applies (e.g. "once the change is in"), set up before the run instead of racing it.
    /// </summary>
    public Func<bool>? When { get; init; }
    /// <summary>Counts how often it fired.</summary>
    public int Hits { get; set; }
}

/// <summary>Thread-safe list of faults.</summary>
public sealed class FaultInjector
{
    private readonly List<Fault> _faults = [];

    public Fault Add(Fault fault)
    {
        lock (_faults) _faults.Add(fault);
        return fault;
    }

    public void Clear()
    {
        lock (_faults) _faults.Clear();
    }

    /// <summary>The first fault matching the request, consuming one of its times.</summary>
    public Fault? Take(string method, string path)
    {
        lock (_faults)
        {
            foreach (Fault f in _faults)
            {
                if (f.Times == 0) continue;
                if (f.Method is not null && !string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (!path.StartsWith(f.PathPrefix, StringComparison.Ordinal)) continue;
                if (f.When is { } when && !when()) continue;
                if (f.Times > 0) f.Times--;
                f.Hits++;
                return f;
            }
        }
        return null;
    }
}
