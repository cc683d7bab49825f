using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Tokens;

/// <summary>What a login or token create asks for.</summary>
public sealed class TokenSpec
{
    public IReadOnlyList<string> Policies { get; init; } = [];
    public bool NoDefaultPolicy { get; init; }
    /// <summary>Zero = the system default (768h), except root-policy tokens which then never expire.</summary>
    public TimeSpan Ttl { get; init; }
    public TimeSpan ExplicitMaxTtl { get; init; }
    /// <summary>Auth-method level cap (token_max_ttl); zero = none.</summary>
    public TimeSpan MaxTtl { get; init; }
    public TimeSpan Period { get; init; }
    public bool Renewable { get; init; } = true;
    public string DisplayName { get; init; } = "token";
    public string Path { get; init; } = "auth/token/create";
    public Dictionary<string, string> Meta { get; init; } = [];
    public VaultToken? Parent { get; init; }
    public bool Orphan { get; init; }
}

/// <summary>
/// The double's token store: service tokens with TTLs, renewal within their max TTL, revocation of
/// child tokens, and a hook that revokes the token's leases (Vault ties leases to the token that
/// created them). Expired tokens are swept by <see cref="SweepExpiredAsync"/>.
/// </summary>
public sealed class TokenStore(TimeProvider clock)
{
    public static readonly TimeSpan SystemMaxTtl = TimeSpan.FromHours(768);

