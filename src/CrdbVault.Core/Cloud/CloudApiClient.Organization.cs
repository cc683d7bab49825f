namespace CrdbVault.Core.Cloud;

// GET /api/v1/organization ("Get information about the caller's organization", roles ORG_ADMIN /
// ORG_MEMBER at organization scope): the cheapest call that proves an API key is accepted.
public sealed partial class CloudApiClient
{
    /// <summary>
    /// The organization of the key's service account. A 401 means the key is not accepted; a 403
    /// means it is accepted but its service account has only cluster- or folder-scoped roles.
    /// </summary>
    public Task<CloudOrganization> GetOrganizationAsync(CancellationToken ct = default) =>
        SendAsync<CloudOrganization>(HttpMethod.Get, "/api/v1/organization", null, CloudCall.Read("(organization)"), ct);
}

/// <summary><c>Organization</c>: the caller's organization.</summary>
public sealed class CloudOrganization
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string? Label { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }

    public override string ToString() => $"{Name} ({Id})";
}
