using System.Security;

namespace CrdbVault.Core.Cloud;

/// <summary>How to reach the CockroachDB Cloud API. The key is a SecureString and never printed.</summary>
public sealed class CloudClientOptions
{
    public const string DefaultServer = "https://cockroachlabs.cloud";

    /// <summary>The API server (COCKROACH_SERVER). http is accepted only for a loopback test double.</summary>
    public Uri ServerUrl { get; init; } = new(DefaultServer);

    /// <summary>A service account's secret key, sent as <c>Authorization: Bearer</c>.</summary>
    public required SecureString ApiKey { get; init; }

    /// <summary>Per-request timeout; distinct from the caller's cancellation.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts per call when a retry is safe (see CloudApiClient for which are).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Base wait between retries when the server gave no Retry-After; attempt n waits about
    /// n × (1–1.5) × this. Tests set it small (env CRDBVAULT_RETRY_DELAY_MS).
    /// </summary>
    public TimeSpan RetryBaseDelay { get; init; } = DefaultDelay("CRDBVAULT_RETRY_DELAY_MS", TimeSpan.FromSeconds(1));

    /// <summary>
    /// Client-side cap on requests per second as the server counts them (see CloudRequestThrottle).
    /// The Cloud allows 10 per user; we stay at 8 (see below).
    /// 0 = no client-side cap.
    /// </summary>
    // 8, not 9: the server counts arrivals on its own clock, and under load (CI on 2 cores) we measured
    // up to 11 arrivals in one of its seconds with 9 permits; two permits of margin keep us under 10.
    public int MaxRequestsPerSecond { get; init; } = 8;

    /// <summary>First wait between status polls; it grows ×1.5 up to <see cref="MaxPollInterval"/> (env CRDBVAULT_POLL_INTERVAL_MS).</summary>
    public TimeSpan PollInterval { get; init; } = DefaultDelay("CRDBVAULT_POLL_INTERVAL_MS", TimeSpan.FromSeconds(2));

    /// <summary>Longest wait between status polls (default 15 s, or 8 × a PollInterval set from the environment).</summary>
    public TimeSpan MaxPollInterval { get; init; } = DefaultMaxPoll();

    /// <summary>Receives one line per HTTP exchange (method, path, status, time): never a body or header value.</summary>
    public Action<string>? Trace { get; init; }

    /// <summary>Test hook: replaces the socket handler.</summary>
    public HttpMessageHandler? Handler { get; init; }

    public override string ToString() => $"CockroachDB Cloud {ServerUrl.GetLeftPart(UriPartial.Authority)} (API key {(ApiKey.Length > 0 ? "set" : "missing")})";

    private static TimeSpan DefaultDelay(string variable, TimeSpan fallback)
    {
        string? ms = Environment.GetEnvironmentVariable(variable);
        return int.TryParse(ms, out int value) && value >= 0 ? TimeSpan.FromMilliseconds(value) : fallback;
    }

    private static TimeSpan DefaultMaxPoll()
    {
        TimeSpan fromEnv = DefaultDelay("CRDBVAULT_POLL_INTERVAL_MS", TimeSpan.Zero);
        return fromEnv > TimeSpan.Zero ? fromEnv * 8 : TimeSpan.FromSeconds(15);
    }
}
