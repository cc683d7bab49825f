using System.Text.Json;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// A role of the jwt method (auth/:mount/role/:name) with Vault's write rules: role_type defaults to
/// "oidc" (which then needs allowed_redirect_uris and cannot log in with a JWT), user_claim is
/// required, a jwt role needs at least one bound constraint.
/// </summary>
public sealed class JwtRole
{
    /// <summary>Vault's defaults: 60 s clock skew, 150 s for a missing exp or nbf.</summary>
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultClaimLeeway = TimeSpan.FromSeconds(150);

    public required string Name { get; init; }
    public string RoleType { get; private set; } = "oidc";
    public string UserClaim { get; private set; } = "";
    public List<string> BoundAudiences { get; private set; } = [];
    public string BoundSubject { get; private set; } = "";
    public JsonObject BoundClaims { get; private set; } = [];
    public string BoundClaimsType { get; private set; } = "string";
    public Dictionary<string, string> ClaimMappings { get; private set; } = [];
    public List<string> AllowedRedirectUris { get; private set; } = [];
    /// <summary>Seconds; -1 disables, 0 means the default.</summary>
    public long ClockSkewLeeway { get; private set; } = 60;
    public long ExpirationLeeway { get; private set; } = 150;
    public long NotBeforeLeeway { get; private set; } = 150;
    public TokenParams Token { get; } = new();

