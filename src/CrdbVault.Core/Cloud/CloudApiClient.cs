using System.Text.Json;
using CrdbVault.Core.Http;
using CrdbVault.Core.Secrets;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// A client of the CockroachDB Cloud API on the shared <see cref="HttpPipeline"/>: bearer key, pinned
/// <c>Cc-Version</c>, snake_case JSON, a client-side cap under the 10 requests/s limit, retries
/// only where a repeat is safe, and errors that name the cluster and the fix. The typed calls are
/// in the other <c>CloudApiClient.*.cs</c> files, one per API area.
/// </summary>
public sealed partial class CloudApiClient : IDisposable
{
    /// <summary>The API version this module was written against, sent as <c>Cc-Version</c>.</summary>
    public const string ApiVersion = "2024-09-16";

    private readonly HttpPipeline _pipeline;
    private readonly CloudClientOptions _options;

    public CloudApiClient(CloudClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckServer(options.ServerUrl);
        if (options.ApiKey is null || options.ApiKey.Length == 0)
            throw new ArgumentException("No CockroachDB Cloud API key. " +
                "Pass -ApiKey or set COCKROACH_API_KEY to a service account's secret key.", nameof(options));
        _options = options;
        var throttle = new CloudRequestThrottle(options.MaxRequestsPerSecond);
        _pipeline = new HttpPipeline(new HttpPipelineOptions
        {
            BaseAddress = new Uri(options.ServerUrl.GetLeftPart(UriPartial.Authority) + "/"),
            Headers = [new("Cc-Version", ApiVersion), new("Accept", "application/json")],
            Timeout = options.Timeout,
            MaxAttempts = options.MaxAttempts,
            RetryBaseDelay = options.RetryBaseDelay,
            // The Cloud sends Retry-After with its rate-limit answers; a minute is the most we wait.
            RetryAfterCap = TimeSpan.FromSeconds(60),
            IsRetryableStatus = IsRetryable,
            Admit = throttle.AcquireAsync,
            Trace = options.Trace,
        }, new CloudFailures(options.ServerUrl));
    }

    public CloudClientOptions Options => _options;

    /// <summary>Sends one call and reads the typed answer; throws <see cref="CloudApiException"/> on any failure.</summary>
    internal async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CloudCall call, CancellationToken ct)
    {
        var http = new HttpCall(method, path.TrimStart('/'), $"{method} {path}",
            call.Retry == CloudRetry.Safe ? RepeatPolicy.Safe : RepeatPolicy.OnlyIfUnprocessed)
        {
            Body = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), CloudJson.Options),
            Headers = [new("Authorization", "Bearer " + SecureStrings.Reveal(_options.ApiKey))],
            UnknownOutcomeHint = call.UnknownOutcomeHint,
            State = call,
        };
        HttpAnswer answer = await _pipeline.SendAsync(http, ct).ConfigureAwait(false);
        if (!answer.IsSuccess)
            throw CloudErrors.FromResponse(method, path, answer.Status, answer.Body, call, _options.MaxAttempts);
        try
        {
            return JsonSerializer.Deserialize<T>(answer.Body.Length == 0 ? "{}"u8 : answer.Body, CloudJson.Options)
                ?? throw new JsonException("null body");
        }
        catch (JsonException ex)
        {
            throw new CloudApiException(
                $"CockroachDB Cloud answered {method} {path} with {answer.Status} but the body is not the documented JSON ({ex.Message}). " +
                    $"Is ServerUrl '{_options.ServerUrl}' the Cloud API?",
                CloudErrorKind.Other, path, answer.Status, clusterId: call.ClusterId);
        }
    }

    /// <summary>429 and every 5xx except 501 (not implemented will not change on a repeat).</summary>
    internal static bool IsRetryable(int status) => status == 429 || (status >= 500 && status != 501);

    private static void CheckServer(Uri server)
    {
        if (server is null || !server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"'{server}' is not a CockroachDB Cloud API address. Use '{CloudClientOptions.DefaultServer}'.", nameof(server));
        // The bearer key must not cross a network in clear text; plain http is for a local test double only.
        if (server.Scheme == Uri.UriSchemeHttp && !server.IsLoopback)
            throw new ArgumentException($"'{server}' uses http: the API key would travel unencrypted. " +
                $"Use https (default '{CloudClientOptions.DefaultServer}').", nameof(server));
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what to give when <paramref name="clusterId"/> cannot be a cluster ID.</summary>
    public static void ValidateClusterId(string? clusterId) => ClusterSegment(clusterId);

    /// <summary>Checks a cluster ID (kind "cluster id": a UUID) before it goes into a path, and returns it escaped.</summary>
    internal static string ClusterSegment(string? clusterId) => Uri.EscapeDataString(Validation.InputValidator.ClusterId(clusterId));

    public void Dispose() => _pipeline.Dispose();

    public override string ToString() => $"CloudApiClient {_options.ServerUrl.GetLeftPart(UriPartial.Authority)}";
}
