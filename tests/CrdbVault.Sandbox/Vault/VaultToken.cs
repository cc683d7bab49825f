namespace CrdbVault.Sandbox.Vault;

/// <summary>A token of the double's token store.</summary>
public sealed class VaultToken
{
    public required string Id { get; init; }
    public required string Accessor { get; init; }
    public required IReadOnlyList<string> Policies { get; init; }
    public string DisplayName { get; init; } = "token";
    public string Path { get; init; } = "auth/token/create";
    public bool Renewable { get; set; }
    public DateTimeOffset IssueTime { get; init; }
    /// <summary>Null = never expires (root).</summary>
    public DateTimeOffset? ExpireTime { get; set; }
    public TimeSpan CreationTtl { get; init; }
    public TimeSpan ExplicitMaxTtl { get; init; }
    public bool Revoked { get; set; }
    public Dictionary<string, string> Meta { get; init; } = [];
    public string? EntityId { get; init; }

    /// <summary>Periodic tokens renew to this TTL (zero = not periodic).</summary>
    public TimeSpan Period { get; init; }
    /// <summary>Cap measured from <see cref="IssueTime"/>: explicit_max_ttl, an auth method's token_max_ttl, or the system max.</summary>
    public TimeSpan MaxTtl { get; init; }
    /// <summary>The token that created this one (revoking it revokes this one too); null for orphans and root.</summary>
    public string? ParentAccessor { get; init; }
    public bool Orphan { get; init; }
    public DateTimeOffset? LastRenewal { get; set; }
    /// <summary>Policies the token was given explicitly (without the automatic "default").</summary>
    public IReadOnlyList<string> TokenPolicies { get; init; } = [];

    public bool IsRoot => Policies.Contains("root");
}
