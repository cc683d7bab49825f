namespace CrdbVault.Core.Vault;

// The answers of Vault's own endpoints, one record each (read with VaultJson).

/// <summary>
/// <c>auth/token/lookup-self</c>: who the token is and how long it lives. <c>explicit_max_ttl</c> (0 = none)
/// caps the token from <c>issue_time</c>; a role's token_max_ttl does not show here (only in capped renewals).
/// </summary>
internal sealed record TokenLookupData(
    string? Accessor,
    string? DisplayName,
    IReadOnlyList<string>? Policies,
    IReadOnlyList<string>? IdentityPolicies,
    bool Renewable,
    TimeSpan Ttl,
    TimeSpan ExplicitMaxTtl = default,
    DateTimeOffset? IssueTime = null);

/// <summary>Every LIST: the keys under a path (a trailing slash marks a folder).</summary>
internal sealed record KeyListData(IReadOnlyList<string>? Keys);

/// <summary><c>sys/mounts/:path</c>: the engine at a path (Vault writes it at the top and under data).</summary>
internal sealed record MountData(string? Type);

/// <summary><c>sys/mounts/:path/tune</c>: documented as a raw object, which the envelope parser makes the data.</summary>
internal sealed record MountTuneData(TimeSpan MaxLeaseTtl);

/// <summary><c>sys/policies/acl/:name</c>.</summary>
internal sealed record AclPolicyData(string? Policy);
