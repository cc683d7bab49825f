using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Policies;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>The HCL/JSON policy subset and Vault's matching rules.</summary>
public sealed class PolicyParserTests
{
    private static Acl AclOf(string text) => new([new AclPolicy { Name = "t", Text = text, Rules = PolicyParser.Parse(text) }]);

    [Fact]
    public void Parses_hcl_with_comments_and_parameter_maps()
    {
        var rules = PolicyParser.Parse("""
            # issue client certificates only for alice
            path "pki/issue/client" {
              capabilities = ["create", "update"]   // trailing comment
              denied_parameters = { "alt_names" = [] }
              allowed_parameters = {
                "common_name" = ["alice"]
                "*" = []
              }
            }
            /* legacy form */
            path "secret/*" { policy = "read" }
            """);
        Assert.Equal(2, rules.Count);
        Assert.Equal(Capability.Create | Capability.Update, rules[0].Capabilities);
        Assert.Empty(rules[0].DeniedParameters!["alt_names"]);
        Assert.Equal(["alice"], rules[0].AllowedParameters!["common_name"]);
        Assert.Equal(Capability.Read | Capability.List, rules[1].Capabilities);
    }

    [Fact]
    public void Parses_json_policies()
    {
        var rules = PolicyParser.Parse("""{"path": {"database/creds/app": {"capabilities": ["read"]}}}""");
        Assert.Equal("database/creds/app", Assert.Single(rules).Pattern);
    }

    [Fact]
    public void Rejects_unknown_capabilities_and_broken_text()
    {
        Assert.Throws<FormatException>(() => PolicyParser.Parse("path \"x\" { capabilities = [\"fly\"] }"));
        Assert.Throws<FormatException>(() => PolicyParser.Parse("path \"x\" { capabilities = [\"read\"] "));
    }

    [Fact]
    public void Glob_plus_and_priority()
    {
        Acl acl = AclOf("""
            path "db/*" { capabilities = ["read"] }
            path "db/creds/+" { capabilities = ["deny"] }
            path "db/creds/app" { capabilities = ["read"] }
            """);
        var none = new JsonObject();
        Assert.True(acl.Allows("db/roles/x", Capability.Read, false, none));
        Assert.False(acl.Allows("db/creds/other", Capability.Read, false, none)); // + beats the earlier glob
        Assert.True(acl.Allows("db/creds/app", Capability.Read, false, none));    // exact beats +
        Assert.False(acl.Allows("db/roles/x", Capability.List, false, none));
        Assert.False(acl.Allows("dbx", Capability.Read, false, none));
    }

    [Fact]
    public void Sudo_and_parameters()
    {
        Acl acl = AclOf("""
            path "sys/leases/revoke-prefix/*" { capabilities = ["update"] }
            path "pki/issue/client" {
              capabilities = ["update"]
              denied_parameters = { "alt_names" = [] }
              allowed_parameters = { "common_name" = ["alice", "bob-*"], "ttl" = [] }
            }
            """);
        Assert.True(acl.Allows("sys/leases/revoke-prefix/db", Capability.Update, false, []));
        Assert.False(acl.Allows("sys/leases/revoke-prefix/db", Capability.Update, true, []));
        Assert.True(acl.Allows("pki/issue/client", Capability.Update, false, new JsonObject { ["common_name"] = "alice", ["ttl"] = "1h" }));
        Assert.True(acl.Allows("pki/issue/client", Capability.Update, false, new JsonObject { ["common_name"] = "bob-2" }));
        Assert.False(acl.Allows("pki/issue/client", Capability.Update, false, new JsonObject { ["common_name"] = "root" }));
        Assert.False(acl.Allows("pki/issue/client", Capability.Update, false, new JsonObject { ["common_name"] = "alice", ["alt_names"] = "root" }));
    }
}
