using System.Net;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>AppRole and userpass logins issue tokens with the configured policies.</summary>
[Collection("sandbox")]
public sealed class AuthMethodTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task AppRole_login_returns_a_working_token()
    {
        string mount = SandboxFixture.Unique("approle");
        string policy = SandboxFixture.Unique("p");
        sandbox.World.Vault.WritePolicy(policy, "path \"sys/mounts\" { capabilities = [\"read\"] }");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "approle" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/role/runner", new { token_policies = policy, token_ttl = "10m", token_max_ttl = 1800, secret_id_num_uses = 2 })).Code);

        var role = await sandbox.RootAsync("GET", $"auth/{mount}/role/runner");
        Assert.Equal(600, role.Data!["token_ttl"]!.GetValue<long>());
        string roleId = (await sandbox.RootAsync("GET", $"auth/{mount}/role/runner/role-id")).Data!["role_id"]!.GetValue<string>();
        var secret = await sandbox.RootAsync("POST", $"auth/{mount}/role/runner/secret-id");
        string secretId = secret.Data!["secret_id"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(secret.Data!["secret_id_accessor"]!.GetValue<string>()));

        var login = await sandbox.SendAsync("POST", $"auth/{mount}/login", body: new { role_id = roleId, secret_id = secretId });
        Assert.Equal(HttpStatusCode.OK, login.Status);
        var auth = login.Json!["auth"]!;
        Assert.Equal(600, auth["lease_duration"]!.GetValue<long>());
        Assert.True(auth["renewable"]!.GetValue<bool>());
        Assert.Equal("runner", auth["metadata"]!["role_name"]!.GetValue<string>());
        Assert.Contains(policy, auth["token_policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        string token = auth["client_token"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/mounts", token)).Status);
        Assert.Equal("approle", (await sandbox.SendAsync("GET", "auth/token/lookup-self", token)).Data!["display_name"]!.GetValue<string>());

        var wrong = await sandbox.SendAsync("POST", $"auth/{mount}/login", body: new { role_id = roleId, secret_id = "nope" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.Status);
        Assert.Equal("invalid role or secret ID", wrong.Errors[0]);

        // secret_id_num_uses = 2: the second login uses it up.
        Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("POST", $"auth/{mount}/login", body: new { role_id = roleId, secret_id = secretId })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.SendAsync("POST", $"auth/{mount}/login", body: new { role_id = roleId, secret_id = secretId })).Status);
    }

    [Fact]
    public async Task Userpass_login()
    {
        string mount = SandboxFixture.Unique("up");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "userpass" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/users/dba", new { password = "s3cret", token_policies = "default" })).Code);
        var ok = await sandbox.SendAsync("POST", $"auth/{mount}/login/dba", body: new { password = "s3cret" });
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal("dba", ok.Json!["auth"]!["metadata"]!["username"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.SendAsync("POST", $"auth/{mount}/login/dba", body: new { password = "wrong" })).Status);
        Assert.NotNull((await sandbox.RootAsync("GET", "sys/auth")).Data![$"{mount}/"]);
    }
}
