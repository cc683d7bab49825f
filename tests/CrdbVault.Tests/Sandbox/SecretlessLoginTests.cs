using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// Every secretless login end to end against the sandbox, as a job does it over HTTP: external
/// token from the identity double, Vault login on the mount and role SandboxWorld set up, a
/// database credential issued with the Vault token, a PostgreSQL login with that credential.
/// </summary>
[Collection("sandbox")]
public sealed class SecretlessLoginTests(SandboxFixture sandbox)
{
    private readonly IdentityClient _client = new(sandbox);
    private IdentityDouble Identity => sandbox.World.Identity;
    private IdentityFacts Facts => Identity.Facts;

    [Fact]
    public async Task Azure_DevOps_pipeline_token_logs_in_and_issues_a_working_credential()
    {
        string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync());
        var login = await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.PipelineRole, jwt });
        string token = IdentityClient.ClientToken(login);
        JsonNode auth = login.Json!["auth"]!;
        Assert.Equal(3600, auth["lease_duration"]!.GetValue<long>());
        Assert.True(auth["renewable"]!.GetValue<bool>());
        Assert.Equal("pipeline", auth["metadata"]!["role"]!.GetValue<string>());
        Assert.Contains(SecretlessLogins.Policy, auth["token_policies"]!.AsArray().Select(p => p!.GetValue<string>()));
        var self = await sandbox.SendAsync("GET", "auth/token/lookup-self", token);
        Assert.Equal($"jwt-azuredevops-p://{Facts.OrganizationName}/{Facts.ProjectName}/{Facts.PipelineName}", self.Data!["display_name"]!.GetValue<string>());
        Assert.Equal("auth/jwt-azuredevops/login", self.Data!["path"]!.GetValue<string>());

        Assert.StartsWith("v-jwt-azur-app-", await _client.IssueCredentialAndConnectAsync(token));
    }

    [Fact]
    public async Task Older_service_connection_token_logs_in_on_the_vstoken_mount()
    {
        string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync(Facts.LegacyConnection.Id));
        var login = await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.ServiceConnectionRole, jwt });
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(login));
    }

    [Fact]
    public async Task Entra_issued_service_connection_token_logs_in_on_the_entra_mount_only()
    {
        string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync(Facts.EntraConnection.Id));
        var login = await _client.LoginAsync(SecretlessLogins.EntraMount, new { role = SecretlessLogins.ServiceConnectionRole, jwt });
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(login));

        // The issuer is per mount: the vstoken mount does not know Entra's keys.
        var wrongMount = await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.ServiceConnectionRole, jwt });
        Assert.Equal(HttpStatusCode.BadRequest, wrongMount.Status);
        Assert.Equal("error validating token: error verifying token signature: failed to verify id token signature", wrongMount.Errors.Single());
    }

    [Fact]
    public async Task GitHub_Actions_token_logs_in_and_issues_a_working_credential()
    {
        string jwt = IdentityClient.TokenOf(await _client.GitHubAsync());
        var login = await _client.LoginAsync(SecretlessLogins.GitHubMount, new { role = SecretlessLogins.GitHubRole, jwt });
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(login));
    }

    [Fact]
    public async Task Automation_managed_identity_logs_in_with_its_resource_id()
    {
        string jwt = IdentityClient.TokenOf(await _client.ManagedIdentityAsync());
        var login = await _client.LoginAsync(SecretlessLogins.AzureMount, new
        {
            role = SecretlessLogins.AutomationRole, jwt,
            subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, resource_id = Facts.AutomationResourceId,
        });
        string token = IdentityClient.ClientToken(login);
        JsonNode meta = login.Json!["auth"]!["metadata"]!;
        Assert.Equal(Facts.AutomationResourceId, meta["resource_id"]!.GetValue<string>());
        Assert.Equal(Facts.AutomationIdentity.ClientId, meta["app_id"]!.GetValue<string>());
        await _client.IssueCredentialAndConnectAsync(token);
    }

    [Fact]
    public async Task User_assigned_identity_through_IDENTITY_ENDPOINT_logs_in()
    {
        string jwt = IdentityClient.TokenOf(await _client.ManagedIdentityAsync(clientId: Facts.UserAssignedIdentity.ClientId));
        var login = await _client.LoginAsync(SecretlessLogins.AzureMount, new
        {
            role = SecretlessLogins.AutomationRole, jwt,
            subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, resource_id = Facts.AutomationResourceId,
        });
        Assert.Equal(Facts.UserAssignedIdentity.ClientId, login.Json?["auth"]?["metadata"]?["app_id"]?.GetValue<string>());
    }

    [Fact]
    public async Task VM_logs_in_with_names_from_instance_metadata()
    {
        JsonNode compute = (await _client.ImdsInstanceAsync()).Json!["compute"]!;
        string jwt = IdentityClient.TokenOf(await _client.ImdsTokenAsync());
        var login = await _client.LoginAsync(SecretlessLogins.AzureMount, new
        {
            role = SecretlessLogins.VmRole, jwt,
            subscription_id = compute["subscriptionId"]!.GetValue<string>(),
            resource_group_name = compute["resourceGroupName"]!.GetValue<string>(),
            vm_name = compute["name"]!.GetValue<string>(),
        });
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(login));
    }

    [Fact]
    public async Task Userpass_and_ldap_logins_issue_working_credentials()
    {
        SecretlessLogins logins = sandbox.World.Logins;
        var userpass = await sandbox.SendAsync("POST", $"auth/userpass/login/{logins.UserpassUsername}", body: new { password = logins.UserpassPassword });
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(userpass));
        var ldap = await sandbox.SendAsync("POST", $"auth/ldap/login/{logins.LdapUsername}", body: new { password = logins.LdapPassword });
        Assert.Equal(logins.LdapUsername, ldap.Json?["auth"]?["metadata"]?["username"]?.GetValue<string>());
        await _client.IssueCredentialAndConnectAsync(IdentityClient.ClientToken(ldap));
    }

    [Fact]
    public async Task A_relogin_fetches_a_fresh_external_token_each_time()
    {
        int before = Identity.Count(IdentityEndpoint.AzureDevOps);
        var seen = new HashSet<string>();
        for (int i = 0; i < 2; i++)
        {
            string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync());
            Assert.True(seen.Add(IdentityClaims(jwt)["jti"]!.GetValue<string>()), "each fetch mints a new token");
            IdentityClient.ClientToken(await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.PipelineRole, jwt }));
        }
        Assert.Equal(before + 2, Identity.Count(IdentityEndpoint.AzureDevOps));
    }

    [Fact]
    public async Task Wrong_claim_is_refused_with_the_bound_claim_named()
    {
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.AzureDevOps, Claims = { ["def_id"] = "8" } });
            string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync());
            var login = await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.PipelineRole, jwt });
            AssertRefused(login, "error validating claims: claim \"def_id\" does not match any associated bound claim values");
        }
        finally { Identity.Faults.Clear(); }
    }

    [Fact]
    public async Task Wrong_audience_is_refused()
    {
        string jwt = IdentityClient.TokenOf(await _client.GitHubAsync(audience: "sts.amazonaws.com"));
        var login = await _client.LoginAsync(SecretlessLogins.GitHubMount, new { role = SecretlessLogins.GitHubRole, jwt });
        AssertRefused(login, "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience");
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.GitHubActions, Expired = true });
            string jwt = IdentityClient.TokenOf(await _client.GitHubAsync());
            var login = await _client.LoginAsync(SecretlessLogins.GitHubMount, new { role = SecretlessLogins.GitHubRole, jwt });
            AssertRefused(login, "error validating token: invalid expiration time (exp) claim: token is expired");
        }
        finally { Identity.Faults.Clear(); }
    }

    [Fact]
    public async Task Token_signed_by_a_key_outside_the_JWKS_is_refused_after_one_more_key_fetch()
    {
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.AzureDevOps, SignWithUnknownKey = true });
            string jwt = IdentityClient.TokenOf(await _client.AzureDevOpsAsync());
            int jwks = Identity.Count(IdentityEndpoint.Jwks);
            var login = await _client.LoginAsync(SecretlessLogins.AzureDevOpsMount, new { role = SecretlessLogins.PipelineRole, jwt });
            AssertRefused(login, "error validating token: error verifying token signature: failed to verify id token signature");
            Assert.Equal(jwks + 1, Identity.Count(IdentityEndpoint.Jwks)); // no cached key verified it: the keys were fetched again
        }
        finally { Identity.Faults.Clear(); }
    }

    [Fact]
    public async Task Managed_identity_token_for_another_resource_or_expired_is_refused_with_go_oidc_words()
    {
        string other = IdentityClient.TokenOf(await _client.ImdsTokenAsync(resource: "https://vault.azure.net"));
        var login = await _client.LoginAsync(SecretlessLogins.AzureMount, new { role = SecretlessLogins.VmRole, jwt = other, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName });
        Assert.Equal(HttpStatusCode.InternalServerError, login.Status);
        Assert.Equal($"oidc: expected audience \"{SecretlessLogins.AzureResource}\" got [\"https://vault.azure.net\"]", login.Errors.Single());
        Assert.Null(login.Json!["auth"]);
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.ImdsToken, Expired = true });
            string expired = IdentityClient.TokenOf(await _client.ImdsTokenAsync());
            var late = await _client.LoginAsync(SecretlessLogins.AzureMount, new { role = SecretlessLogins.VmRole, jwt = expired, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName });
            Assert.Equal(HttpStatusCode.InternalServerError, late.Status);
            Assert.StartsWith("oidc: token is expired (Token Expiry: ", late.Errors.Single());
        }
        finally { Identity.Faults.Clear(); }
    }

    [Fact]
    public async Task Wrong_identity_header_gets_no_token_at_all()
    {
        int before = Identity.Count(IdentityEndpoint.ManagedIdentity);
        var answer = await _client.ManagedIdentityAsync(headers: new() { ["Metadata"] = "true", ["X-IDENTITY-HEADER"] = "not-the-header" });
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Null(answer.Json!["access_token"]);
        Assert.Equal(before + 1, Identity.Count(IdentityEndpoint.ManagedIdentity));
    }

    [Fact]
    public async Task Unknown_role_is_refused_on_every_method()
    {
        string jwt = IdentityClient.TokenOf(await _client.GitHubAsync());
        AssertRefused(await _client.LoginAsync(SecretlessLogins.GitHubMount, new { role = "nope", jwt }), "role \"nope\" could not be found");
        string mi = IdentityClient.TokenOf(await _client.ImdsTokenAsync());
        AssertRefused(await _client.LoginAsync(SecretlessLogins.AzureMount, new { role = "nope", jwt = mi }), "invalid role name \"nope\"");
    }

    [Fact]
    public async Task Role_token_settings_are_honoured_ttl_max_ttl_explicit_max_ttl_and_period()
    {
        string mount = SecretlessLogins.GitHubMount;
        string bound = "https://github.com/" + Facts.GitHubOwner;
        async Task<(string Token, long Lease)> LoginWith(object settings)
        {
            string role = SandboxFixture.Unique("ttl");
            var written = await sandbox.RootAsync("POST", $"auth/{mount}/role/{role}", JsonBodies.Merge(new { role_type = "jwt", user_claim = "sub", bound_audiences = bound, token_policies = "default" }, settings));
            Assert.True(written.Code == 204, written.Text);
            var login = await _client.LoginAsync(mount, new { role, jwt = IdentityClient.TokenOf(await _client.GitHubAsync()) });
            return (IdentityClient.ClientToken(login), login.Json!["auth"]!["lease_duration"]!.GetValue<long>());
        }

        var (capped, lease) = await LoginWith(new { token_ttl = "10m", token_max_ttl = "15m" });
        Assert.Equal(600, lease);
        var renewed = await sandbox.SendAsync("POST", "auth/token/renew-self", capped, new { increment = "1h" });
        Assert.InRange(renewed.Json!["auth"]!["lease_duration"]!.GetValue<long>(), 880, 900);
        Assert.Contains("exceeded the effective max_ttl", renewed.Json!["warnings"]![0]!.GetValue<string>());

        var (explicitMax, explicitLease) = await LoginWith(new { token_ttl = "10m", token_explicit_max_ttl = "5m" });
        Assert.Equal(300, explicitLease);
        Assert.Equal(300, (await sandbox.SendAsync("GET", "auth/token/lookup-self", explicitMax)).Data!["explicit_max_ttl"]!.GetValue<long>());

        var (periodic, periodLease) = await LoginWith(new { token_period = "2m", token_ttl = "10m" });
        Assert.Equal(120, periodLease);
        Assert.Equal(120, (await sandbox.SendAsync("GET", "auth/token/lookup-self", periodic)).Data!["period"]!.GetValue<long>());
        Assert.Equal(120, (await sandbox.SendAsync("POST", "auth/token/renew-self", periodic, new { increment = "1h" })).Json!["auth"]!["lease_duration"]!.GetValue<long>());
    }

    private static void AssertRefused(VaultHttpResult login, string error)
    {
        Assert.Equal(HttpStatusCode.BadRequest, login.Status);
        Assert.Equal(error, login.Errors.Single());
        Assert.Null(login.Json!["auth"]);
    }

    private static JsonObject IdentityClaims(string jwt) => CrdbVault.Sandbox.Vault.Auth.JwtSignature.Claims(jwt);
}
