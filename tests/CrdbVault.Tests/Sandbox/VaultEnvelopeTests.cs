using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>The double answers in Vault's shapes: envelope, raw health, 404 quirks, mounts.</summary>
[Collection("sandbox")]
public sealed class VaultEnvelopeTests(SandboxFixture sandbox)
{
    [Fact]
    public async Task Envelope_has_every_field_with_null_warnings()
    {
        var r = await sandbox.RootAsync("GET", "auth/token/lookup-self");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        foreach (string field in new[] { "request_id", "lease_id", "renewable", "lease_duration", "data", "wrap_info", "warnings", "auth" })
            Assert.True(r.Json!.ContainsKey(field), field);
        Assert.Null(r.Json!["warnings"]);
        Assert.Equal("", r.Json!["lease_id"]!.GetValue<string>());
        Assert.Equal(sandbox.World.RootToken, r.Data!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Health_is_raw_and_unauthenticated()
    {
        var r = await sandbox.SendAsync("GET", "sys/health");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.False(r.Json!.ContainsKey("data"));
        Assert.False(r.Json!["sealed"]!.GetValue<bool>());
        Assert.Equal("1.17.0", r.Json!["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Empty_list_is_404_with_empty_errors_by_verb_and_by_query()
    {
        string mount = SandboxFixture.Unique("db");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "database" })).Code);

        var byVerb = await sandbox.RootAsync("LIST", $"{mount}/roles");
        Assert.Equal(HttpStatusCode.NotFound, byVerb.Status);
        Assert.Equal("{\"errors\":[]}", byVerb.Text);

        var byQuery = await sandbox.RootAsync("GET", $"{mount}/roles?list=true");
        Assert.Equal(HttpStatusCode.NotFound, byQuery.Status);
        Assert.Empty(byQuery.Errors);
    }

    [Fact]
    public async Task Unknown_route_uses_vaults_text()
    {
        var r = await sandbox.RootAsync("GET", "nowhere/at/all");
        Assert.Equal(HttpStatusCode.NotFound, r.Status);
        Assert.Equal("no handler for route \"nowhere/at/all\". route entry not found.", Assert.Single(r.Errors));
        Assert.Contains("\\\"nowhere", r.Text); // quotes escaped as Go does, not as \u0022
    }

    [Fact]
    public async Task Nested_mounts_route_by_longest_prefix_and_conflicts_are_reported()
    {
        string team = SandboxFixture.Unique("team");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{team}/database", new { type = "database", config = new { default_lease_ttl = "1h", max_lease_ttl = "2h" } })).Code);

        var again = await sandbox.RootAsync("POST", $"sys/mounts/{team}/database", new { type = "database" });
        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Equal($"path is already in use at {team}/database/", Assert.Single(again.Errors));

        var unknown = await sandbox.RootAsync("POST", $"sys/mounts/{SandboxFixture.Unique("x")}", new { type = "no-such-engine" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);

        var read = await sandbox.RootAsync("GET", $"sys/mounts/{team}/database");
        Assert.Equal("database", read.Json!["type"]!.GetValue<string>());
        Assert.Equal("database", read.Data!["type"]!.GetValue<string>());
        Assert.Equal(3600, read.Data!["config"]!["default_lease_ttl"]!.GetValue<long>());

        var list = await sandbox.RootAsync("GET", "sys/mounts");
        Assert.NotNull(list.Data![$"{team}/database/"]);

        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{team}/database/tune", new { max_lease_ttl = 10800, default_lease_ttl = "90m" })).Code);
        var tune = await sandbox.RootAsync("GET", $"sys/mounts/{team}/database/tune");
        Assert.Equal(10800, tune.Json!["max_lease_ttl"]!.GetValue<long>());
        Assert.Equal(5400, tune.Json!["default_lease_ttl"]!.GetValue<long>());
        Assert.False(tune.Json!.ContainsKey("data"));

        // The nested mount answers its own paths.
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.RootAsync("LIST", $"{team}/database/config")).Status);
        Assert.Equal(204, (await sandbox.RootAsync("DELETE", $"sys/mounts/{team}/database")).Code);
        Assert.Contains("no handler for route", (await sandbox.RootAsync("LIST", $"{team}/database/config")).Errors[0]);
    }

    [Fact]
    public async Task Namespace_header_is_recorded_without_bodies()
    {
        sandbox.World.Vault.RequestLog.Clear();
        await sandbox.SendAsync("GET", "auth/token/lookup-self", sandbox.World.RootToken, headers: new Dictionary<string, string> { ["X-Vault-Namespace"] = "admin/" });
        var record = sandbox.World.Vault.RequestLog.Snapshot().Last(r => r.Path == "auth/token/lookup-self");
        Assert.Equal("admin/", record.Namespace);
        Assert.Equal("GET", record.Method);
        Assert.True(record.HadToken);
        Assert.Equal(200, record.Status);
    }

    [Fact]
    public async Task Bearer_header_is_accepted()
    {
        using HttpClient client = sandbox.World.Vault.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "auth/token/lookup-self");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sandbox.World.RootToken);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Policies_api_round_trips_and_protects_builtins()
    {
        string name = SandboxFixture.Unique("pol");
        const string text = "path \"secret/*\" { capabilities = [\"read\"] }";
        Assert.Equal(204, (await sandbox.RootAsync("PUT", $"sys/policies/acl/{name}", new { policy = text })).Code);
        Assert.Equal(text, (await sandbox.RootAsync("GET", $"sys/policies/acl/{name}")).Data!["policy"]!.GetValue<string>());
        var keys = (await sandbox.RootAsync("LIST", "sys/policies/acl")).Data!["keys"]!.AsArray().Select(k => k!.GetValue<string>());
        Assert.Contains(name, keys);
        Assert.Contains("default", keys);
        Assert.Equal(text, (await sandbox.RootAsync("GET", $"sys/policy/{name}")).Json!["rules"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.RootAsync("PUT", $"sys/policies/acl/{name}", new { policy = "path \"x\" { capabilities = [\"fly\"] }" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await sandbox.RootAsync("DELETE", "sys/policies/acl/default")).Status);
        Assert.Equal(204, (await sandbox.RootAsync("DELETE", $"sys/policies/acl/{name}")).Code);
        Assert.Equal(HttpStatusCode.NotFound, (await sandbox.RootAsync("GET", $"sys/policies/acl/{name}")).Status);
    }

    [Fact]
    public async Task Tls_server_is_trusted_through_its_ca_file()
    {
        await using var vault = await CrdbVault.Sandbox.Vault.VaultServer.StartAsync(new CrdbVault.Sandbox.SandboxOptions { VaultTls = true });
        Assert.StartsWith("https://127.0.0.1:", vault.Address);
        Assert.True(File.Exists(vault.CaCertificatePath));
        using HttpClient client = vault.CreateClient(vault.RootToken);
        var health = JsonNode.Parse(await client.GetStringAsync("sys/health"))!;
        Assert.True(health["initialized"]!.GetValue<bool>());
    }
}
