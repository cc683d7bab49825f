using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// What a secretless job does, over plain HTTP: fetch the external token the way each platform
/// documents, log in to Vault with it, issue a database credential, use it in PostgreSQL.
/// </summary>
public sealed class IdentityClient(SandboxFixture sandbox)
{
    private IdentityDouble Identity => sandbox.World.Identity;

    public sealed record Answer(HttpStatusCode Status, JsonObject? Json, string Text);

    public Task<Answer> AzureDevOpsAsync(string? serviceConnectionId = null, string? bearer = null, string query = "?api-version=7.1") =>
        SendAsync(HttpMethod.Post, Identity.SystemOidcRequestUri + query + (serviceConnectionId is null ? "" : "&serviceConnectionId=" + serviceConnectionId),
            new() { ["Authorization"] = "Bearer " + (bearer ?? Identity.Facts.SystemAccessToken) });

    public Task<Answer> GitHubAsync(string? audience = null, string? bearer = null) =>
        SendAsync(HttpMethod.Get, Identity.ActionsIdTokenRequestUrl + (audience is null ? "" : "&audience=" + Uri.EscapeDataString(audience)),
            new() { ["Authorization"] = "Bearer " + (bearer ?? Identity.Facts.GitHubRequestToken) });

    public Task<Answer> ManagedIdentityAsync(string resource = SecretlessLogins.AzureResource, string? clientId = null, Dictionary<string, string>? headers = null) =>
        SendAsync(HttpMethod.Get, $"{Identity.ManagedIdentityEndpoint}?resource={Uri.EscapeDataString(resource)}&api-version=2019-08-01" + (clientId is null ? "" : "&client_id=" + clientId),
            headers ?? new() { ["Metadata"] = "true", ["X-IDENTITY-HEADER"] = Identity.Facts.IdentityHeader });

    public Task<Answer> ImdsTokenAsync(string resource = SecretlessLogins.AzureResource, bool metadata = true) =>
        SendAsync(HttpMethod.Get, $"{Identity.ImdsEndpoint}/metadata/identity/oauth2/token?api-version=2018-02-01&resource={Uri.EscapeDataString(resource)}",
            metadata ? new() { ["Metadata"] = "true" } : []);

    public Task<Answer> ImdsInstanceAsync() =>
        SendAsync(HttpMethod.Get, $"{Identity.ImdsEndpoint}/metadata/instance?api-version=2021-02-01", new() { ["Metadata"] = "true" });

    /// <summary>The token in an identity answer ("oidcToken", "value" or "access_token").</summary>
    public static string TokenOf(Answer answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
        return (answer.Json!["oidcToken"] ?? answer.Json!["value"] ?? answer.Json!["access_token"])!.GetValue<string>();
    }

    /// <summary>POST auth/:mount/login with a body, no token.</summary>
    public Task<VaultHttpResult> LoginAsync(string mount, object body) => sandbox.SendAsync("POST", $"auth/{mount}/login", body: body);

    /// <summary>The Vault token of a successful login (fails the test with Vault's errors otherwise).</summary>
    public static string ClientToken(VaultHttpResult login)
    {
        Assert.True(login.Status == HttpStatusCode.OK, login.Text);
        return login.Json!["auth"]!["client_token"]!.GetValue<string>();
    }

    /// <summary>A fresh database mount with connection 'pg' to the sandbox's PostgreSQL and role 'app' (10 min credentials).</summary>
    public async Task<string> CreateDatabaseMountAsync()
    {
        var pg = sandbox.World.Postgres;
        string mount = SandboxFixture.Unique("db");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "database" })).Code);
        var config = await sandbox.RootAsync("POST", $"{mount}/config/pg", new JsonObject
        {
            ["plugin_name"] = "postgresql-database-plugin",
            ["connection_url"] = $"postgresql://{{{{username}}}}:{{{{password}}}}@127.0.0.1:{pg.Port}/postgres?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}",
            ["username"] = pg.AdminUser,
            ["password"] = pg.AdminPassword,
            ["allowed_roles"] = "*",
            // Lower case, as CockroachDB folds SQL user names (Test-CrdbConnection refuses mixed case).
            ["username_template"] = "{{ printf \"v-%s-%s-%s-%s\" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 | lowercase }}",
        });
        Assert.True(config.Code == 204, config.Text);
        var role = await sandbox.RootAsync("POST", $"{mount}/roles/app", new
        {
            db_name = "pg",
            creation_statements = new[] { "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';" },
            default_ttl = "10m",
        });
        Assert.True(role.Code == 204, role.Text);

        return mount;
    }

    /// <summary>
    /// With <paramref name="vaultToken"/>: issue a credential from a fresh database mount and log in to
    /// PostgreSQL with it; returns the SQL user.
    /// </summary>
    public async Task<string> IssueCredentialAndConnectAsync(string vaultToken)
    {
        string mount = await CreateDatabaseMountAsync();
        var pg = sandbox.World.Postgres;
        var creds = await sandbox.SendAsync("GET", $"{mount}/creds/app", vaultToken);
        Assert.True(creds.Status == HttpStatusCode.OK, creds.Text);
        string user = creds.Data!["username"]!.GetValue<string>();
        await using var conn = new NpgsqlConnection(pg.ConnectionString(user, creds.Data!["password"]!.GetValue<string>()));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_user", conn);
        Assert.Equal(user, (string)(await cmd.ExecuteScalarAsync())!);
        return user;
    }

    private static async Task<Answer> SendAsync(HttpMethod method, string url, Dictionary<string, string> headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, url);
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        if (method == HttpMethod.Post) request.Content = new ByteArrayContent([]);
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        JsonObject? json = null;
        try { json = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null; } catch (System.Text.Json.JsonException) { }
        return new Answer(response.StatusCode, json, text);
    }
}
