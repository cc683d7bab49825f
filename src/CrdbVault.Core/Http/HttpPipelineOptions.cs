using System.Net.Security;

namespace CrdbVault.Core.Http;

/// <summary>How one client's pipeline talks to its server. Holds no secret.</summary>
public sealed class HttpPipelineOptions
{
    /// <summary>Every call's path is relative to this (e.g. <c>https://vault:8200/v1/</c>).</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>Headers of every call (API version, request markers).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Per-request timeout; told apart from the caller's cancellation (Ctrl+C).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts of a call that may be repeated (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Attempt n waits about n × (1–1.5) × this, unless the server asked for a wait (Retry-After).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After the pipeline honours.</summary>
    public TimeSpan RetryAfterCap { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The statuses after which a <see cref="RepeatPolicy.Safe"/> call is sent again.</summary>
    public Func<int, bool> IsRetryableStatus { get; init; } = static status => status == 429 || (status >= 500 && status != 501);

    /// <summary>Follow one 307 (a Vault standby pointing at the active node), never from https, or from this machine, to plain http.</summary>
    public bool FollowOneRedirect { get; init; }

    /// <summary>Server certificate checks; null = the system's trust store (see <see cref="TlsTrust"/>).</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    /// <summary>
    /// Waited for before every attempt, outside its timeout; the returned lease is disposed when the
    /// attempt ends (the Cloud's client-side rate cap). Null = no admission control.
    /// </summary>
    public Func<CancellationToken, Task<IDisposable>>? Admit { get; init; }

    /// <summary>Receives one line per exchange (call, status, time) and per retry: never a body or a header value.</summary>
    public Action<string>? Trace { get; init; }
}
