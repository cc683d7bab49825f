using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using CrdbVault.Core.Settings;
using Polly;
using Polly.Retry;

namespace CrdbVault.Core.Http;

/// <summary>
/// The one HTTP pipeline every client of the module composes (Vault, the CockroachDB Cloud API, and
/// identity endpoints): construction of the handlers, TLS trust, a per-request timeout told apart from
/// the caller's Ctrl+C, answers read within the budget, retries by <see cref="RepeatPolicy"/> with
/// Retry-After honoured, the at-most-once path for calls that create something, optional admission
/// control and one standby redirect. It returns every answer the server gives (any status) and
/// leaves reading it to the client; what fails below HTTP goes through the client's
/// <see cref="IHttpFailureMapper"/>, once, after the retries.
/// </summary>
public sealed class HttpPipeline : IDisposable
{
    private readonly HttpPipelineOptions _options;
    private readonly IHttpFailureMapper _failures;
    private readonly HttpClient _pooled;
    private readonly HttpClient _atMostOnce;
    private readonly ResiliencePipeline<HttpAnswer> _retrySafe;
    private readonly ResiliencePipeline<HttpAnswer> _retryUnprocessed;

    public HttpPipeline(HttpPipelineOptions options, IHttpFailureMapper failures)
    {
        _options = options;
        _failures = failures;
        HttpMessageHandler? scripted = InternalHooks.HttpHandler.Value;
        _pooled = Client(scripted ?? PooledHandler(options.CertificateValidation), disposeHandler: scripted is null);
        // A scripted handler answers without connections, so there is nothing to guard.
        _atMostOnce = scripted is null ? Client(AtMostOnceHandler.Create(options.CertificateValidation), disposeHandler: true) : _pooled;
        _retrySafe = BuildRetries(RepeatPolicy.Safe);
        _retryUnprocessed = BuildRetries(RepeatPolicy.OnlyIfUnprocessed);
    }

    public HttpPipelineOptions Options => _options;

