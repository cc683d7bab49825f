using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Policies;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// The double's parameter rules as Vault applies them (vault/acl.go): denied values first, then
/// allowed values; a value matches a policy entry only as a string, exactly or with a leading
/// and/or trailing '*' (strutil.GlobbedStringsMatch; a lone "*" or a '*' inside is literal); a list
/// value never matches string entries; an empty entry list means any value.
/// </summary>
public sealed class AclParameterTests
{
    private static Acl AclOf(string hcl) => new([new AclPolicy { Name = "p", Text = hcl, Rules = PolicyParser.Parse(hcl) }]);

    private static bool Issue(Acl acl, JsonObject body) => acl.Allows("pki/issue/client", Capability.Update, false, body);

    private static JsonObject Cn(JsonNode? value) => new() { ["common_name"] = value };

    [Fact]
    public void Denied_values_match_exactly_so_every_spelling_must_be_listed()
    {
        Acl acl = AclOf("""path "pki/issue/client" { capabilities = ["update"] denied_parameters = { "common_name" = ["root"] } }""");
        Assert.False(Issue(acl, Cn("root")));
        Assert.True(Issue(acl, Cn("ROOT")));
        Assert.True(Issue(acl, Cn("Root")));
        Assert.True(Issue(acl, Cn("rootx")));
        Assert.True(Issue(acl, Cn("alice")));
    }

    [Theory]
    [InlineData("r*", "root", false)]
    [InlineData("*t", "root", false)]
    [InlineData("*oo*", "root", false)]
    [InlineData("r*t", "root", true)]   // a '*' inside is literal in Vault
    [InlineData("r*t", "r*t", false)]
    [InlineData("*", "root", true)]     // a lone "*" is shorter than 2 characters: exact match only
    [InlineData("*", "*", false)]
    public void Globs_are_leading_or_trailing_stars_only(string entry, string value, bool allowed)
    {
        Acl acl = AclOf($$"""path "pki/issue/client" { capabilities = ["update"] denied_parameters = { "common_name" = ["{{entry}}"] } }""");
        Assert.Equal(allowed, Issue(acl, Cn(value)));
    }

    [Fact]
    public void A_list_value_never_matches_string_entries()
    {
        Acl denied = AclOf("""path "pki/issue/client" { capabilities = ["update"] denied_parameters = { "common_name" = ["root"] } }""");
        Assert.True(Issue(denied, Cn(new JsonArray("root"))));
        Acl pinned = AclOf("""path "pki/issue/client" { capabilities = ["update"] allowed_parameters = { "common_name" = ["alice"] } }""");
        Assert.True(Issue(pinned, Cn("alice")));
        Assert.False(Issue(pinned, Cn(new JsonArray("alice"))));
        Assert.False(Issue(pinned, Cn("bob")));
        Assert.False(Issue(pinned, new JsonObject { ["common_name"] = "alice", ["alt_names"] = "root" }));
    }

    [Fact]
    public void A_denied_star_key_denies_any_request_with_parameters_and_empty_lists_mean_any_value()
    {
        Acl star = AclOf("""path "pki/issue/client" { capabilities = ["update"] denied_parameters = { "*" = [] } }""");
        Assert.False(Issue(star, Cn("alice")));
        Assert.True(Issue(star, []));
        Acl anyValue = AclOf("""path "pki/issue/client" { capabilities = ["update"] denied_parameters = { "alt_names" = [] } }""");
        Assert.False(Issue(anyValue, new JsonObject { ["common_name"] = "alice", ["alt_names"] = new JsonArray("x") }));
        Assert.False(Issue(anyValue, new JsonObject { ["common_name"] = "alice", ["ALT_NAMES"] = "x" })); // names are case-insensitive
    }
}
