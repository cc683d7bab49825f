using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Sandbox.Vault.Auth;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// The identity double as a client meets it: each endpoint's checks and answers, real RS256
/// tokens with the documented claims and lifetimes that verify against the issuer's published
/// JWKS, request counts, injected faults.
/// </summary>
[Collection("sandbox")]
public sealed class IdentityDoubleTests(SandboxFixture sandbox)
{
    private readonly IdentityClient _client = new(sandbox);
    private IdentityDouble Identity => sandbox.World.Identity;
    private IdentityFacts Facts => Identity.Facts;

    private static async Task<JsonObject> GetJsonAsync(string url)
    {
        using var http = new HttpClient();
        using HttpResponseMessage r = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        return (JsonObject)JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
    }

    /// <summary>The token verifies with the keys its issuer's discovery document points at (through the public-prefix table).</summary>
    private async Task AssertSignedByIssuerAsync(string jwt, string discoveryUrl)
    {
        var outbound = new OutboundHttp();
        foreach (var (from, to) in Identity.PublicPrefixes) outbound.Map(from, to);
        JsonObject doc = await GetJsonAsync(outbound.Resolve(discoveryUrl).ToString());
        string jwks = (await outbound.GetAsync(doc["jwks_uri"]!.GetValue<string>(), default)).Body;
        Assert.True(await JwtSignature.VerifiesAsync(jwt, JwtSignature.KeysOf(jwks)));
        Assert.Equal("RS256", JwtSignature.Header(jwt).Alg);
    }

