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

    public bool IsRoot => Policies.Contains("root");
}
