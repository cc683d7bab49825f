using System.Net;
using CrdbVault.Sandbox.Vault;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>Token store and ACL enforcement, including the two 403 texts clients tell apart.</summary>
[Collection("sandbox")]
public sealed class VaultTokenAndPolicyTests(SandboxFixture sandbox)
{
    private VaultServer Vault => sandbox.World.Vault;

    [Fact]
    public async Task Unknown_token_and_acl_denial_are_different_403s()
    {
        var bad = await sandbox.SendAsync("GET", "sys/mounts", "hvs.not-a-token");
        Assert.Equal(HttpStatusCode.Forbidden, bad.Status);
        Assert.Equal("2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n", Assert.Single(bad.Errors));

        VaultToken plain = Vault.CreateToken([]);
        var denied = await sandbox.SendAsync("GET", "sys/mounts", plain.Id);
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal("1 error occurred:\n\t* permission denied\n\n", Assert.Single(denied.Errors));

        // The default policy still lets the token look itself up.
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "auth/token/lookup-self", plain.Id)).Status);
    }

    [Fact]
    public async Task Policy_globs_segments_and_priority_decide()
    {
        string policy = SandboxFixture.Unique("p");
        Vault.WritePolicy(policy, """
            path "sys/mounts" { capabilities = ["read"] }
            path "sys/policies/acl/+" { capabilities = ["read"] }
            path "sys/policies/acl/default" { capabilities = ["deny"] }
            path "sys/auth*" { capabilities = ["read", "list"] }
            """);
        string token = Vault.CreateToken([policy]).Id;
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/mounts", token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/auth", token)).Status);
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/policies/acl/root", token)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("GET", "sys/policies/acl/default", token)).Status); // exact beats +
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("POST", "sys/mounts/x", token, new { type = "database" })).Status);
    }

    [Fact]
    public async Task Denied_and_allowed_parameters_are_enforced_on_the_body()
    {
        string policy = SandboxFixture.Unique("p");
        Vault.WritePolicy(policy, """
            path "auth/token/create" {
              capabilities = ["update"]
              denied_parameters = { "policies" = [] }
            }
            path "sys/leases/lookup" {
              capabilities = ["update"]
              allowed_parameters = { "lease_id" = ["db/creds/*"] }
            }
            """);
        string token = Vault.CreateToken([policy]).Id;
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("POST", "auth/token/create", token, new { ttl = "1m" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("POST", "auth/token/create", token, new { policies = new[] { "root" } })).Status);

        // Allowed value passes the ACL (then the lease is unknown: 400), other values and extra keys are denied.
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.SendAsync("POST", "sys/leases/lookup", token, new { lease_id = "db/creds/x/abc" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("POST", "sys/leases/lookup", token, new { lease_id = "other/abc" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sandbox.SendAsync("POST", "sys/leases/lookup", token, new { lease_id = "db/creds/x/abc", extra = 1 })).Status);
    }

    [Fact]
    public async Task Token_create_lookup_renew_cap_and_revoke()
    {
        var created = await sandbox.RootAsync("POST", "auth/token/create", new { policies = new[] { "default" }, ttl = "60s", explicit_max_ttl = "90s", display_name = "ci job" });
        Assert.Equal(HttpStatusCode.OK, created.Status);
        string token = created.Json!["auth"]!["client_token"]!.GetValue<string>();
        Assert.Equal(60, created.Json!["auth"]!["lease_duration"]!.GetValue<long>());
        Assert.Null(created.Data);

        var self = await sandbox.SendAsync("GET", "auth/token/lookup-self", token);
        Assert.Equal("token-ci-job", self.Data!["display_name"]!.GetValue<string>());
        Assert.Equal(60, self.Data!["creation_ttl"]!.GetValue<long>());
        Assert.Equal(90, self.Data!["explicit_max_ttl"]!.GetValue<long>());
        Assert.True(self.Data!["renewable"]!.GetValue<bool>());
        Assert.Contains("default", self.Data!["policies"]!.AsArray().Select(p => p!.GetValue<string>()));

        var renewed = await sandbox.SendAsync("POST", "auth/token/renew-self", token, new { increment = "1h" });
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        long ttl = renewed.Json!["auth"]!["lease_duration"]!.GetValue<long>();
        Assert.InRange(ttl, 85, 90);
        Assert.Contains("exceeded the effective max_ttl", renewed.Json!["warnings"]![0]!.GetValue<string>());

        var lookup = await sandbox.RootAsync("POST", "auth/token/lookup", new { token });
        Assert.Equal(HttpStatusCode.OK, lookup.Status);

        Assert.Equal(204, (await sandbox.SendAsync("POST", "auth/token/revoke-self", token)).Code);
        var after = await sandbox.SendAsync("GET", "auth/token/lookup-self", token);
        Assert.Equal(HttpStatusCode.Forbidden, after.Status);
        Assert.Contains("invalid token", after.Errors[0]);
    }

    [Fact]
    public async Task Expired_token_is_invalid()
    {
        // Valid until its TTL is over (3 s leaves room for a busy machine), then invalid: waited for as a
        // state, the lookup polled until it changes.
        VaultToken t = Vault.CreateToken(["default"], ttl: TimeSpan.FromSeconds(3));
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "auth/token/lookup-self", t.Id)).Status);
        Assert.True(await SandboxFixture.EventuallyAsync(async () =>
            (await sandbox.SendAsync("GET", "auth/token/lookup-self", t.Id)).Status == HttpStatusCode.Forbidden, TimeSpan.FromMinutes(1)));
        var r = await sandbox.SendAsync("GET", "auth/token/lookup-self", t.Id);
        Assert.Equal(HttpStatusCode.Forbidden, r.Status);
        Assert.Contains("invalid token", r.Errors[0]);
    }

    [Fact]
    public async Task Child_policies_must_be_a_subset()
    {
        string token = Vault.CreateToken(["default"]).Id;
        var r = await sandbox.SendAsync("POST", "auth/token/create", token, new { policies = new[] { "root" } });
        // The default policy has no rule for auth/token/create: denied before the subset rule.
        Assert.Equal(HttpStatusCode.Forbidden, r.Status);
        string policy = SandboxFixture.Unique("p");
        Vault.WritePolicy(policy, "path \"auth/token/create\" { capabilities = [\"update\"] }");
        string creator = Vault.CreateToken([policy]).Id;
        var subset = await sandbox.SendAsync("POST", "auth/token/create", creator, new { policies = new[] { "root" } });
        Assert.Equal(HttpStatusCode.BadRequest, subset.Status);
        Assert.Equal("child policies must be subset of parent", subset.Errors[0]);
    }
}
