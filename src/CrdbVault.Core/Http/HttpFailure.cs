namespace CrdbVault.Core.Http;

/// <summary>What went wrong below HTTP, before the call got an answer it could read.</summary>
public enum HttpFailureKind
{
    /// <summary>No answer within the client's per-request timeout (not the caller's Ctrl+C).</summary>
    Timeout,

    /// <summary>The answer's headers arrived but the connection dropped while its body was read: the request did arrive.</summary>
    AnswerLost,

    /// <summary>No connection, or it broke before an answer (refused, DNS, TLS, reset).</summary>
    Unreachable,

    /// <summary>
    /// An at-most-once call whose connection closed after the request was sent, before the answer:
    /// .NET wanted to send it again and was stopped. The first attempt reached the server.
    /// </summary>
    ResendRefused,

    /// <summary>The answer is larger than the budget this module reads.</summary>
    AnswerTooLarge,

    /// <summary>The server redirected to plain http from https or from this machine; the call was not sent there.</summary>
    InsecureRedirect,
}

/// <summary>One failure, with what the client's mapper needs to explain it.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="NeverSent">No byte of the request left the machine (connection refused, DNS, TLS): safe to repeat anything.</param>
/// <param name="Error">.NET's classification of an <see cref="HttpFailureKind.Unreachable"/> failure.</param>
/// <param name="Status">The status of a too-large answer or a redirect; 0 when there was none.</param>
/// <param name="Detail">The too-large explanation, the redirect's target, or .NET's message.</param>
/// <param name="Timeout">The per-request timeout that ran out.</param>
public sealed record HttpFailure(
    HttpFailureKind Kind,
    bool NeverSent = false,
    HttpRequestError Error = HttpRequestError.Unknown,
    int Status = 0,
    string Detail = "",
    TimeSpan Timeout = default)
{
    /// <summary>Whether the pipeline may send a <see cref="RepeatPolicy.Safe"/> call again after this.</summary>
    internal bool RetryableWhenSafe => Kind is HttpFailureKind.Timeout or HttpFailureKind.AnswerLost or HttpFailureKind.Unreachable;
}

/// <summary>
/// The error-mapping hook of a client: turns a failure into the client's own exception (Vault's
/// <c>VaultApiException</c>, the Cloud's <c>CloudApiException</c>) with its wording and advice.
/// Called once per call, after the retries, with the last attempt's failure.
/// </summary>
public interface IHttpFailureMapper
{
    Exception Map(HttpCall call, HttpFailure failure);
}

/// <summary>A failure on its way through the retries, before the client maps it.</summary>
internal sealed class HttpFailureException(HttpFailure failure) : Exception(failure.Kind.ToString())
{
    public HttpFailure Failure { get; } = failure;
}
