using System.Text.Json;
using CrdbVault.Core.Http;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>One request to an identity endpoint (a CI job's OIDC endpoint, a managed-identity endpoint, instance metadata).</summary>
/// <param name="Method">GET or POST (Azure DevOps wants POST with an empty body).</param>
/// <param name="Url">The whole URL with its query.</param>
/// <param name="Source">What errors name: the variable or setting the URL came from, e.g. SYSTEM_OIDCREQUESTURI.</param>
internal sealed record ExternalTokenRequest(HttpMethod Method, Uri Url, string Source)
{
    /// <summary>Headers such as Authorization or Metadata; their values never reach a message or trace line.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>What to do when the endpoint cannot be reached at all.</summary>
    public string UnreachableAdvice { get; init; } = "";

    /// <summary>What to do when the endpoint answers 401/403 (the job's request token or header is wrong).</summary>
    public string RefusedAdvice { get; init; } = "";
}

/// <summary>
/// The small identity client of secretless logins: every external token is fetched through the
/// module's one HTTP pipeline (timeouts told from Ctrl+C, bounded answers, retries of safe calls,
/// trace lines without header values), with the Vault connection's timeout, retries and trace.
/// Every call fetches afresh: these tokens live minutes and nothing is cached.
/// </summary>
internal static class ExternalTokenClient
{
    /// <summary>Sends the request and returns the answer's JSON object; throws <see cref="ExternalTokenUnavailableException"/>.</summary>
    internal static async Task<JsonElement> GetJsonAsync(VaultClientOptions vault, ExternalTokenRequest request, CancellationToken ct)
    {
        using var pipeline = new HttpPipeline(new HttpPipelineOptions
        {
            BaseAddress = new Uri(request.Url.GetLeftPart(UriPartial.Authority) + "/"),
            Timeout = vault.Timeout,
            MaxAttempts = vault.MaxAttempts,
            RetryBaseDelay = vault.RetryBaseDelay,
            Trace = vault.Trace,
        }, new Failures(request));
        var call = new HttpCall(request.Method, request.Url.PathAndQuery, $"{request.Method.Method} {request.Source}", RepeatPolicy.Safe)
        {
            Headers = request.Headers,
            Body = request.Method == HttpMethod.Post ? [] : null,
        };
        HttpAnswer answer = await pipeline.SendAsync(call, ct).ConfigureAwait(false);
        JsonElement? json = TryParse(answer.Body);
        if (!answer.IsSuccess)
        {
            string advice = answer.Status is 401 or 403 ? request.RefusedAdvice : "";
            throw new ExternalTokenUnavailableException(
                $"{request.Source} ({Where(request.Url)}) answered {answer.Status}{Words(json, request)} instead of a token.{Space(advice)}", request.Source);
        }
        if (json is not JsonElement { ValueKind: JsonValueKind.Object } obj)
            throw new ExternalTokenUnavailableException(
                $"{request.Source} ({Where(request.Url)}) answered {answer.Status} with something that is not a JSON object; is the variable " +
                $"pointing at the platform's token endpoint?", request.Source);
        return obj;
    }

    /// <summary>The token in a string field of an identity answer; refused when missing or not a plausible token.</summary>
    internal static string TokenField(JsonElement answer, string field, ExternalTokenRequest request)
    {
        string? token = answer.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (string.IsNullOrEmpty(token))
            throw new ExternalTokenUnavailableException(
                $"{request.Source} ({Where(request.Url)}) answered without '{field}': no token to log in with.", request.Source);
        try
        {
            InputValidator.Secret(token, field);
        }
        catch (ArgumentException)
        {
            throw new ExternalTokenUnavailableException(
                $"{request.Source} ({Where(request.Url)}) answered a '{field}' that is not a token (empty, too long or with control characters).",
                request.Source);
        }
        return token;
    }

    /// <summary>A string field of an answer (instance metadata), or null.</summary>
    internal static string? Text(JsonElement answer, params string[] path)
    {
        JsonElement e = answer;
        foreach (string name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e)) return null;
        }
        return e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : null;
    }

    /// <summary>Scheme, host and port of an endpoint: its path carries job ids nobody needs in a message.</summary>
    internal static string Where(Uri url) => url.GetLeftPart(UriPartial.Authority);

    private static string Space(string advice) => advice.Length == 0 ? "" : " " + advice;

    private static JsonElement? TryParse(byte[] body)
    {
        if (body.Length == 0) return null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = InputBudgets.AnswerDepth });
            return JsonElement.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The endpoint's own words (Azure DevOps 'message', OAuth 'error_description', GitHub 'message'),
    /// printable and short, with every header value we sent blanked: an endpoint that echoes the job's
    /// bearer token or IDENTITY_HEADER must not put it into an error, a transcript or $Error.
    /// </summary>
    private static string Words(JsonElement? json, ExternalTokenRequest request)
    {
        if (json is not JsonElement { ValueKind: JsonValueKind.Object } o) return "";
        foreach (string field in new[] { "error_description", "message", "error" })
        {
            if (o.TryGetProperty(field, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
            {
                string words = ServerText.Printable(WithoutHeaderValues(s, request));
                return $" ('{(words.Length > 300 ? words[..300] + "…" : words)}')";
            }
        }
        return "";
    }

    private static string WithoutHeaderValues(string text, ExternalTokenRequest request)
    {
        foreach (KeyValuePair<string, string> header in request.Headers)
        {
            string value = header.Value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header.Value[7..].Trim() : header.Value;
            if (value.Length >= 8) text = text.Replace(value, "***", StringComparison.Ordinal);
        }
        return text;
    }

    private sealed class Failures(ExternalTokenRequest request) : IHttpFailureMapper
    {
        public Exception Map(HttpCall call, HttpFailure failure)
        {
            string what = failure.Kind switch
            {
                HttpFailureKind.Timeout => $"no answer within {failure.Timeout.TotalSeconds:0} s",
                HttpFailureKind.AnswerTooLarge => failure.Detail,
                HttpFailureKind.InsecureRedirect => "it redirected from https to http",
                HttpFailureKind.Unreachable when failure.Error == HttpRequestError.NameResolutionError => "its host name could not be resolved",
                HttpFailureKind.Unreachable when failure.Error == HttpRequestError.ConnectionError => "the connection was refused or dropped",
                _ => "the connection failed",
            };
            return new ExternalTokenUnavailableException(
                $"Could not get a token from {request.Source} ({Where(request.Url)}): {what}.{Space(request.UnreachableAdvice)}", request.Source);
        }
    }
}
