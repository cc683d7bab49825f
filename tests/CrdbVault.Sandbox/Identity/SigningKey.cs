using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// One issuer's RS256 signing key (2048-bit RSA, made at start, never written to disk), with the
/// JWK its JWKS publishes. Tokens are signed by Microsoft.IdentityModel, so they are real JWTs any
/// client library reads.
/// </summary>
public sealed class SigningKey : IDisposable
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly SigningCredentials _credentials;

    public SigningKey()
    {
        // A thumbprint-like key id, as Microsoft's and GitHub's JWKS use.
        KeyId = Convert.ToHexString(SHA1.HashData(_rsa.ExportSubjectPublicKeyInfo()));
        _credentials = new SigningCredentials(new RsaSecurityKey(_rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256);
    }

    public string KeyId { get; }

    /// <summary>A compact JWS of <paramref name="payload"/> exactly as given (header: alg RS256, kid, typ JWT).</summary>
    public string Sign(JsonObject payload) => Handler.CreateToken(payload.ToJsonString(), _credentials);

    /// <summary>The public key as a JWK (kty, use, kid, alg, n, e).</summary>
    public JsonObject Jwk()
    {
        RSAParameters p = _rsa.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["kid"] = KeyId,
            ["alg"] = "RS256",
            ["n"] = Base64UrlEncoder.Encode(p.Modulus!),
            ["e"] = Base64UrlEncoder.Encode(p.Exponent!),
        };
    }

    /// <summary>The public key in PEM (SubjectPublicKeyInfo), as jwt_validation_pubkeys takes it.</summary>
    public string PublicKeyPem() => _rsa.ExportSubjectPublicKeyInfoPem();

    public void Dispose() => _rsa.Dispose();
}
