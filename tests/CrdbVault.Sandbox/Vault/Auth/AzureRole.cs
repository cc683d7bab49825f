using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Auth;

/// <summary>A role of the azure auth method: the bounds Vault checks and the token settings.</summary>
public sealed class AzureRole
{
    public required string Name { get; init; }
    public List<string> BoundServicePrincipalIds { get; private set; } = [];
    public List<string> BoundGroupIds { get; private set; } = [];
    public List<string> BoundResourceGroups { get; private set; } = [];
    public List<string> BoundSubscriptionIds { get; private set; } = [];
    public List<string> BoundLocations { get; private set; } = [];
    public List<string> BoundScaleSets { get; private set; } = [];
    public TokenParams Token { get; } = new();

    public void Apply(JsonObject body)
    {
        if (BodyReader.Has(body, "bound_service_principal_ids")) BoundServicePrincipalIds = BodyReader.List(body, "bound_service_principal_ids");
        if (BodyReader.Has(body, "bound_group_ids")) BoundGroupIds = BodyReader.List(body, "bound_group_ids");
        if (BodyReader.Has(body, "bound_resource_groups")) BoundResourceGroups = BodyReader.List(body, "bound_resource_groups");
        if (BodyReader.Has(body, "bound_subscription_ids")) BoundSubscriptionIds = BodyReader.List(body, "bound_subscription_ids");
        if (BodyReader.Has(body, "bound_locations")) BoundLocations = BodyReader.List(body, "bound_locations");
        if (BodyReader.Has(body, "bound_scale_sets")) BoundScaleSets = BodyReader.List(body, "bound_scale_sets");
        Token.Parse(body);
        if (Token.TtlExceedsMax) throw new VaultInputException("ttl should not be greater than max ttl");
    }

    public JsonObject Read()
    {
        var data = new JsonObject
        {
            ["bound_service_principal_ids"] = List(BoundServicePrincipalIds),
            ["bound_group_ids"] = List(BoundGroupIds),
            ["bound_resource_groups"] = List(BoundResourceGroups),
            ["bound_subscription_ids"] = List(BoundSubscriptionIds),
            ["bound_locations"] = List(BoundLocations),
            ["bound_scale_sets"] = List(BoundScaleSets),
        };
        Token.WriteTo(data);
        return data;
    }

    /// <summary>Whether login must name the resource: any bound beyond principal and group ids.</summary>
    public bool BindsResource => BoundResourceGroups.Count > 0 || BoundSubscriptionIds.Count > 0 || BoundLocations.Count > 0 || BoundScaleSets.Count > 0;

    private static JsonArray List(IEnumerable<string> items) => new([.. items.Select(i => (JsonNode?)i)]);
}
