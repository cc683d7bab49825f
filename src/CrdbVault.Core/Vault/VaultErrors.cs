using CrdbVault.Core.Http;

namespace CrdbVault.Core.Vault;

/// <summary>
/// How a Vault call's failure reads: the pipeline's failures and Vault's error answers both become a
/// <see cref="VaultApiException"/> that names the call, says what Vault said and what to do.
/// </summary>
internal sealed class VaultErrors(Uri address) : IHttpFailureMapper
{
    private string Server => address.GetLeftPart(UriPartial.Authority);

    public Exception Map(HttpCall call, HttpFailure failure)
    {
        string path = VaultClient.PathOf(call);
        string hint = OutcomeHint(call);
        bool mayHave = call.MayRepeatEffect;
        return failure.Kind switch
        {
            HttpFailureKind.Timeout => new VaultApiException(
                $"Vault did not answer {call.Display} within {failure.Timeout.TotalSeconds:0} s.{hint}",
                VaultErrorKind.Timeout, path, mayHaveExecuted: mayHave),
            HttpFailureKind.AnswerLost => new VaultApiException(
                $"Could not reach Vault at {Server} for {call.Display}: the connection dropped while reading the answer.{hint}",
                VaultErrorKind.ConnectionFailed, path, mayHaveExecuted: mayHave),
            HttpFailureKind.ResendRefused => new VaultApiException(
                $"Could not reach Vault at {Server} for {call.Display}: the connection closed after the request was sent, before Vault's answer arrived.{hint}",
                VaultErrorKind.ConnectionFailed, path, mayHaveExecuted: mayHave),
            HttpFailureKind.AnswerTooLarge => new VaultApiException(
                $"Vault answered {call.Display} with {failure.Status}, but {failure.Detail} (16 MiB). "
                + $"Is the address a Vault server, and is nothing in between rewriting answers?{hint}",
                VaultErrorKind.Other, path, failure.Status, mayHaveExecuted: mayHave),
            HttpFailureKind.InsecureRedirect => new VaultApiException(
                $"Vault redirected {call.Display} to plain http ({failure.Detail}), from https or from this machine; refusing to send the token " +
                "unencrypted.",
                VaultErrorKind.ConnectionFailed, path, 307),
            _ => Unreachable(call, failure, path),
        };
    }

    private VaultApiException Unreachable(HttpCall call, HttpFailure failure, string path)
    {
        string what = failure.Error switch
        {
            HttpRequestError.NameResolutionError => $"the host name '{address.Host}' could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed (is the CA right? pass -CACertificate or set VAULT_CACERT)",
            HttpRequestError.ConnectionError => "the connection was refused or dropped (is Vault running and the address right?)",
            _ => failure.Detail,
        };
        bool mayHave = !failure.NeverSent && call.MayRepeatEffect;
        // .NET words a connection that broke after a request with a body went out as "An error
        // occurred while sending the request": say what that means for a call that creates something.
        string outcome = mayHave ? " The request may have reached Vault, but no answer came back, so the outcome is unknown." : "";
        return new VaultApiException(
            $"Could not reach Vault at {Server} for {call.Display}: {what.TrimEnd('.')}.{outcome}{(failure.NeverSent ? "" : OutcomeHint(call))}",
            VaultErrorKind.ConnectionFailed, path, mayHaveExecuted: mayHave);
    }

    /// <summary>An error answer: the kind, Vault's own words and the likely fix.</summary>
    public static VaultApiException FromAnswer(HttpCall call, int status, IReadOnlyList<string> errors)
    {
        string path = VaultClient.PathOf(call);
        string said = errors.Count == 0 ? $"HTTP {status}" : string.Join("; ", errors.Select(e => Validation.ServerText.Printable(e)));
        bool invalidToken = errors.Any(e => e.Contains("invalid token", StringComparison.OrdinalIgnoreCase));
        (VaultErrorKind kind, string fix) = status switch
        {
            403 when invalidToken => (VaultErrorKind.InvalidToken, "The token is invalid, expired or revoked: run Connect-CrdbVault again."),
            403 => (VaultErrorKind.PermissionDenied,
                $"The token is valid but its policies do not allow this: add a policy granting the needed capability on path \"{path}\" "
                + "(see Get-Help about_CrdbVault_Policies)."),
            404 => (VaultErrorKind.NotFound, "The path does not exist: check the name and that the secrets engine is mounted at that path."),
            429 => (VaultErrorKind.RateLimited, "Vault throttled the request (quota): wait and try again."),
            503 => (VaultErrorKind.ServerError, "Vault is sealed or in maintenance: try again once it is unsealed." + FailedOrOpen(call, errors)),
            >= 500 => (VaultErrorKind.ServerError, "Vault failed on its side (its log has the cause)." + FailedOrOpen(call, errors)),
            _ => (VaultErrorKind.InvalidRequest, "Vault rejected the request as sent."),
        };
        bool mayHave = call.MayRepeatEffect && status >= 500 && OutcomeUnknown(status, errors);
        return new VaultApiException($"Vault answered {call.Display} with {status}: {said}. {fix}".TrimEnd(), kind, path, status, errors, mayHave);
    }

    /// <summary>What a 5xx answer to a creating call means for what it made: where to look, or nothing.</summary>
    private static string FailedOrOpen(HttpCall call, IReadOnlyList<string> errors) =>
        !call.MayRepeatEffect ? ""
        : OutcomeUnknown(500, errors) ? OutcomeHint(call)
        : " Vault reports that the call failed, so nothing was created.";

    /// <summary>
    /// Whether a 5xx answer leaves the outcome of a creating call open (docs/vault-notes.md, "Failed
    /// creations"). An answer with Vault's own words is Vault reporting that the call failed: the
    /// engine refused or rolled back (a database user is created in one transaction, rolled back on
    /// error), so nothing was made. Open are an answer without Vault's words (a proxy's 502/503/504,
    /// a load balancer) and Vault's masked "internal error", which it also sends when the work was
    /// done but the lease could not be stored.
    /// </summary>
    private static bool OutcomeUnknown(int status, IReadOnlyList<string> errors) =>
        status >= 500 && (errors.Count == 0 || errors.All(e => e.Trim().Equals("internal error", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The body of a success answer is not JSON.</summary>
    public static VaultApiException Unreadable(HttpCall call, int status, string why) => new(
        $"Vault answered {call.Display} with {status}, but the body is not JSON this module can read ({why}). " +
            $"Is the address a Vault server?{OutcomeHint(call)}",
        VaultErrorKind.Other, VaultClient.PathOf(call), status, mayHaveExecuted: call.MayRepeatEffect);

    private static string OutcomeHint(HttpCall call) =>
        !call.MayRepeatEffect || call.UnknownOutcomeHint is null ? "" : " " + call.UnknownOutcomeHint;
}