    [Fact]
    public async Task Azure_DevOps_pipeline_token_has_the_documented_claims_and_a_five_minute_life()
    {
        string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync());
        JsonObject c = JwtSignature.Claims(jwt);
        Assert.Equal("https://vstoken.dev.azure.com/" + Facts.OrganizationId, c["iss"]!.GetValue<string>());
        Assert.Equal("api://AzureADTokenExchange", c["aud"]!.GetValue<string>());
        Assert.Equal($"p://{Facts.OrganizationName}/{Facts.ProjectName}/{Facts.PipelineName}", c["sub"]!.GetValue<string>());
        Assert.Equal(Facts.OrganizationId, c["org_id"]!.GetValue<string>());
        Assert.Equal(Facts.ProjectId, c["prj_id"]!.GetValue<string>());
        Assert.Equal(Facts.DefinitionId, c["def_id"]!.GetValue<string>()); // a string, not a number
        Assert.Equal(300, JwtSignature.Seconds(c, "exp") - JwtSignature.Seconds(c, "iat"));
        await AssertSignedByIssuerAsync(jwt, $"https://vstoken.dev.azure.com/{Facts.OrganizationId}/.well-known/openid-configuration");
    }

    [Fact]
    public async Task Service_connection_tokens_come_in_both_issuer_styles()
    {
        JsonObject legacy = JwtSignature.Claims(IdentityClient.TokenOf(await _client.AzureDevOpsAsync(Facts.LegacyConnection.Id)));
        Assert.Equal("https://vstoken.dev.azure.com/" + Facts.OrganizationId, legacy["iss"]!.GetValue<string>());
        Assert.Equal($"sc://{Facts.OrganizationName}/{Facts.ProjectName}/{Facts.LegacyConnection.Name}", legacy["sub"]!.GetValue<string>());
        Assert.Null(legacy["def_id"]);

        string entraJwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync(Facts.EntraConnection.Id));
        JsonObject entra = JwtSignature.Claims(entraJwt);
        Assert.Equal($"https://login.microsoftonline.com/{Facts.TenantId}/v2.0", entra["iss"]!.GetValue<string>());
        Assert.StartsWith("/eid1/c/pub/t/", entra["sub"]!.GetValue<string>());
        Assert.Equal("api://AzureADTokenExchange", entra["aud"]!.GetValue<string>());
        await AssertSignedByIssuerAsync(entraJwt, $"https://login.microsoftonline.com/{Facts.TenantId}/v2.0/.well-known/openid-configuration");
    }

    [Fact]
    public async Task Azure_DevOps_endpoint_checks_bearer_api_version_and_connection()
    {
        var noBearer = await _client.AzureDevOpsAsync(bearer: "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, noBearer.Status);
        Assert.Null(noBearer.Json!["oidcToken"]);
        var noVersion = await _client.AzureDevOpsAsync(query: "");
        Assert.Equal(HttpStatusCode.BadRequest, noVersion.Status);
        Assert.StartsWith("No api-version was supplied", noVersion.Json!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.AzureDevOpsAsync(Guid.NewGuid().ToString())).Status);
        Assert.Equal(HttpStatusCode.OK, (await _client.AzureDevOpsAsync(query: "?api-version=7.1-preview.1")).Status);
    }

    [Fact]
    public async Task GitHub_token_defaults_to_the_owner_audience_and_takes_another()
    {
        string jwt = IdentityClient.TokenOf(await _client.GitHubAsync());
        JsonObject c = JwtSignature.Claims(jwt);
        Assert.Equal("https://token.actions.githubusercontent.com", c["iss"]!.GetValue<string>());
        Assert.Equal("https://github.com/" + Facts.GitHubOwner, c["aud"]!.GetValue<string>());
        Assert.Equal($"repo:{Facts.GitHubRepository}:ref:{Facts.GitHubRef}", c["sub"]!.GetValue<string>());
        Assert.Equal(Facts.GitHubRepository, c["repository"]!.GetValue<string>());
        Assert.Equal(Facts.GitHubRef, c["ref"]!.GetValue<string>());
        await AssertSignedByIssuerAsync(jwt, "https://token.actions.githubusercontent.com/.well-known/openid-configuration");

        Assert.Equal("sts.amazonaws.com", JwtSignature.Claims(IdentityClient.TokenOf(await _client.GitHubAsync("sts.amazonaws.com")))["aud"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.GitHubAsync(bearer: "wrong")).Status);
    }

    [Fact]
    public async Task Managed_identity_endpoint_checks_both_headers_and_answers_in_its_shape()
    {
        var ok = await _client.ManagedIdentityAsync();
        JsonObject c = JwtSignature.Claims(IdentityClient.TokenOf(ok));
        Assert.Equal(SecretlessLogins.AzureResource, ok.Json!["resource"]!.GetValue<string>());
        Assert.Equal("Bearer", ok.Json!["token_type"]!.GetValue<string>());
        Assert.Equal(JwtSignature.Seconds(c, "exp").ToString(), ok.Json!["expires_on"]!.GetValue<string>());
        Assert.Equal($"https://sts.windows.net/{Facts.TenantId}/", c["iss"]!.GetValue<string>());
        Assert.Equal(SecretlessLogins.AzureResource, c["aud"]!.GetValue<string>());
        Assert.Equal(Facts.AutomationIdentity.PrincipalId, c["oid"]!.GetValue<string>());
        Assert.Equal(Facts.MiridOf(Facts.AutomationIdentity), c["xms_mirid"]!.GetValue<string>());
        Assert.Equal(24 * 3600, JwtSignature.Seconds(c, "exp") - JwtSignature.Seconds(c, "iat"));

        var wrongHeader = await _client.ManagedIdentityAsync(headers: new() { ["Metadata"] = "true", ["X-IDENTITY-HEADER"] = "nope" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrongHeader.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.ManagedIdentityAsync(headers: new() { ["Metadata"] = "true" })).Status);
        var noMetadata = await _client.ManagedIdentityAsync(headers: new() { ["X-IDENTITY-HEADER"] = Facts.IdentityHeader });
        Assert.Equal(HttpStatusCode.BadRequest, noMetadata.Status);
        Assert.Equal("Required metadata header not specified", noMetadata.Json!["error_description"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.ManagedIdentityAsync(clientId: Guid.NewGuid().ToString())).Status);

        // App Service's style: X-IDENTITY-HEADER alone.
        Identity.RequireMetadataHeader = false;
        try { Assert.Equal(HttpStatusCode.OK, (await _client.ManagedIdentityAsync(headers: new() { ["X-IDENTITY-HEADER"] = Facts.IdentityHeader })).Status); }
        finally { Identity.RequireMetadataHeader = true; }

        JsonObject user = JwtSignature.Claims(IdentityClient.TokenOf(await _client.ManagedIdentityAsync(clientId: Facts.UserAssignedIdentity.ClientId)));
        Assert.Equal(Facts.UserAssignedIdentity.PrincipalId, user["oid"]!.GetValue<string>());
        Assert.Equal(Facts.AutomationResourceId, user["xms_az_rid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Instance_metadata_needs_the_Metadata_header_and_names_the_VM()
    {
        var refused = await _client.ImdsTokenAsync(metadata: false);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Null(refused.Json!["access_token"]);
        var token = await _client.ImdsTokenAsync();
        Assert.Equal(Facts.VmIdentity.PrincipalId, JwtSignature.Claims(IdentityClient.TokenOf(token))["oid"]!.GetValue<string>());
        Assert.Equal("86400", token.Json!["expires_in"]!.GetValue<string>());

        JsonNode compute = (await _client.ImdsInstanceAsync()).Json!["compute"]!;
        Assert.Equal(Facts.SubscriptionId, compute["subscriptionId"]!.GetValue<string>());
        Assert.Equal(Facts.ResourceGroup, compute["resourceGroupName"]!.GetValue<string>());
        Assert.Equal(Facts.VmName, compute["name"]!.GetValue<string>());
        Assert.Equal("", compute["vmScaleSetName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Requests_are_counted_per_endpoint_and_faults_are_injected()
    {
        int ado = Identity.Count(IdentityEndpoint.AzureDevOps), imds = Identity.Count(IdentityEndpoint.ImdsToken);
        try
        {
            IdentityFault down = Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.AzureDevOps, Status = 503, Body = "{\"message\":\"busy\"}" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _client.AzureDevOpsAsync()).Status);
            Assert.Equal(HttpStatusCode.OK, (await _client.AzureDevOpsAsync()).Status); // one time only
            Assert.Equal(1, down.Hits);

            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.ImdsToken, Claims = { ["xms_mirid"] = null, ["oid"] = "someone-else" }, NotYetValid = true });
            JsonObject c = JwtSignature.Claims(IdentityClient.TokenOf(await _client.ImdsTokenAsync()));
            Assert.Null(c["xms_mirid"]);
            Assert.Equal("someone-else", c["oid"]!.GetValue<string>());
            Assert.True(JwtSignature.Seconds(c, "nbf") > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }
        finally { Identity.Faults.Clear(); }
        Assert.Equal(ado + 2, Identity.Count(IdentityEndpoint.AzureDevOps));
        Assert.Equal(imds + 1, Identity.Count(IdentityEndpoint.ImdsToken));
    }

    [Fact]
    public void Outbound_fetches_reach_loopback_only()
    {
        using var outbound = new OutboundHttp();
        outbound.Map("https://vstoken.dev.azure.com/", "http://127.0.0.1:1/vstoken/");
        Assert.Equal("http://127.0.0.1:1/vstoken/abc/.well-known/openid-configuration", outbound.Resolve("https://vstoken.dev.azure.com/abc/.well-known/openid-configuration").ToString());
        // Instance metadata's real address, an unmapped issuer, and a mapping to elsewhere are all refused before any traffic.
        Assert.Throws<OutboundRefusedException>(() => outbound.Resolve("http://169.254.169.254/metadata/identity/oauth2/token"));
        Assert.Throws<OutboundRefusedException>(() => outbound.Resolve("https://token.actions.githubusercontent.com/.well-known/jwks"));
        Assert.Throws<ArgumentException>(() => outbound.Map("https://login.microsoftonline.com/", "https://login.microsoftonline.com/"));
        Assert.Equal("http://[::1]:8200/x", outbound.Resolve("http://[::1]:8200/x").ToString());
    }
}
