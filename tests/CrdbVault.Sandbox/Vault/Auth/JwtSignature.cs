using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// Signature checks and claim decoding for the jwt and azure auth methods, on
/// Microsoft.IdentityModel (the crypto is the library's; what is checked, in which order and with
/// which words, is Vault's and lives in the methods).
/// </summary>
public static class JwtSignature
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>The algorithms Vault's jwt method accepts by default (HMAC and "none" never).</summary>
    public static readonly string[] AsymmetricAlgorithms =
        ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"];

    /// <summary>The payload as JSON (types kept: "1" stays a string); throws <see cref="FormatException"/> when malformed.</summary>
    public static JsonObject Claims(string jwt)
    {
        JsonWebToken token;
        try { token = new JsonWebToken(jwt); }
        catch (ArgumentException ex) { throw new FormatException("malformed jwt: " + FirstLine(ex.Message), ex); }
        try
        {
            return JsonNode.Parse(Base64UrlEncoder.Decode(token.EncodedPayload)) as JsonObject
                ?? throw new FormatException("malformed jwt: payload is not a JSON object");
        }
        catch (JsonException ex) { throw new FormatException("malformed jwt: " + ex.Message, ex); }
    }

    /// <summary>The JWS header's "alg" and "kid".</summary>
    public static (string Alg, string? Kid) Header(string jwt)
    {
        var token = new JsonWebToken(jwt);
        return (token.Alg, string.IsNullOrEmpty(token.Kid) ? null : token.Kid);
    }

    /// <summary>True when one of <paramref name="keys"/> verifies the signature (nothing else is checked here).</summary>
    public static async Task<bool> VerifiesAsync(string jwt, IReadOnlyCollection<SecurityKey> keys)
    {
        if (keys.Count == 0) return false;
        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = AsymmetricAlgorithms,
            RequireSignedTokens = true,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuerSigningKey = false,
        };
        TokenValidationResult result = await Handler.ValidateTokenAsync(jwt, parameters).ConfigureAwait(false);
        return result.IsValid;
    }

    /// <summary>The signing keys of a JWKS document (RSA and EC keys with "use" absent or "sig").</summary>
    public static IReadOnlyList<SecurityKey> KeysOf(string jwksJson)
    {
        var set = new JsonWebKeySet(jwksJson) { SkipUnresolvedJsonWebKeys = true };
        return [.. set.GetSigningKeys()];
    }

    /// <summary>
    /// Public keys in PEM (SubjectPublicKeyInfo "PUBLIC KEY", PKCS#1 "RSA PUBLIC KEY", or a certificate),
    /// as <c>jwt_validation_pubkeys</c> takes them. Throws <see cref="FormatException"/> otherwise.
    /// </summary>
    public static SecurityKey FromPem(string pem)
    {
        if (pem.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            if (cert.GetRSAPublicKey() is RSA certRsa) return new RsaSecurityKey(certRsa.ExportParameters(false));
            if (cert.GetECDsaPublicKey() is ECDsa certEc) return new ECDsaSecurityKey(certEc);
            throw new FormatException("data does not contain any valid RSA or ECDSA public keys");
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (ArgumentException) { }
        catch (CryptographicException) { }
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (ArgumentException) { }
        catch (CryptographicException) { }
        throw new FormatException("data does not contain any valid RSA or ECDSA public keys");
    }

    /// <summary>NumericDate claims (exp, nbf, iat) as seconds; null when absent.</summary>
    public static long? Seconds(JsonObject claims, string name) =>
        claims[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>"aud" as a list: a string is one audience, an array many.</summary>
    public static List<string> Audiences(JsonObject claims) => claims["aud"] switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        JsonArray a => [.. a.OfType<JsonValue>().Where(x => x.GetValueKind() == JsonValueKind.String).Select(x => x.GetValue<string>())],
        _ => [],
    };

    /// <summary>A string claim or null.</summary>
    public static string? String(JsonObject claims, string name) =>
        claims[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();
}
