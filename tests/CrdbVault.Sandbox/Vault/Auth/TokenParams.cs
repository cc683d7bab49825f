using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>
/// The token settings every auth method's role (or user, or config) carries, like Vault's
/// <c>tokenutil.TokenParams</c>: <c>token_policies</c>, <c>token_ttl</c>, <c>token_max_ttl</c>,
/// <c>token_explicit_max_ttl</c>, <c>token_period</c>, <c>token_no_default_policy</c>, with the
/// older names (<c>policies</c>, <c>ttl</c>, <c>max_ttl</c>, <c>period</c>) still accepted. One
/// implementation so every login method issues tokens the same way.
/// </summary>
public sealed class TokenParams
{
    public List<string> Policies { get; set; } = [];
    public TimeSpan Ttl { get; set; }
    public TimeSpan MaxTtl { get; set; }
    public TimeSpan ExplicitMaxTtl { get; set; }
    public TimeSpan Period { get; set; }
    public bool NoDefaultPolicy { get; set; }

    /// <summary>Applies the fields present in <paramref name="body"/>; absent fields keep their value (updates are partial).</summary>
    public void Parse(JsonObject body)
    {
        if (BodyReader.Has(body, "token_policies")) Policies = BodyReader.List(body, "token_policies");
        else if (BodyReader.Has(body, "policies")) Policies = BodyReader.List(body, "policies");
        Ttl = Either(body, "token_ttl", "ttl", Ttl);
        MaxTtl = Either(body, "token_max_ttl", "max_ttl", MaxTtl);
        Period = Either(body, "token_period", "period", Period);
        ExplicitMaxTtl = BodyReader.Duration(body, "token_explicit_max_ttl", ExplicitMaxTtl);
        NoDefaultPolicy = BodyReader.Bool(body, "token_no_default_policy", NoDefaultPolicy);
    }

    /// <summary>A copy to apply an update to, so a refused update leaves the stored settings as they were.</summary>
    public TokenParams Copy() => new()
    {
        Policies = [.. Policies], Ttl = Ttl, MaxTtl = MaxTtl, ExplicitMaxTtl = ExplicitMaxTtl, Period = Period, NoDefaultPolicy = NoDefaultPolicy,
    };

    /// <summary>Vault refuses a token_ttl above a set token_max_ttl when a role is written.</summary>
    public bool TtlExceedsMax => MaxTtl > TimeSpan.Zero && Ttl > MaxTtl;

    /// <summary>Adds the token_* fields to a role read, as Vault's <c>PopulateTokenData</c> does.</summary>
    public void WriteTo(JsonObject data)
    {
        data["token_policies"] = new JsonArray([.. Policies.Select(p => (JsonNode?)p)]);
        data["policies"] = new JsonArray([.. Policies.Select(p => (JsonNode?)p)]);
        data["token_ttl"] = VaultDurations.Seconds(Ttl);
        data["token_max_ttl"] = VaultDurations.Seconds(MaxTtl);
        data["token_explicit_max_ttl"] = VaultDurations.Seconds(ExplicitMaxTtl);
        data["token_period"] = VaultDurations.Seconds(Period);
        data["token_no_default_policy"] = NoDefaultPolicy;
        data["token_num_uses"] = 0;
        data["token_type"] = "default";
        data["token_bound_cidrs"] = new JsonArray();
    }

    /// <summary>
    /// Issues the login's token: role TTLs, else the mount's defaults; a periodic token is bound only
    /// by its explicit max TTL, as in Vault. Extra <paramref name="policies"/> (LDAP groups) are added.
    /// </summary>
    public VaultToken Issue(TokenStore tokens, VaultMount mount, string displayName, string loginPath,
        Dictionary<string, string> meta, IEnumerable<string>? policies = null) =>
        tokens.Create(new TokenSpec
        {
            Policies = [.. Policies, .. policies ?? []],
            NoDefaultPolicy = NoDefaultPolicy,
            Ttl = Ttl > TimeSpan.Zero ? Ttl : mount.EffectiveDefaultTtl,
            MaxTtl = Period > TimeSpan.Zero ? TimeSpan.Zero : MaxTtl > TimeSpan.Zero ? MaxTtl : mount.EffectiveMaxTtl,
            ExplicitMaxTtl = ExplicitMaxTtl,
            Period = Period,
            DisplayName = displayName,
            Path = loginPath,
            Meta = meta,
            Orphan = true,
        });

    /// <summary>
    /// Vault's display name for a login: the mount path (slashes as '-') joined to what the method
    /// names the caller ("jwt-github-repo:o/r:ref:refs/heads/main", "ldap-dba").
    /// </summary>
    public static string LoginDisplayName(VaultMount mount, string name)
    {
        string source = mount.Path["auth/".Length..].Replace('/', '-') + "-";
        return (source + name).TrimEnd('-');
    }

    private static TimeSpan Either(JsonObject body, string name, string legacy, TimeSpan fallback) =>
        BodyReader.Has(body, name) ? BodyReader.Duration(body, name, fallback) : BodyReader.Duration(body, legacy, fallback);
}