    /// <summary>
    /// Sends the call (retrying as its <see cref="RepeatPolicy"/> allows) and returns the answer.
    /// Throws the mapper's exception when no answer could be read, and OperationCanceledException on
    /// the caller's cancellation.
    /// </summary>
    public async Task<HttpAnswer> SendAsync(HttpCall call, CancellationToken ct)
    {
        // A path such as '//host/x' resolves to another authority: its headers (a token) must never go there.
        if (!SameAuthority(new Uri(_options.BaseAddress, call.Path), _options.BaseAddress))
            throw new InvalidOperationException($"{call.Display} would leave {_options.BaseAddress.GetLeftPart(UriPartial.Authority)}; nothing was sent.");
        try
        {
            if (call.Repeat == RepeatPolicy.Never || _options.MaxAttempts <= 1) return await AttemptAsync(call, ct).ConfigureAwait(false);
            ResiliencePipeline<HttpAnswer> retries = call.Repeat == RepeatPolicy.Safe ? _retrySafe : _retryUnprocessed;
            ResilienceContext context = ResilienceContextPool.Shared.Get(ct);
            try
            {
                return await retries.ExecuteAsync(
                    static (ctx, s) => new ValueTask<HttpAnswer>(s.Self.AttemptAsync(s.Call, ctx.CancellationToken)),
                    context, (Self: this, Call: call)).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        catch (HttpFailureException failed)
        {
            throw _failures.Map(call, failed.Failure);
        }
    }

    private static bool SameAuthority(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>One attempt: admission, then the request and its answer under the per-request timeout.</summary>
    private async Task<HttpAnswer> AttemptAsync(HttpCall call, CancellationToken ct)
    {
        // Waiting for admission (the Cloud's rate cap) is not part of the request's timeout.
        using IDisposable? admission = _options.Admit is null ? null : await _options.Admit(ct).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        long started = Stopwatch.GetTimestamp();
        try
        {
            Uri target = new(_options.BaseAddress, call.Path);
            (HttpAnswer answer, Uri? location) = await TransmitAsync(call, target, timeout.Token).ConfigureAwait(false);
            if (answer.Status == (int)HttpStatusCode.TemporaryRedirect && _options.FollowOneRedirect && location is not null)
            {
                // A standby points at the active node; follow once, never from https to http, nor from a plain-http address on
                // this machine to plain http on another one (the headers carry the token; the user was warned of neither).
                Uri next = location.IsAbsoluteUri ? location : new Uri(target, location);
                if ((target.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                    || (Vault.PlaintextTransport.ExposesSecrets(next) && !Vault.PlaintextTransport.ExposesSecrets(target)))
                    throw new HttpFailureException(new HttpFailure(HttpFailureKind.InsecureRedirect, Status: 307,
                        Detail: next.GetLeftPart(UriPartial.Authority)));
                (answer, _) = await TransmitAsync(call, next, timeout.Token).ConfigureAwait(false);
            }
            Trace(call, $"{answer.Status} ({Elapsed(started)} ms)");
            return answer;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Trace(call, $"timeout after {Elapsed(started)} ms");
            throw new HttpFailureException(new HttpFailure(HttpFailureKind.Timeout, Timeout: _options.Timeout));
        }
        catch (IOException)
        {
            // The connection dropped while the answer's body was read: the request did arrive.
            Trace(call, "connection lost while reading the answer");
            throw new HttpFailureException(new HttpFailure(HttpFailureKind.AnswerLost));
        }
        catch (HttpRequestException ex)
        {
            Trace(call, ex.HttpRequestError.ToString());
            if (AtMostOnceHandler.RefusedResend(ex)) throw new HttpFailureException(new HttpFailure(HttpFailureKind.ResendRefused));
            bool neverSent = ex.HttpRequestError
                    is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                || ex.InnerException is SocketException;
            throw new HttpFailureException(new HttpFailure(HttpFailureKind.Unreachable, neverSent, ex.HttpRequestError, Detail: ex.Message));
        }
    }

    /// <summary>Sends one request and reads its whole answer (never beyond the budget) before returning.</summary>
    private async Task<(HttpAnswer Answer, Uri? Location)> TransmitAsync(HttpCall call, Uri target, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(call.Method, target);
        foreach (KeyValuePair<string, string> header in call.Headers)
        {
            // Unvalidated adding keeps odd but legal values; a line break would start a header of the value's choosing.
            if (header.Value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                throw new InvalidOperationException($"The {header.Key} header of {call.Display} holds a line break; nothing was sent.");
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(call.Body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        HttpClient http = _pooled;
        if (call.Repeat == RepeatPolicy.Never)
        {
            http = _atMostOnce;
            AtMostOnceHandler.BeginAttempt();
        }
        using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        byte[] body;
        try
        {
            body = await BoundedContent.ReadAsync(response.Content, Validation.InputBudgets.AnswerBytes, ct).ConfigureAwait(false);
        }
        catch (AnswerTooLargeException ex)
        {
            Trace(call, $"{status}, answer refused: too large");
            throw new HttpFailureException(new HttpFailure(HttpFailureKind.AnswerTooLarge, Status: status, Detail: ex.Message));
        }
        return (new HttpAnswer(status, body, RetryAfter.From(response, _options.RetryAfterCap)), response.Headers.Location);
    }

    private ResiliencePipeline<HttpAnswer> BuildRetries(RepeatPolicy repeat)
    {
        if (_options.MaxAttempts <= 1) return ResiliencePipeline<HttpAnswer>.Empty;
        return new ResiliencePipelineBuilder<HttpAnswer>()
            .AddRetry(new RetryStrategyOptions<HttpAnswer>
            {
                MaxRetryAttempts = _options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Linear,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpFailureException f } => repeat == RepeatPolicy.Safe
                        ? f.Failure.RetryableWhenSafe
                        : f.Failure.Kind == HttpFailureKind.Unreachable && f.Failure.NeverSent,
                    // A 429 was refused before any processing: even a change may go again.
                    { Result: HttpAnswer a } => repeat == RepeatPolicy.Safe ? _options.IsRetryableStatus(a.Status) : a.Status == 429,
                    _ => false,
                }),
                // Honour Retry-After on 429/503 (go-retryablehttp and the Cloud's Terraform provider do too).
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    _options.Trace?.Invoke($"retrying (attempt {args.AttemptNumber + 2} of {_options.MaxAttempts}) " +
                        $"after {args.RetryDelay.TotalMilliseconds:0} ms");
                    return default;
                },
            })
            .Build();
    }

    private void Trace(HttpCall call, string outcome) => _options.Trace?.Invoke($"{call.Display} -> {outcome}");

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private HttpClient Client(HttpMessageHandler handler, bool disposeHandler)
    {
        var client = new HttpClient(handler, disposeHandler)
        {
            // Per-request timeouts are the pipeline's own, so a timeout is told from Ctrl+C.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CrdbVault", typeof(HttpPipeline).Assembly.GetName().Version?.ToString(3)
            ?? "0.0.0"));
        foreach (KeyValuePair<string, string> header in _options.Headers) client.DefaultRequestHeaders.TryAddWithoutValidation(header.Key, header.Value);
        return client;
    }

    private static SocketsHttpHandler PooledHandler(RemoteCertificateValidationCallback? validation)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // a redirect must not carry a token or key anywhere else
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (validation is not null) handler.SslOptions.RemoteCertificateValidationCallback = validation;
        return handler;
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_atMostOnce, _pooled)) _atMostOnce.Dispose();
        _pooled.Dispose();
    }

    public override string ToString() => $"HttpPipeline {_options.BaseAddress.GetLeftPart(UriPartial.Authority)}";
}