    /// <summary>Applies a role write; throws <see cref="VaultInputException"/> with Vault's words when invalid.</summary>
    public void Apply(JsonObject body)
    {
        string roleType = BodyReader.String(body, "role_type") ?? "";
        if (roleType.Length == 0) roleType = "oidc";
        if (roleType is not ("jwt" or "oidc")) throw new VaultInputException($"invalid 'role_type': {roleType}");
        RoleType = roleType;
        Token.Parse(body);
        if (BodyReader.Has(body, "expiration_leeway")) ExpirationLeeway = Seconds(body, "expiration_leeway");
        if (BodyReader.Has(body, "not_before_leeway")) NotBeforeLeeway = Seconds(body, "not_before_leeway");
        if (BodyReader.Has(body, "clock_skew_leeway")) ClockSkewLeeway = Seconds(body, "clock_skew_leeway");
        if (BodyReader.Has(body, "bound_audiences")) BoundAudiences = BodyReader.List(body, "bound_audiences");
        if (BodyReader.Has(body, "bound_subject")) BoundSubject = BodyReader.String(body, "bound_subject") ?? "";

        string claimsType = BodyReader.String(body, "bound_claims_type") ?? "";
        if (claimsType.Length == 0) claimsType = "string";
        if (claimsType is not ("string" or "glob")) throw new VaultInputException($"invalid 'bound_claims_type': {claimsType}");
        BoundClaimsType = claimsType;
        if (BodyReader.Has(body, "bound_claims"))
        {
            if (body["bound_claims"] is not JsonObject claims)
                throw new VaultInputException($"error converting input {body["bound_claims"]!.ToJsonString()} for field \"bound_claims\": expected a map");
            if (claimsType == "glob")
                foreach (var (_, value) in claims)
                    if (JwtClaimMatch.Values(value) is not { } list || list.Any(v => v.GetValueKind() != JsonValueKind.String))
                        throw new VaultInputException($"claim is not a string: {value?.ToJsonString()}");
            BoundClaims = (JsonObject)claims.DeepClone();
        }
        if (body["claim_mappings"] is JsonObject mappings)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (claim, target) in mappings)
            {
                string key = target?.ToString() ?? "";
                if (key == "role") throw new VaultInputException($"metadata key \"{key}\" is reserved and may not be a mapping destination");
                if (map.ContainsValue(key)) throw new VaultInputException($"multiple keys are mapped to metadata key \"{key}\"");
                map[claim] = key;
            }
            ClaimMappings = map;
        }
        if (BodyReader.Has(body, "user_claim")) UserClaim = BodyReader.String(body, "user_claim") ?? "";
        if (UserClaim.Length == 0) throw new VaultInputException("a user claim must be defined on the role");
        if (BodyReader.Has(body, "allowed_redirect_uris")) AllowedRedirectUris = BodyReader.List(body, "allowed_redirect_uris");
        if (RoleType == "oidc" && AllowedRedirectUris.Count == 0)
            throw new VaultInputException("'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");
        if (RoleType != "oidc" && BoundAudiences.Count == 0 && BoundSubject.Length == 0 && BoundClaims.Count == 0)
            throw new VaultInputException("must have at least one bound constraint when creating/updating a role");
        if (Token.TtlExceedsMax) throw new VaultInputException("ttl should not be greater than max ttl");
    }

    public JsonObject Read()
    {
        var data = new JsonObject
        {
            ["role_type"] = RoleType,
            ["expiration_leeway"] = ExpirationLeeway,
            ["not_before_leeway"] = NotBeforeLeeway,
            ["clock_skew_leeway"] = ClockSkewLeeway,
            ["bound_audiences"] = new JsonArray([.. BoundAudiences.Select(a => (JsonNode?)a)]),
            ["bound_subject"] = BoundSubject,
            ["bound_claims_type"] = BoundClaimsType,
            ["bound_claims"] = BoundClaims.Count == 0 ? null : BoundClaims.DeepClone(),
            ["claim_mappings"] = ClaimMappings.Count == 0 ? null : new JsonObject(ClaimMappings.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["user_claim"] = UserClaim,
            ["user_claim_json_pointer"] = false,
            ["groups_claim"] = "",
            ["allowed_redirect_uris"] = new JsonArray([.. AllowedRedirectUris.Select(a => (JsonNode?)a)]),
            ["oidc_scopes"] = new JsonArray(),
            ["verbose_oidc_logging"] = false,
            ["max_age"] = 0,
        };
        Token.WriteTo(data);
        return data;
    }

    /// <summary>
    /// The registered-claim checks of Vault's validator, in its order and with its words: iss
    /// (bound_issuer of the mount), sub, aud, then the times with this role's leeways. Null = fine.
    /// </summary>
    public string? CheckRegisteredClaims(JsonObject claims, string boundIssuer, DateTimeOffset now)
    {
        if (boundIssuer.Length > 0 && JwtSignature.String(claims, "iss") != boundIssuer) return "invalid issuer (iss) claim";
        if (BoundSubject.Length > 0 && JwtSignature.String(claims, "sub") != BoundSubject) return "invalid subject (sub) claim";
        if (BoundAudiences.Count > 0 && !JwtSignature.Audiences(claims).Any(BoundAudiences.Contains))
            return "invalid audience (aud) claim: audience claim does not match any expected audience";

        long iat = JwtSignature.Seconds(claims, "iat") ?? 0, exp = JwtSignature.Seconds(claims, "exp") ?? 0, nbf = JwtSignature.Seconds(claims, "nbf") ?? 0;
        if (iat == 0 && exp == 0 && nbf == 0) return "no issued at (iat), not before (nbf), or expiration time (exp) claims in token";
        // A missing exp or nbf is derived from the others with the expiration / not-before leeway.
        if (exp == 0) exp = Math.Max(iat, nbf) + Leeway(ExpirationLeeway, 150);
        if (nbf == 0) nbf = iat != 0 ? iat : exp - Leeway(NotBeforeLeeway, 150);
        long skew = Leeway(ClockSkewLeeway, 60);
        long t = now.ToUnixTimeSeconds();
        if (t + skew < nbf) return "invalid not before (nbf) claim: token not yet valid";
        if (t - skew > exp) return "invalid expiration time (exp) claim: token is expired";
        if (iat != 0 && t + skew < iat) return "invalid issued at (iat) claim: token issued in the future";
        return null;
    }

    /// <summary>-1 = none, 0 = the default, otherwise the seconds given.</summary>
    private static long Leeway(long configured, long fallback) => configured < 0 ? 0 : configured == 0 ? fallback : configured;

    /// <summary>A signed duration in seconds (Vault's TypeSignedDurationSecond): 150, "150", "2m30s" or -1.</summary>
    private static long Seconds(JsonObject body, string name)
    {
        if (body[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            return (long)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture);
        if (BodyReader.String(body, name) is string s && long.TryParse(s, out long seconds)) return seconds;
        return (long)BodyReader.Duration(body, name, TimeSpan.Zero).TotalSeconds;
    }
}
