using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using Microsoft.IdentityModel.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// Where a jwt mount gets its verification keys, one of Vault's three: PEM keys
/// (<c>jwt_validation_pubkeys</c>), a JWKS URL (<c>jwks_url</c>), or OIDC discovery
/// (<c>oidc_discovery_url</c>: the discovery document is read when the config is written, its issuer
/// must equal the URL, and its <c>jwks_uri</c> is fetched when a login needs keys). Remote keys are
/// cached and fetched again when no cached key verifies a token, as Vault's remote key sets do, so
/// a rotated key works and an unknown one costs one more fetch.
/// </summary>
public sealed class JwtKeySource
{
    private readonly IReadOnlyList<SecurityKey> _static = [];
    private readonly string? _jwksUrl;
    private IReadOnlyList<SecurityKey> _cached = [];
    private readonly SemaphoreSlim _refresh = new(1, 1);

    private JwtKeySource(IReadOnlyList<SecurityKey> keys) => _static = keys;
    private JwtKeySource(string jwksUrl) => _jwksUrl = jwksUrl;

    /// <summary>True for JWKS-backed sources (their failures read "failed to verify id token signature").</summary>
    public bool IsRemote => _jwksUrl is not null;

    /// <summary>The JWKS URL in use (from jwks_url or from the discovery document).</summary>
    public string? JwksUrl => _jwksUrl;

    public static JwtKeySource FromPems(IReadOnlyList<string> pems)
    {
        var keys = new List<SecurityKey>();
        foreach (string pem in pems)
        {
            try { keys.Add(JwtSignature.FromPem(pem)); }
            catch (FormatException ex) { throw new VaultInputException("error parsing public key: " + ex.Message); }
        }
        return new JwtKeySource(keys);
    }

    public static JwtKeySource FromJwksUrl(string url) => new(url);

    /// <summary>Reads the discovery document of <paramref name="issuerUrl"/>; throws <see cref="JwtKeySourceException"/> with the reason.</summary>
    public static async Task<JwtKeySource> FromDiscoveryAsync(OutboundHttp http, string issuerUrl, CancellationToken ct)
    {
        (string issuer, string jwks) = await ReadDiscoveryAsync(http, issuerUrl.TrimEnd('/') + "/.well-known/openid-configuration", ct).ConfigureAwait(false);
        if (issuer != issuerUrl) throw new JwtKeySourceException($"issuer did not match the returned issuer, expected \"{issuerUrl}\" got \"{issuer}\"");
        return new JwtKeySource(jwks);
    }

    /// <summary>The issuer and jwks_uri of a discovery document.</summary>
    public static async Task<(string Issuer, string JwksUri)> ReadDiscoveryAsync(OutboundHttp http, string wellKnownUrl, CancellationToken ct)
    {
        (HttpStatusCode status, string body) = await Fetch(http, wellKnownUrl, ct).ConfigureAwait(false);
        if (status != HttpStatusCode.OK) throw new JwtKeySourceException($"{(int)status} {status}: {body}");
        JsonObject? doc;
        try { doc = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException ex) { throw new JwtKeySourceException("failed to decode OIDC discovery document: " + ex.Message); }
        string issuer = doc?["issuer"]?.GetValue<string>() ?? "";
        string jwks = doc?["jwks_uri"]?.GetValue<string>() ?? "";
        if (jwks.Length == 0) throw new JwtKeySourceException("failed to decode OIDC discovery document: no jwks_uri");
        return (issuer, jwks);
    }

    /// <summary>Fetches the JWKS now (config writes check that jwks_url answers with keys).</summary>
    public async Task CheckReachableAsync(OutboundHttp http, CancellationToken ct)
    {
        if (_jwksUrl is null) return;
        _cached = await FetchKeysAsync(http, ct).ConfigureAwait(false);
        if (_cached.Count == 0) throw new JwtKeySourceException("no keys in the JWKS");
    }

    /// <summary>True when a known key verifies <paramref name="jwt"/> (remote keys: after one refresh if needed).</summary>
    public async Task<bool> VerifiesAsync(string jwt, OutboundHttp http, CancellationToken ct)
    {
        if (_jwksUrl is null) return await JwtSignature.VerifiesAsync(jwt, _static).ConfigureAwait(false);
        if (await JwtSignature.VerifiesAsync(jwt, _cached).ConfigureAwait(false)) return true;
        await _refresh.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _cached = await FetchKeysAsync(http, ct).ConfigureAwait(false);
        }
        catch (JwtKeySourceException) { return false; }
        finally { _refresh.Release(); }
        return await JwtSignature.VerifiesAsync(jwt, _cached).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<SecurityKey>> FetchKeysAsync(OutboundHttp http, CancellationToken ct)
    {
        (HttpStatusCode status, string body) = await Fetch(http, _jwksUrl!, ct).ConfigureAwait(false);
        if (status != HttpStatusCode.OK) throw new JwtKeySourceException($"fetching keys oidc: get keys failed: {(int)status} {status} {body}");
        try { return JwtSignature.KeysOf(body); }
        catch (ArgumentException ex) { throw new JwtKeySourceException("failed to decode keys: " + ex.Message); }
    }

    private static async Task<(HttpStatusCode, string)> Fetch(OutboundHttp http, string url, CancellationToken ct)
    {
        try { return await http.GetAsync(url, ct).ConfigureAwait(false); }
        catch (OutboundRefusedException ex) { throw new JwtKeySourceException(ex.Message); }
    }
}

/// <summary>Keys could not be obtained (discovery or JWKS unreachable, issuer mismatch).</summary>
public sealed class JwtKeySourceException(string message) : Exception(message);
