using System.Collections.Concurrent;
using System.Net;

namespace CrdbVault.Sandbox.Vault.Support;

/// <summary>
/// The only way the Vault double reaches another server (OIDC discovery and JWKS for the jwt and
/// azure auth methods), and it reaches loopback only.
/// </summary>
/// <remarks>
/// Decision: the identity double signs tokens with the REAL issuer strings
/// (<c>https://vstoken.dev.azure.com/&lt;org&gt;</c>, <c>https://login.microsoftonline.com/&lt;tenant&gt;/v2.0</c>,
/// <c>https://token.actions.githubusercontent.com</c>), so the module's setup cmdlet writes the same
/// <c>oidc_discovery_url</c>/<c>bound_issuer</c> here as against a real Vault. The double resolves
/// those public URLs through this table of prefixes (public → loopback), which SandboxWorld fills
/// with the identity double's address; discovery documents keep the public URLs (their
/// <c>jwks_uri</c> too), and each fetch is rewritten again. A URL that maps to no loopback address is
/// refused without any network traffic: no test can send anything to a real identity provider.
/// Redirects are not followed for the same reason.
/// </remarks>
public sealed class OutboundHttp : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _prefixes = new(StringComparer.OrdinalIgnoreCase);
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Sends URLs starting with <paramref name="publicPrefix"/> to <paramref name="loopbackPrefix"/> instead.</summary>
    public void Map(string publicPrefix, string loopbackPrefix)
    {
        if (!IsLoopback(new Uri(loopbackPrefix))) throw new ArgumentException("only loopback targets may be mapped", nameof(loopbackPrefix));
        _prefixes[publicPrefix] = loopbackPrefix;
    }

    /// <summary>The loopback URL a request for <paramref name="url"/> goes to; throws when there is none.</summary>
    public Uri Resolve(string url)
    {
        string target = url;
        foreach (var (from, to) in _prefixes.OrderByDescending(p => p.Key.Length))
        {
            if (url.StartsWith(from, StringComparison.OrdinalIgnoreCase)) { target = to + url[from.Length..]; break; }
        }
        if (!Uri.TryCreate(target, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
            throw new OutboundRefusedException($"parse \"{url}\": invalid URL");
        if (!IsLoopback(uri))
            throw new OutboundRefusedException($"Get \"{url}\": the sandbox reaches loopback addresses only and no loopback double serves this URL");
        return uri;
    }

    /// <summary>GET a document; the status and body as received.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, CancellationToken ct)
    {
        Uri uri = Resolve(url);
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(uri, ct).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
        }
        catch (HttpRequestException ex)
        {
            throw new OutboundRefusedException($"Get \"{url}\": {ex.Message}");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));

    public void Dispose() => _http.Dispose();
}

/// <summary>An outbound fetch that could not be made (not loopback, connection failed).</summary>
public sealed class OutboundRefusedException(string message) : Exception(message);
