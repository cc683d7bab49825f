using System.Text.Json;
using CrdbVault.Core.Http;

namespace CrdbVault.Core.Vault;

/// <summary>
/// A client of one Vault server on the shared <see cref="HttpPipeline"/>: Vault's headers, the token
/// of each call, LIST as <c>GET ?list=true</c>, one standby redirect, Vault's retryable statuses, and
/// answers read as Vault writes them (tolerant envelope parsing in <see cref="VaultResponse"/>, 404
/// without errors as "nothing there" on reads). Engines build on <see cref="SendAsync"/>. Calls that
/// create something (<see cref="VaultRequestOptions.Idempotent"/> false) are never retried and reach
/// Vault at most once (<see cref="RepeatPolicy.Never"/>).
/// </summary>
public sealed class VaultClient : IDisposable
{
    internal static readonly HttpMethod List = new("LIST");
    private readonly HttpPipeline _pipeline;

    public VaultClient(VaultClientOptions options, IVaultTokenSource? tokens = null)
    {
        Options = options;
        Tokens = tokens;
        var headers = new List<KeyValuePair<string, string>> { new("X-Vault-Request", "true") };
        if (!string.IsNullOrWhiteSpace(options.Namespace))
            headers.Add(new("X-Vault-Namespace", options.Namespace.Trim().TrimEnd('/') + "/"));
        _pipeline = new HttpPipeline(new HttpPipelineOptions
        {
            BaseAddress = new Uri(options.Address.GetLeftPart(UriPartial.Authority) + "/v1/"),
            Headers = headers,
            Timeout = options.Timeout,
            MaxAttempts = options.MaxAttempts,
            RetryBaseDelay = options.RetryBaseDelay,
            RetryAfterCap = TimeSpan.FromSeconds(30),
            IsRetryableStatus = IsRetryable,
            FollowOneRedirect = true,
            CertificateValidation = TlsTrust.Callback(options.SkipCertificateCheck, options.CaCertificatePath),
            Trace = options.Trace,
        }, new VaultErrors(options.Address));
    }

    public VaultClientOptions Options { get; }

    /// <summary>Where the token comes from; set by the session after login.</summary>
    public IVaultTokenSource? Tokens { get; set; }

    /// <summary>Where engines record the leases they issue (the session's ledger); null for a bare client.</summary>
    public Leases.LeaseLedger? Ledger { get; set; }

    public Task<VaultResponse?> ReadAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Get, path, null, VaultRequestOptions.Read, ct);

    /// <summary>LIST: 404 with no errors is an empty list, not an error.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(string path, CancellationToken ct)
    {
        VaultResponse? r = await SendAsync(List, path, null, VaultRequestOptions.Read, ct).ConfigureAwait(false);
        return r?.DataAs<KeyListData>()?.Keys ?? [];
    }

    public Task<VaultResponse?> WriteAsync(string path, object? body, VaultRequestOptions options, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, path, body, options, ct);

    public Task<VaultResponse?> DeleteAsync(string path, CancellationToken ct) =>
        SendAsync(HttpMethod.Delete, path, null, VaultRequestOptions.IdempotentWrite, ct);

    /// <summary>
    /// Sends one request. Returns null for 404 on GET/LIST/DELETE when Vault sent no error text (the
    /// item or list does not exist); throws <see cref="VaultApiException"/> for every other failure.
    /// </summary>
    public async Task<VaultResponse?> SendAsync(HttpMethod method, string path, object? body, VaultRequestOptions options,
        CancellationToken ct, string? tokenOverride = null)
    {
        HttpCall call = await CallAsync(method, path, body, options, tokenOverride, ct).ConfigureAwait(false);
        HttpAnswer answer = await _pipeline.SendAsync(call, ct).ConfigureAwait(false);
        if (answer.IsSuccess)
        {
            try
            {
                return VaultResponse.Parse(answer.Body);
            }
            catch (JsonException ex)
            {
                throw VaultErrors.Unreadable(call, answer.Status, ex.Message);
            }
        }
        IReadOnlyList<string> errors = VaultResponse.ParseErrors(answer.Body);
        if (answer.Status == 404 && errors.Count == 0 && (method == HttpMethod.Get || method == List || method == HttpMethod.Delete))
            return null;
        throw VaultErrors.FromAnswer(call, answer.Status, errors);
    }

    /// <summary>
    /// GET of an endpoint that answers raw bytes instead of JSON (pki/ca/pem, pki/crl/pem, pki/ca).
    /// Returns null for 204 or an empty body (nothing there yet) and for 404 without errors.
    /// </summary>
    public async Task<byte[]?> ReadRawAsync(string path, CancellationToken ct)
    {
        HttpCall call = await CallAsync(HttpMethod.Get, path, null, VaultRequestOptions.Read, null, ct).ConfigureAwait(false);
        HttpAnswer answer = await _pipeline.SendAsync(call, ct).ConfigureAwait(false);
        if (answer.IsSuccess) return answer.Body.Length == 0 ? null : answer.Body;
        IReadOnlyList<string> errors = VaultResponse.ParseErrors(answer.Body);
        if (answer.Status == 404 && errors.Count == 0) return null;
        throw VaultErrors.FromAnswer(call, answer.Status, errors);
    }

    private async Task<HttpCall> CallAsync(HttpMethod method, string path, object? body, VaultRequestOptions options, string? tokenOverride,
        CancellationToken ct)
    {
        string relative = path.TrimStart('/');
        string? token = options.Anonymous ? null : tokenOverride ?? (Tokens is null ? null : await Tokens.GetTokenAsync(ct).ConfigureAwait(false));
        // LIST goes as GET ?list=true, as the official client does, for proxies that drop odd verbs.
        string wire = method == List ? relative + (relative.Contains('?') ? "&" : "?") + "list=true" : relative;
        return new HttpCall(method == List ? HttpMethod.Get : method, wire, $"{(method == List ? "LIST" : method.Method)} /v1/{StripQuery(relative)}",
            options.Idempotent ? RepeatPolicy.Safe : RepeatPolicy.Never)
        {
            Body = body is null ? null : body as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(body, body.GetType()),
            Headers = token is null ? [] : [new("X-Vault-Token", token)],
            UnknownOutcomeHint = options.UnknownOutcomeHint,
        };
    }

    /// <summary>The API path of a call, relative to <c>/v1/</c> and without its query: what errors name.</summary>
    internal static string PathOf(HttpCall call) => StripQuery(call.Display[(call.Display.IndexOf("/v1/", StringComparison.Ordinal) + 4)..]);

    private static string StripQuery(string relative)
    {
        int q = relative.IndexOf('?');
        return q < 0 ? relative : relative[..q];
    }

    /// <summary>412, 429 and every 5xx except 501 (Vault's client retries the same).</summary>
    internal static bool IsRetryable(int status) => status is 412 or 429 || (status >= 500 && status != 501);

    public void Dispose() => _pipeline.Dispose();

    public override string ToString() => $"VaultClient {Options.Address}";
}
