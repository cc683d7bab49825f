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
    /// n × (1–1.5) × this (default <see cref="Settings.ModuleSettings.RetryBaseDelay"/>).
    /// </summary>
    public TimeSpan RetryBaseDelay { get; init; } = Settings.ModuleSettings.RetryBaseDelay;

    /// <summary>
    /// Client-side cap on requests per second as the server counts them (see CloudRequestThrottle).
    /// The Cloud allows 10 per user; we stay at 8 (see below).
    /// 0 = no client-side cap.
    /// </summary>
    // 8, not 9: the server counts arrivals on its own clock, and under load (CI on 2 cores) we measured
    // up to 11 arrivals in one of its seconds with 9 permits; two permits of margin keep us under 10.
    public int MaxRequestsPerSecond { get; init; } = 8;

    /// <summary>First wait between status polls; it grows ×1.5 up to <see cref="MaxPollInterval"/> (default
    /// <see cref="Settings.ModuleSettings.PollInterval"/>).</summary>
    public TimeSpan PollInterval { get; init; } = Settings.ModuleSettings.PollInterval;

    /// <summary>Longest wait between status polls (default <see cref="Settings.ModuleSettings.MaxPollInterval"/>).</summary>
    public TimeSpan MaxPollInterval { get; init; } = Settings.ModuleSettings.MaxPollInterval;

    /// <summary>Receives one line per HTTP exchange (method, path, status, time): never a body or header value.</summary>
    public Action<string>? Trace { get; init; }

    public override string ToString() => $"CockroachDB Cloud {ServerUrl.GetLeftPart(UriPartial.Authority)} (API key {(ApiKey.Length > 0 ? "set" : "missing")})";
}
