using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using CrdbVault.Core.Http;
using CrdbVault.Core.Secrets;
using Polly;
using Polly.Retry;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// One HTTP pipeline to the CockroachDB Cloud API (cockroachdb.md §1): bearer key, pinned
/// <c>Cc-Version</c>, snake_case JSON, a client-side cap under the 10 requests/s limit, retries
/// only where a repeat is safe, and errors that name the cluster and the fix. The typed calls are
/// in the other <c>CloudApiClient.*.cs</c> files, one per API area.
/// </summary>
public sealed partial class CloudApiClient : IDisposable
{
    /// <summary>The API version this module was written against, sent as <c>Cc-Version</c>.</summary>
    public const string ApiVersion = "2024-09-16";

    private readonly HttpClient _http;
    private readonly CloudClientOptions _options;
    private readonly CloudRequestThrottle _throttle;
    private readonly ResiliencePipeline<HttpResponseMessage> _retrySafe;
    private readonly ResiliencePipeline<HttpResponseMessage> _retryUnprocessed;

    public CloudApiClient(CloudClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        CheckServer(options.ServerUrl);
        if (options.ApiKey is null || options.ApiKey.Length == 0)
            throw new ArgumentException("No CockroachDB Cloud API key. Pass -ApiKey or set COCKROACH_API_KEY to a service account's secret key.", nameof(options));
        _options = options;
        _throttle = new CloudRequestThrottle(options.MaxRequestsPerSecond);
        HttpMessageHandler handler = options.Handler ?? new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect must not carry the bearer key anywhere else
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        _http = new HttpClient(handler, disposeHandler: options.Handler is null)
        {
            BaseAddress = new Uri(options.ServerUrl.GetLeftPart(UriPartial.Authority) + "/"),
            // Per-request timeouts are ours (SendOnceAsync) so a timeout is told from Ctrl+C.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Add("Cc-Version", ApiVersion);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CrdbVault", typeof(CloudApiClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
        _retrySafe = BuildRetryPipeline(options, CloudRetry.Safe);
        _retryUnprocessed = BuildRetryPipeline(options, CloudRetry.OnlyIfUnprocessed);
    }

    public CloudClientOptions Options => _options;

    /// <summary>Sends one call and reads the typed answer; throws <see cref="CloudApiException"/> on any failure.</summary>
    internal async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CloudCall call, CancellationToken ct)
    {
        byte[]? payload = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), CloudJson.Options);
        ResiliencePipeline<HttpResponseMessage> pipeline = call.Retry == CloudRetry.Safe ? _retrySafe : _retryUnprocessed;
        ResilienceContext context = ResilienceContextPool.Shared.Get(ct);
        HttpResponseMessage response;
        try
        {
            response = await pipeline.ExecuteAsync(
                static async (ctx, s) => await s.self.SendOnceAsync(s.method, s.path, s.payload, s.call, ctx.CancellationToken).ConfigureAwait(false),
                context, (self: this, method, path, payload, call)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            byte[] content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is < 200 or >= 300)
                throw CloudErrors.FromResponse(method, path, status, content, call, _options.MaxAttempts);
            try
            {
                return JsonSerializer.Deserialize<T>(content.Length == 0 ? "{}"u8 : content, CloudJson.Options)
                    ?? throw new JsonException("null body");
            }
            catch (JsonException ex)
            {
                throw new CloudApiException(
                    $"CockroachDB Cloud answered {method} {path} with {status} but the body is not the documented JSON ({ex.Message}). Is ServerUrl '{_options.ServerUrl}' the Cloud API?",
                    CloudErrorKind.Other, path, status, clusterId: call.ClusterId);
            }
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? payload, CloudCall call, CancellationToken ct)
    {
        // Waiting for our own rate cap is not part of the request's timeout.
        using IDisposable permit = await _throttle.AcquireAsync(ct).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SecureStrings.Reveal(_options.ApiKey));
        if (payload is not null)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        try
        {
            HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            try
            {
                // The body is read here, under the same timeout, and never beyond the budget.
                await BoundedContent.BufferAsync(response, Validation.InputBudgets.AnswerBytes, timeout.Token).ConfigureAwait(false);
            }
            catch (AnswerTooLargeException ex)
            {
                int status = (int)response.StatusCode;
                response.Dispose();
                bool unsafeRepeat = call.Retry != CloudRetry.Safe;
                throw new CloudApiException(
                    $"CockroachDB Cloud answered {method} {path} with {status}, but {ex.Message} (16 MiB). Is ServerUrl '{_options.ServerUrl.GetLeftPart(UriPartial.Authority)}' the Cloud API?{(unsafeRepeat ? " The change may have been applied: " + call.UnknownOutcomeHint : "")}",
                    CloudErrorKind.Other, path, status, clusterId: call.ClusterId, mayHaveExecuted: unsafeRepeat);
            }
            catch
            {
                response.Dispose();
                throw;
            }
            _options.Trace?.Invoke($"{method} {path} -> {(int)response.StatusCode} ({watch.ElapsedMilliseconds} ms)");
            return response;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _options.Trace?.Invoke($"{method} {path} -> timeout after {watch.ElapsedMilliseconds} ms");
            bool unsafeRepeat = call.Retry != CloudRetry.Safe;
            throw new CloudApiException(
                $"CockroachDB Cloud did not answer {method} {path} within {_options.Timeout.TotalSeconds:0} s.{(unsafeRepeat ? " The change may have been applied: " + call.UnknownOutcomeHint : " Try again, or raise the timeout.")}",
                CloudErrorKind.Timeout, path, clusterId: call.ClusterId, mayHaveExecuted: unsafeRepeat);
        }
        catch (IOException ex) when (ex is not AnswerTooLargeException)
        {
            // The connection dropped while the answer's body was read: the request did arrive.
            _options.Trace?.Invoke($"{method} {path} -> connection lost while reading the answer");
            bool mayHave = call.Retry != CloudRetry.Safe;
            throw new CloudApiException(
                $"Could not reach CockroachDB Cloud at {_options.ServerUrl.GetLeftPart(UriPartial.Authority)} for {method} {path}: the connection dropped while reading the answer.{(mayHave ? " The change may have been applied: " + call.UnknownOutcomeHint : "")}",
                CloudErrorKind.ConnectionFailed, path, clusterId: call.ClusterId, mayHaveExecuted: mayHave);
        }
        catch (HttpRequestException ex)
        {
            _options.Trace?.Invoke($"{method} {path} -> {ex.HttpRequestError}");
            bool neverSent = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                || ex.InnerException is SocketException;
            string what = ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => $"the host name '{_options.ServerUrl.Host}' could not be resolved",
                HttpRequestError.SecureConnectionError => "the TLS handshake failed",
                HttpRequestError.ConnectionError => "the connection was refused or dropped (check ServerUrl / COCKROACH_SERVER and any proxy)",
                _ => ex.Message,
            };
            bool mayHave = !neverSent && call.Retry != CloudRetry.Safe;
            throw new CloudApiException(
                $"Could not reach CockroachDB Cloud at {_options.ServerUrl.GetLeftPart(UriPartial.Authority)} for {method} {path}: {what}.{(mayHave ? " The change may have been applied: " + call.UnknownOutcomeHint : "")}",
                CloudErrorKind.ConnectionFailed, path, clusterId: call.ClusterId, mayHaveExecuted: mayHave)
            { RequestNotSent = neverSent };
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildRetryPipeline(CloudClientOptions options, CloudRetry retry)
    {
        if (options.MaxAttempts <= 1) return ResiliencePipeline<HttpResponseMessage>.Empty;
        return new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Linear,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: CloudApiException e } => retry == CloudRetry.Safe
                        ? e.Kind is CloudErrorKind.ConnectionFailed or CloudErrorKind.Timeout
                        : e.Kind == CloudErrorKind.ConnectionFailed && e.RequestNotSent,
                    { Result: HttpResponseMessage r } => retry == CloudRetry.Safe ? IsRetryable((int)r.StatusCode) : (int)r.StatusCode == 429,
                    _ => false,
                }),
                // The Cloud sends Retry-After with its rate-limit answers (cloud-api.md); honour it.
                DelayGenerator = args => ValueTask.FromResult(Http.RetryAfter.From(args.Outcome.Result, TimeSpan.FromSeconds(60))),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    options.Trace?.Invoke($"retrying (attempt {args.AttemptNumber + 2} of {options.MaxAttempts}) after {args.RetryDelay.TotalMilliseconds:0} ms");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>429 and every 5xx except 501 (not implemented will not change on a repeat).</summary>
    internal static bool IsRetryable(int status) => status == 429 || (status >= 500 && status != 501);

    private static void CheckServer(Uri server)
    {
        if (server is null || !server.IsAbsoluteUri || (server.Scheme != Uri.UriSchemeHttps && server.Scheme != Uri.UriSchemeHttp))
            throw new ArgumentException($"'{server}' is not a CockroachDB Cloud API address. Use '{CloudClientOptions.DefaultServer}'.", nameof(server));
        // The bearer key must not cross a network in clear text; plain http is for a local test double only.
        if (server.Scheme == Uri.UriSchemeHttp && !server.IsLoopback)
            throw new ArgumentException($"'{server}' uses http: the API key would travel unencrypted. Use https (default '{CloudClientOptions.DefaultServer}').", nameof(server));
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what to give when <paramref name="clusterId"/> cannot be a cluster ID.</summary>
    public static void ValidateClusterId(string? clusterId) => ClusterSegment(clusterId);

    /// <summary>Checks a cluster ID (kind "cluster id": a UUID) before it goes into a path, and returns it escaped.</summary>
    internal static string ClusterSegment(string? clusterId) => Uri.EscapeDataString(Validation.InputValidator.ClusterId(clusterId));

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"CloudApiClient {_options.ServerUrl.GetLeftPart(UriPartial.Authority)}";
}
