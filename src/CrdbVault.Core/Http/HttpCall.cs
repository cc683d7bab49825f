namespace CrdbVault.Core.Http;

/// <summary>Whether a call may be sent again after an attempt that did not clearly fail.</summary>
public enum RepeatPolicy
{
    /// <summary>
    /// Idempotent: retried on the pipeline's retryable statuses, on timeouts and on every connection
    /// failure.
    /// </summary>
    Safe,

    /// <summary>
    /// A change the server may have applied: retried only when it provably was not processed (429,
    /// or a connection that was never established).
    /// </summary>
    OnlyIfUnprocessed,

    /// <summary>
    /// A call that creates something (a credential, a certificate, a data key): never retried, and sent
    /// on connections that refuse to carry it twice (see <see cref="AtMostOnceHandler"/>), so it
    /// reaches the server at most once.
    /// </summary>
    Never,
}

/// <summary>
/// One request as the pipeline sends it: what, where, and how it may be repeated. The body is
/// serialized once and sent again byte for byte on a retry or a redirect.
/// </summary>
/// <param name="Method">The HTTP method on the wire.</param>
/// <param name="Path">Relative to the pipeline's base address, with its query.</param>
/// <param name="Display">How messages and trace lines name the call, e.g. <c>GET /v1/sys/mounts</c>.</param>
public sealed record HttpCall(HttpMethod Method, string Path, string Display, RepeatPolicy Repeat)
{
    /// <summary>A JSON body, or null.</summary>
    public byte[]? Body { get; init; }

    /// <summary>Headers of this call only (a token, an authorization), added to every attempt.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>
    /// For a call that is not <see cref="RepeatPolicy.Safe"/>: what to tell the user when it may have
    /// taken effect unseen, e.g. "check leases under database/creds/app".
    /// </summary>
    public string? UnknownOutcomeHint { get; init; }

    /// <summary>What the client's failure mapper needs about the call beyond this record (the Cloud's cluster id).</summary>
    public object? State { get; init; }

    /// <summary>True when the call changes something that a repeat might change again.</summary>
    public bool MayRepeatEffect => Repeat != RepeatPolicy.Safe;
}

/// <summary>An answer the server gave (any status), its body read within the answer budget.</summary>
public sealed class HttpAnswer
{
    internal HttpAnswer(int status, byte[] body, TimeSpan? retryAfter)
    {
        Status = status;
        Body = body;
        RetryAfter = retryAfter;
    }

    public int Status { get; }

    public byte[] Body { get; }

    /// <summary>The wait a 429 or 503 asked for (capped), or null.</summary>
    public TimeSpan? RetryAfter { get; }

    public bool IsSuccess => Status is >= 200 and < 300;

    public override string ToString() => $"HTTP {Status} ({Body.Length} bytes)";
}
