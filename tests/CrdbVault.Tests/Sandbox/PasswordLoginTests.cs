using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>The ldap method's in-memory directory and the userpass method's token settings, in Vault's shapes.</summary>
[Collection("sandbox")]
public sealed class PasswordLoginTests(SandboxFixture sandbox)
{
    private static IEnumerable<string> Policies(VaultHttpResult login) =>
        login.Json!["auth"]!["token_policies"]!.AsArray().Select(p => p!.GetValue<string>());

    [Fact]
    public async Task Ldap_login_merges_config_group_and_user_policies()
    {
        string mount = SandboxFixture.Unique("ldap");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "ldap" })).Code);
        var unconfigured = await sandbox.SendAsync("POST", $"auth/{mount}/login/bob", body: new { password = "pw" });
        Assert.Equal("ldap backend not configured", unconfigured.Errors.Single());

        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/config", new { url = "ldap://127.0.0.1", binddn = "cn=vault", bindpass = "bind-secret", token_policies = "base", token_ttl = "30m" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/groups/ops", new { policies = "ops-policy" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/groups/dbas", new { policies = "dba-policy" })).Code);
        // "password" is the double's way to add a directory entry over HTTP; groups and policies are Vault's.
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/users/Bob", new { password = "pw", groups = "ops", policies = "bob-policy" })).Code);
        ((CrdbVault.Sandbox.Vault.Auth.LdapAuthMethod)sandbox.World.Vault.Mounts.Get($"auth/{mount}")!.Engine).AddDirectoryUser("carol", "pw2", "dbas");

        var bob = await sandbox.SendAsync("POST", $"auth/{mount}/login/bob", body: new { password = "pw" });
        Assert.True(bob.Status == HttpStatusCode.OK, bob.Text);
        Assert.Equal(["base", "bob-policy", "default", "ops-policy"], Policies(bob).Order());
        Assert.Equal(1800, bob.Json!["auth"]!["lease_duration"]!.GetValue<long>());
        Assert.Equal("bob", bob.Json!["auth"]!["metadata"]!["username"]!.GetValue<string>());
        var carol = await sandbox.SendAsync("POST", $"auth/{mount}/login/carol", body: new { password = "pw2" });
        Assert.Equal(["base", "dba-policy", "default"], Policies(carol).Order());
        Assert.Equal($"{mount}-carol", (await sandbox.SendAsync("GET", "auth/token/lookup-self", carol.Json!["auth"]!["client_token"]!.GetValue<string>())).Data!["display_name"]!.GetValue<string>());

        foreach (var (user, password) in new[] { ("bob", "wrong"), ("nobody", "pw") })
        {
            var refused = await sandbox.SendAsync("POST", $"auth/{mount}/login/{user}", body: new { password });
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal("ldap operation failed: failed to bind as user", refused.Errors.Single());
        }
        Assert.Equal("password cannot be of zero length when passwordless binds are being denied",
            (await sandbox.SendAsync("POST", $"auth/{mount}/login/bob", body: new { password = "" })).Errors.Single());

        var config = await sandbox.RootAsync("GET", $"auth/{mount}/config");
        Assert.Equal("cn=vault", config.Data!["binddn"]!.GetValue<string>());
        Assert.DoesNotContain("bind-secret", config.Text);
        Assert.Equal("ops", (await sandbox.RootAsync("GET", $"auth/{mount}/users/bob")).Data!["groups"]!.GetValue<string>());
    }

    [Fact]
    public async Task Userpass_users_carry_the_token_settings()
    {
        string mount = SandboxFixture.Unique("up");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "userpass" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/users/ops", new { password = "pw", token_policies = "p1", token_ttl = "10m", token_explicit_max_ttl = "5m" })).Code);
        var refused = await sandbox.RootAsync("POST", $"auth/{mount}/users/ops", new { password = "changed", token_ttl = "2h", token_max_ttl = "1h" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(600, (await sandbox.RootAsync("GET", $"auth/{mount}/users/ops")).Data!["token_ttl"]!.GetValue<long>()); // a refused update changes nothing
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.SendAsync("POST", $"auth/{mount}/login/ops", body: new { password = "changed" })).Status);

        var login = await sandbox.SendAsync("POST", $"auth/{mount}/login/ops", body: new { password = "pw" });
        Assert.True(login.Status == HttpStatusCode.OK, login.Text);
        Assert.Equal(300, login.Json!["auth"]!["lease_duration"]!.GetValue<long>()); // explicit max TTL caps the 10m TTL
        JsonNode user = (await sandbox.RootAsync("GET", $"auth/{mount}/users/ops")).Data!;
        Assert.Equal(300, user["token_explicit_max_ttl"]!.GetValue<long>());
        Assert.Equal(["p1"], user["token_policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal($"{mount}-ops", (await sandbox.SendAsync("GET", "auth/token/lookup-self", login.Json!["auth"]!["client_token"]!.GetValue<string>())).Data!["display_name"]!.GetValue<string>());
    }
}