    private readonly ConcurrentDictionary<string, VaultToken> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, VaultToken> _byAccessor = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>Runs after a token is revoked or expires (the server revokes the token's leases here).</summary>
    public Func<VaultToken, Task>? OnRevoked { get; set; }

    public VaultToken CreateRoot()
    {
        var token = new VaultToken
        {
            Id = VaultIds.NewToken(),
            Accessor = VaultIds.NewAccessor(),
            Policies = ["root"],
            TokenPolicies = ["root"],
            // "token", like a root token made with `vault token create`: it is what the database
            // engine's username template sees (v-token-...), as in CockroachDB's Vault tutorial.
            DisplayName = "token",
            Path = "auth/token/root",
            IssueTime = clock.GetUtcNow(),
            Renewable = false,
            Orphan = true,
        };
        Add(token);
        return token;
    }

    public VaultToken Create(TokenSpec spec)
    {
        var policies = spec.Policies.Select(p => p.Trim().ToLowerInvariant()).Where(p => p.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();
        bool root = policies.Contains("root");
        List<string> all = [.. policies];
        if (!spec.NoDefaultPolicy && !root && !all.Contains("default")) all.Insert(0, "default");
        all.Sort(StringComparer.Ordinal);

        DateTimeOffset now = clock.GetUtcNow();
        TimeSpan cap = SystemMaxTtl;
        if (spec.ExplicitMaxTtl > TimeSpan.Zero && spec.ExplicitMaxTtl < cap) cap = spec.ExplicitMaxTtl;
        if (spec.MaxTtl > TimeSpan.Zero && spec.MaxTtl < cap) cap = spec.MaxTtl;

        TimeSpan ttl = spec.Period > TimeSpan.Zero ? spec.Period : spec.Ttl;
        DateTimeOffset? expire;
        if (ttl <= TimeSpan.Zero && root && spec.ExplicitMaxTtl <= TimeSpan.Zero) expire = null; // root tokens may live forever
        else
        {
            if (ttl <= TimeSpan.Zero) ttl = cap;
            if (ttl > cap) ttl = cap;
            expire = now + ttl;
        }

        var token = new VaultToken
        {
            Id = VaultIds.NewToken(),
            Accessor = VaultIds.NewAccessor(),
            Policies = all,
            TokenPolicies = policies,
            DisplayName = spec.DisplayName,
            Path = spec.Path,
            IssueTime = now,
            ExpireTime = expire,
            CreationTtl = expire is null ? TimeSpan.Zero : ttl,
            ExplicitMaxTtl = spec.ExplicitMaxTtl,
            MaxTtl = cap,
            Period = spec.Period,
            Renewable = spec.Renewable && expire is not null,
            Meta = spec.Meta,
            ParentAccessor = spec.Orphan ? null : spec.Parent?.Accessor,
            Orphan = spec.Orphan || spec.Parent is null,
        };
        Add(token);
        return token;
    }

    private void Add(VaultToken token)
    {
        _byId[token.Id] = token;
        _byAccessor[token.Accessor] = token;
    }

    /// <summary>A usable token (known, not revoked, not expired) or null.</summary>
    public VaultToken? Lookup(string? id)
    {
        if (string.IsNullOrEmpty(id) || !_byId.TryGetValue(id, out VaultToken? t)) return null;
        return IsAlive(t) ? t : null;
    }

    public VaultToken? LookupAccessor(string? accessor)
    {
        if (string.IsNullOrEmpty(accessor) || !_byAccessor.TryGetValue(accessor, out VaultToken? t)) return null;
        return IsAlive(t) ? t : null;
    }

    private bool IsAlive(VaultToken t) => !t.Revoked && (t.ExpireTime is null || t.ExpireTime > clock.GetUtcNow());

    /// <summary>Remaining TTL (zero for tokens that never expire).</summary>
    public TimeSpan RemainingTtl(VaultToken t) => t.ExpireTime is DateTimeOffset e ? Max(TimeSpan.Zero, e - clock.GetUtcNow()) : TimeSpan.Zero;

    /// <summary>
    /// Extends a token by <paramref name="increment"/> (zero = its creation TTL; periodic tokens always
    /// get their period), never beyond issue time + max TTL. Returns the new TTL and any cap warning.
    /// </summary>
    public (TimeSpan Ttl, List<string> Warnings) Renew(VaultToken t, TimeSpan increment)
    {
        if (!t.Renewable || t.ExpireTime is null) throw new VaultInputException("lease is not renewable");
        var warnings = new List<string>();
        lock (_gate)
        {
            DateTimeOffset now = clock.GetUtcNow();
            TimeSpan requested = t.Period > TimeSpan.Zero ? t.Period : increment > TimeSpan.Zero ? increment : t.CreationTtl;
            TimeSpan maxLeft = t.IssueTime + t.MaxTtl - now;
            TimeSpan ttl = requested;
            if (ttl > maxLeft)
            {
                ttl = Max(TimeSpan.Zero, maxLeft);
                warnings.Add($"TTL of \"{VaultDurations.GoString(requested)}\" exceeded the effective max_ttl of \"{VaultDurations.GoString(ttl)}\"; TTL value is capped accordingly");
            }
            t.ExpireTime = now + ttl;
            t.LastRenewal = now;
            return (ttl, warnings);
        }
    }

    /// <summary>Revokes a token, its child tokens, and (through <see cref="OnRevoked"/>) their leases.</summary>
    public async Task RevokeAsync(VaultToken t)
    {
        List<VaultToken> victims = [];
        lock (_gate) Collect(t, victims);
        foreach (VaultToken v in victims)
        {
            _byId.TryRemove(v.Id, out _);
            if (OnRevoked is { } hook)
            {
                try { await hook(v).ConfigureAwait(false); }
                catch (Exception) { /* lease revocation failures stay visible on the leases themselves */ }
            }
            _byAccessor.TryRemove(v.Accessor, out _);
        }
    }

    private void Collect(VaultToken t, List<VaultToken> into)
    {
        if (t.Revoked) return;
        t.Revoked = true;
        into.Add(t);
        foreach (VaultToken child in _byAccessor.Values.Where(c => c.ParentAccessor == t.Accessor))
            Collect(child, into);
    }

    /// <summary>Revokes every token whose TTL ran out (called by the server's housekeeping loop).</summary>
    public async Task SweepExpiredAsync()
    {
        DateTimeOffset now = clock.GetUtcNow();
        foreach (VaultToken t in _byAccessor.Values)
            if (!t.Revoked && t.ExpireTime is DateTimeOffset e && e <= now) await RevokeAsync(t).ConfigureAwait(false);
    }

    /// <summary>The <c>auth</c> block Vault returns from logins, token create and renew.</summary>
    public JsonObject AuthBlock(VaultToken t, TimeSpan? leaseDuration = null)
    {
        var meta = t.Meta.Count == 0 ? null : new JsonObject(t.Meta.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        return new JsonObject
        {
            ["client_token"] = t.Id,
            ["accessor"] = t.Accessor,
            ["policies"] = Array(t.Policies),
            ["token_policies"] = Array(t.Policies),
            ["identity_policies"] = null,
            ["metadata"] = meta,
            ["lease_duration"] = VaultDurations.Seconds(leaseDuration ?? RemainingTtl(t)),
            ["renewable"] = t.Renewable,
            ["entity_id"] = t.EntityId ?? "",
            ["token_type"] = "service",
            ["orphan"] = t.Orphan,
            ["mfa_requirement"] = null,
            ["num_uses"] = 0,
        };
    }

    /// <summary>The <c>data</c> of auth/token/lookup(-self).</summary>
    public JsonObject LookupData(VaultToken t)
    {
        var data = new JsonObject
        {
            ["accessor"] = t.Accessor,
            ["creation_time"] = t.IssueTime.ToUnixTimeSeconds(),
            ["creation_ttl"] = VaultDurations.Seconds(t.CreationTtl),
            ["display_name"] = t.DisplayName,
            ["entity_id"] = t.EntityId ?? "",
            ["expire_time"] = t.ExpireTime is DateTimeOffset e ? Rfc3339(e) : null,
            ["explicit_max_ttl"] = VaultDurations.Seconds(t.ExplicitMaxTtl),
            ["id"] = t.Id,
            ["issue_time"] = Rfc3339(t.IssueTime),
            ["meta"] = t.Meta.Count == 0 ? null : new JsonObject(t.Meta.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            ["num_uses"] = 0,
            ["orphan"] = t.Orphan,
            ["path"] = t.Path,
            ["policies"] = Array(t.Policies),
            ["renewable"] = t.Renewable,
            ["ttl"] = VaultDurations.Seconds(RemainingTtl(t)),
            ["type"] = "service",
        };
        if (t.Period > TimeSpan.Zero) data["period"] = VaultDurations.Seconds(t.Period);
        if (t.LastRenewal is DateTimeOffset r)
        {
            data["last_renewal"] = Rfc3339(r);
            data["last_renewal_time"] = r.ToUnixTimeSeconds();
        }
        return data;
    }

    public static string Rfc3339(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonArray Array(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)i)]);
    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
