using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CrdbVault.Core.Http;
using Polly;
using Polly.Retry;

namespace CrdbVault.Core.Vault;

/// <summary>
/// One HTTP pipeline to one Vault server (vault-api.md §1): headers, tolerant envelope parsing,
/// LIST as <c>GET ?list=true</c>, one standby redirect, retries for idempotent calls only, and
/// cancellation of every request. Engines build on <see cref="SendAsync"/>.
/// Calls that create something (<see cref="VaultRequestOptions.Idempotent"/> false) travel on a
/// connection of their own that the handler may open only once, so they reach Vault at most once
/// (see <see cref="SingleShotHandler"/>).
/// </summary>
public sealed class VaultClient : IDisposable
{
    internal static readonly HttpMethod List = new("LIST");
    private readonly HttpClient _http;
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly VaultClientOptions _options;
    private readonly bool _singleShot;
    private readonly RemoteCertificateValidationCallback? _validation;

    public VaultClient(VaultClientOptions options, IVaultTokenSource? tokens = null)
    {
        _options = options;
        Tokens = tokens;
        _validation = options.Handler is null ? CertificateValidation(options) : null;
        HttpMessageHandler handler = options.Handler ?? CreateHandler(options, _validation);
        _http = new HttpClient(handler, disposeHandler: options.Handler is null)
        {
            BaseAddress = new Uri(options.Address.GetLeftPart(UriPartial.Authority) + "/v1/"),
            // Per-request timeouts are ours (see SendOnceAsync) so a timeout is told from Ctrl+C.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Add("X-Vault-Request", "true");
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CrdbVault", typeof(VaultClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0"));
        if (!string.IsNullOrWhiteSpace(options.Namespace))
            _http.DefaultRequestHeaders.Add("X-Vault-Namespace", options.Namespace.Trim().TrimEnd('/') + "/");
        _retry = BuildRetryPipeline(options);
        _singleShot = options.Handler is null;
    }

    public VaultClientOptions Options => _options;

    /// <summary>Where the token comes from; set by the session after login.</summary>
    public IVaultTokenSource? Tokens { get; set; }

    public Task<VaultResponse?> ReadAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, path, null, VaultRequestOptions.Read, ct);

    /// <summary>LIST: 404 with no errors is an empty list, not an error (vault-api.md §1.1).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string path, CancellationToken ct)
    {
        VaultResponse? r = await SendAsync(List, path, null, VaultRequestOptions.Read, ct).ConfigureAwait(false);
        return r is null ? [] : VaultResponse.StringList(r.Get("keys"));
    }

    public Task<VaultResponse?> WriteAsync(string path, object? body, VaultRequestOptions options, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, body, options, ct);

    public Task<VaultResponse?> DeleteAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, path, null, VaultRequestOptions.IdempotentWrite, ct);

    /// <summary>
    /// Sends one request. Returns null for 404 on GET/LIST when Vault sent no error text (the item
    /// or list does not exist); throws <see cref="VaultApiException"/> for every other failure.
    /// </summary>
    public async Task<VaultResponse?> SendAsync(HttpMethod method, string path, object? body, VaultRequestOptions options, CancellationToken ct, string? tokenOverride = null)
    {
        string relative = path.TrimStart('/');
        byte[]? payload = body is null ? null : body as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(body, body.GetType());
        string? token = options.Anonymous ? null : tokenOverride ?? (Tokens is null ? null : await Tokens.GetTokenAsync(ct).ConfigureAwait(false));

        HttpResponseMessage response;
        if (options.Idempotent)
        {
            var context = ResilienceContextPool.Shared.Get(ct);
            try
            {
                response = await _retry.ExecuteAsync(
                    static async (ctx, state) => await state.self.SendOnceAsync(state.method, state.relative, state.payload, state.token, state.options, ctx.CancellationToken).ConfigureAwait(false),
                    context, (self: this, method, relative, payload, token, options)).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
        else
        {
            response = await SendOnceAsync(method, relative, payload, token, options, ct).ConfigureAwait(false);
        }

        using (response)
        {
            byte[] content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                try
                {
                    return VaultResponse.Parse(content);
                }
                catch (JsonException ex)
                {
                    throw new VaultApiException(
                        $"Vault answered {DisplayMethod(method)} /v1/{StripQuery(relative)} with {status}, but the body is not JSON this module can read ({ex.Message}). Is the address a Vault server?{OutcomeHint(options, sent: true)}",
                        VaultErrorKind.Other, StripQuery(relative), status, mayHaveExecuted: !options.Idempotent);
                }
            }

            IReadOnlyList<string> errors = VaultResponse.ParseErrors(content);
            bool isRead = method == HttpMethod.Get || method == List;
            if (status == 404 && errors.Count == 0 && (isRead || method == HttpMethod.Delete))
                return null;
            throw CreateError(method, relative, status, errors, options);
        }
    }

    /// <summary>
    /// GET of an endpoint that answers raw bytes instead of JSON (pki/ca/pem, pki/crl/pem, pki/ca).
    /// Returns null for 204 or an empty body (nothing there yet) and for 404 without errors.
    /// </summary>
    public async Task<byte[]?> ReadRawAsync(string path, CancellationToken ct)
    {
        string relative = path.TrimStart('/');
        string? token = Tokens is null ? null : await Tokens.GetTokenAsync(ct).ConfigureAwait(false);
        var context = ResilienceContextPool.Shared.Get(ct);
        HttpResponseMessage response;
        try
        {
            response = await _retry.ExecuteAsync(
                static async (ctx, state) => await state.self.SendOnceAsync(HttpMethod.Get, state.relative, null, state.token, VaultRequestOptions.Read, ctx.CancellationToken).ConfigureAwait(false),
                context, (self: this, relative, token)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
        using (response)
        {
            byte[] content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is >= 200 and < 300) return content.Length == 0 ? null : content;
            IReadOnlyList<string> errors = VaultResponse.ParseErrors(content);
            if (status == 404 && errors.Count == 0) return null;
            throw CreateError(HttpMethod.Get, relative, status, errors, VaultRequestOptions.Read);
        }
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string relative, byte[]? payload, string? token, VaultRequestOptions options, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        var watch = Stopwatch.StartNew();
        Uri target = BuildUri(relative, method);
        try
        {
            HttpResponseMessage response = await TransmitAsync(Build(method, target, payload, token), options, method, relative, timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location is Uri location)
            {
                // A standby points at the active node; follow once, never from https to http.
                Uri next = location.IsAbsoluteUri ? location : new Uri(target, location);
                response.Dispose();
                if (target.Scheme == Uri.UriSchemeHttps && next.Scheme != Uri.UriSchemeHttps)
                    throw new VaultApiException($"Vault redirected {method} /v1/{relative} from https to http ({next.GetLeftPart(UriPartial.Authority)}); refusing to send the token unencrypted.", VaultErrorKind.ConnectionFailed, relative, 307);
                response = await TransmitAsync(Build(method, next, payload, token), options, method, relative, timeout.Token).ConfigureAwait(false);
            }
            _options.Trace?.Invoke($"{DisplayMethod(method)} /v1/{StripQuery(relative)} -> {(int)response.StatusCode} ({watch.ElapsedMilliseconds} ms)");
            return response;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _options.Trace?.Invoke($"{DisplayMethod(method)} /v1/{StripQuery(relative)} -> timeout after {watch.ElapsedMilliseconds} ms");
            throw new VaultApiException(
                $"Vault did not answer {DisplayMethod(method)} /v1/{StripQuery(relative)} within {_options.Timeout.TotalSeconds:0} s.{OutcomeHint(options, sent: true)}",
                VaultErrorKind.Timeout, relative, mayHaveExecuted: !options.Idempotent);
        }
        catch (IOException ex) when (ex is not AnswerTooLargeException)
        {
            // The connection dropped while the answer's body was read: the request did arrive.
            _options.Trace?.Invoke($"{DisplayMethod(method)} /v1/{StripQuery(relative)} -> connection lost while reading the answer");
            throw new VaultApiException(
                $"Could not reach Vault at {_options.Address.GetLeftPart(UriPartial.Authority)} for {DisplayMethod(method)} /v1/{StripQuery(relative)}: the connection dropped while reading the answer.{OutcomeHint(options, sent: true)}",
                VaultErrorKind.ConnectionFailed, relative, mayHaveExecuted: !options.Idempotent, inner: null);
        }
        catch (HttpRequestException ex)
        {
            _options.Trace?.Invoke($"{DisplayMethod(method)} /v1/{StripQuery(relative)} -> {ex.HttpRequestError}");
            bool resendRefused = SingleShotHandler.RefusedResend(ex);
            bool neverSent = !resendRefused && (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError
                || ex.InnerException is SocketException);
            string what = resendRefused ? "the connection closed after the request was sent, before Vault's answer arrived" : ex.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => $"the host name '{_options.Address.Host}' could not be resolved",
                HttpRequestError.SecureConnectionError => "the TLS handshake failed (is the CA right? pass -CACertificate or set VAULT_CACERT)",
                HttpRequestError.ConnectionError => "the connection was refused or dropped (is Vault running and the address right?)",
                _ => ex.Message,
            };
            throw new VaultApiException(
                $"Could not reach Vault at {_options.Address.GetLeftPart(UriPartial.Authority)} for {DisplayMethod(method)} /v1/{StripQuery(relative)}: {what}.{(neverSent ? "" : OutcomeHint(options, sent: true))}",
                VaultErrorKind.ConnectionFailed, relative, mayHaveExecuted: !neverSent && !options.Idempotent, inner: null);
        }
    }

    /// <summary>
    /// Idempotent calls share the pooled client. Others go through a handler of their own that may
    /// open ONE connection: .NET resends a bodiless request whose connection closed before the
    /// answer (also on a fresh connection, up to three times; dotnet/runtime issue 86714), and a
    /// resent <c>database/creds</c> GET is a second SQL user. With a single-shot handler the resend
    /// fails to connect and the caller reports an unknown outcome instead.
    /// </summary>
    private async Task<HttpResponseMessage> TransmitAsync(HttpRequestMessage request, VaultRequestOptions options, HttpMethod method, string relative, CancellationToken ct)
    {
        if (options.Idempotent || !_singleShot)
            return await ReceiveBoundedAsync(_http, request, options, method, relative, ct).ConfigureAwait(false);
        foreach (var header in _http.DefaultRequestHeaders) request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        // The answer is buffered before the one-request client goes away with its connection.
        using var invoker = new HttpClient(SingleShotHandler.Create(_validation), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        return await ReceiveBoundedAsync(invoker, request, options, method, relative, ct).ConfigureAwait(false);
    }

    /// <summary>Sends and reads the body under the same timeout, never beyond the answer budget.</summary>
    private async Task<HttpResponseMessage> ReceiveBoundedAsync(HttpClient http, HttpRequestMessage request, VaultRequestOptions options, HttpMethod method, string relative, CancellationToken ct)
    {
        HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        try
        {
            await BoundedContent.BufferAsync(response, Validation.InputBudgets.AnswerBytes, ct).ConfigureAwait(false);
            return response;
        }
        catch (AnswerTooLargeException ex)
        {
            response.Dispose();
            _options.Trace?.Invoke($"{DisplayMethod(method)} /v1/{StripQuery(relative)} -> {(int)response.StatusCode}, answer refused: too large");
            throw new VaultApiException(
                $"Vault answered {DisplayMethod(method)} /v1/{StripQuery(relative)} with {(int)response.StatusCode}, but {ex.Message} (16 MiB). Is the address a Vault server, and is nothing in between rewriting answers?{OutcomeHint(options, sent: true)}",
                VaultErrorKind.Other, StripQuery(relative), (int)response.StatusCode, mayHaveExecuted: !options.Idempotent);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static HttpRequestMessage Build(HttpMethod method, Uri target, byte[]? payload, string? token)
    {
        // LIST goes as GET ?list=true, as the official client does, for proxies that drop odd verbs.
        var request = new HttpRequestMessage(method == List ? HttpMethod.Get : method, target);
        if (token is not null) request.Headers.TryAddWithoutValidation("X-Vault-Token", token);
        if (payload is not null)
        {
            request.Content = new ByteArrayContent(payload);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return request;
    }

    private Uri BuildUri(string relative, HttpMethod method)
    {
        if (method != List) return new Uri(_http.BaseAddress!, relative);
        string sep = relative.Contains('?') ? "&" : "?";
        return new Uri(_http.BaseAddress!, relative + sep + "list=true");
    }

    private VaultApiException CreateError(HttpMethod method, string relative, int status, IReadOnlyList<string> errors, VaultRequestOptions options)
    {
        string said = errors.Count == 0 ? $"HTTP {status}" : string.Join("; ", errors.Select(e => Validation.ServerText.Printable(e)));
        string call = $"{DisplayMethod(method)} /v1/{StripQuery(relative)}";
        bool invalidToken = errors.Any(e => e.Contains("invalid token", StringComparison.OrdinalIgnoreCase));
        (VaultErrorKind kind, string fix) = status switch
        {
            403 when invalidToken => (VaultErrorKind.InvalidToken, "The token is invalid, expired or revoked: run Connect-CrdbVault again."),
            403 => (VaultErrorKind.PermissionDenied, $"The token is valid but its policies do not allow this: add a policy granting the needed capability on path \"{StripQuery(relative)}\" (see Get-Help about_CrdbVault_Policies)."),
            404 => (VaultErrorKind.NotFound, "The path does not exist: check the name and that the secrets engine is mounted at that path."),
            429 => (VaultErrorKind.RateLimited, "Vault throttled the request (quota): wait and try again."),
            503 => (VaultErrorKind.ServerError, "Vault is sealed or in maintenance: try again once it is unsealed."),
            >= 500 => (VaultErrorKind.ServerError, "Vault failed on its side (its log has the cause)." + OutcomeHint(options, sent: true)),
            _ => (VaultErrorKind.InvalidRequest, "Vault rejected the request as sent."),
        };
        bool mayHave = !options.Idempotent && status >= 500;
        return new VaultApiException($"Vault answered {call} with {status}: {said}. {fix}".TrimEnd(), kind, StripQuery(relative), status, errors, mayHave);
    }

    private static string OutcomeHint(VaultRequestOptions options, bool sent) =>
        !sent || options.Idempotent || options.UnknownOutcomeHint is null ? "" : " " + options.UnknownOutcomeHint;

    private static string DisplayMethod(HttpMethod m) => m == List ? "LIST" : m.Method;

    private static string StripQuery(string relative)
    {
        int q = relative.IndexOf('?');
        return q < 0 ? relative : relative[..q];
    }

    private static ResiliencePipeline<HttpResponseMessage> BuildRetryPipeline(VaultClientOptions options)
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
                    { Exception: VaultApiException e } => e.Kind is VaultErrorKind.ConnectionFailed or VaultErrorKind.Timeout && e.Status != 307,
                    { Result: HttpResponseMessage r } => IsRetryable((int)r.StatusCode),
                    _ => false,
                }),
                // Honour Retry-After on 429/503 (go-retryablehttp does the same).
                DelayGenerator = args => ValueTask.FromResult(Http.RetryAfter.From(args.Outcome.Result, TimeSpan.FromSeconds(30))),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    options.Trace?.Invoke($"retrying (attempt {args.AttemptNumber + 2} of {options.MaxAttempts}) after {args.RetryDelay.TotalMilliseconds:0} ms");
                    return default;
                },
            })
            .Build();
    }

    /// <summary>412, 429 and every 5xx except 501 (vault-api.md §1.7).</summary>
    internal static bool IsRetryable(int status) => status is 412 or 429 || (status >= 500 && status != 501);

    private static HttpMessageHandler CreateHandler(VaultClientOptions options, RemoteCertificateValidationCallback? validation)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        if (validation is not null) handler.SslOptions.RemoteCertificateValidationCallback = validation;
        return handler;
    }

    /// <summary>VAULT_SKIP_VERIFY / VAULT_CACERT as one callback every handler of this client uses (null = the system's trust).</summary>
    private static RemoteCertificateValidationCallback? CertificateValidation(VaultClientOptions options)
    {
        if (options.SkipCertificateCheck) return static (_, _, _, _) => true;
        if (string.IsNullOrEmpty(options.CaCertificatePath)) return null;
        X509Certificate2Collection trust = LoadCaBundle(options.CaCertificatePath);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null) return false;
            if (errors == SslPolicyErrors.None) return true;
            if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(trust);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? new X509Certificate2(certificate));
        };
    }

    /// <summary>Loads every certificate of a PEM bundle; a clear error when the file is no CA bundle.</summary>
    public static X509Certificate2Collection LoadCaBundle(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"CA certificate file '{path}' does not exist. Pass the PEM file of the CA that signed Vault's certificate (-CACertificate or VAULT_CACERT).", path);
        byte[] pem = Validation.InputBudgets.ReadFile(path, Validation.InputBudgets.PemBytes, size =>
            new ArgumentException($"'{path}' is {size / 1024} KiB: more than the {Validation.InputBudgets.Describe(Validation.InputBudgets.PemBytes)} a CA bundle may be. Pass the PEM file of the CA that signed Vault's certificate."));
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(Encoding.UTF8.GetString(pem));
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ArgumentException($"'{path}' holds no readable PEM certificate ({ex.Message}). Pass a PEM file starting with '-----BEGIN CERTIFICATE-----'.", ex);
        }
        if (collection.Count == 0)
            throw new ArgumentException($"'{path}' holds no PEM certificate. Pass a PEM file starting with '-----BEGIN CERTIFICATE-----'.");
        return collection;
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"VaultClient {_options.Address}";

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
