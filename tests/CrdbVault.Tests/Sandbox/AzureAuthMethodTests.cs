using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// The azure auth method against the sandbox's azure mount and the identity double's tokens:
/// principal and group bounds, subscription and resource-group bounds through xms_mirid, and
/// vm_name / vmss_name / resource_id consistent with the token.
/// </summary>
[Collection("sandbox")]
public sealed class AzureAuthMethodTests(SandboxFixture sandbox)
{
    private readonly IdentityClient _client = new(sandbox);
    private IdentityDouble Identity => sandbox.World.Identity;
    private IdentityFacts Facts => Identity.Facts;
    private const string Mount = SecretlessLogins.AzureMount;

    private async Task<string> RoleAsync(object bounds)
    {
        string role = SandboxFixture.Unique("az");
        var written = await sandbox.RootAsync("POST", $"auth/{Mount}/role/{role}", bounds);
        Assert.True(written.Code == 204, written.Text);
        return role;
    }

    private async Task<string> VmTokenAsync() => IdentityClient.TokenOf(await _client.ImdsTokenAsync());

    private Task<VaultHttpResult> LoginAsync(object body) => _client.LoginAsync(Mount, body);

    private static void Fails(VaultHttpResult r, string error, HttpStatusCode status = HttpStatusCode.InternalServerError)
    {
        Assert.True(r.Status == status, r.Text);
        Assert.Equal(error, r.Errors.Single());
        Assert.Null(r.Json!["auth"]);
    }

    [Fact]
    public async Task Principal_bounds_alone_need_no_resource_fields()
    {
        string role = await RoleAsync(new { bound_service_principal_ids = Facts.VmIdentity.PrincipalId, token_ttl = "20m" });
        var ok = await LoginAsync(new { role, jwt = await VmTokenAsync() });
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
        Assert.Equal(1200, ok.Json!["auth"]!["lease_duration"]!.GetValue<long>());

        string other = await RoleAsync(new { bound_service_principal_ids = Guid.NewGuid().ToString() });
        Fails(await LoginAsync(new { role = other, jwt = await VmTokenAsync() }), $"service principal not authorized: {Facts.VmIdentity.PrincipalId}");
        string unbound = await RoleAsync(new { bound_resource_groups = Facts.ResourceGroup });
        Fails(await LoginAsync(new { role = unbound, jwt = await VmTokenAsync() }), "expected specific bound_group_ids or bound_service_principal_ids; both cannot be empty or '*'");
    }

    [Fact]
    public async Task Resource_bounds_are_checked_through_the_tokens_xms_mirid()
    {
        string role = SecretlessLogins.VmRole;
        string jwt = await VmTokenAsync();
        object Body(string? sub = null, string? rg = null, string? vm = null) => new
        {
            role, jwt, subscription_id = sub ?? Facts.SubscriptionId, resource_group_name = rg ?? Facts.ResourceGroup, vm_name = vm ?? Facts.VmName,
        };
        Fails(await LoginAsync(new { role, jwt, vm_name = Facts.VmName }), "subscription_id and resource_group_name are required");
        Fails(await LoginAsync(Body(vm: "vm-other")), "xms_mirid token claim does not match vm_name vm-other");
        Fails(await LoginAsync(Body(rg: "rg-other")), "xms_mirid token claim does not match resource_group_name rg-other");
        string elsewhere = Guid.NewGuid().ToString();
        Fails(await LoginAsync(Body(sub: elsewhere)), $"unable to retrieve virtual machine metadata: virtual machine {Facts.VmName} not found in subscription {elsewhere}");
        Fails(await LoginAsync(Body(sub: "not-a-guid")), "invalid subscription id \"not-a-guid\"", HttpStatusCode.BadRequest);

        string prod = await RoleAsync(new { bound_service_principal_ids = Facts.VmIdentity.PrincipalId, bound_resource_groups = "rg-prod" });
        Fails(await LoginAsync(new { role = prod, jwt, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName }), "resource group not authorized");
        string otherSub = await RoleAsync(new { bound_service_principal_ids = Facts.VmIdentity.PrincipalId, bound_subscription_ids = Guid.NewGuid().ToString() });
        Fails(await LoginAsync(new { role = otherSub, jwt, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName }), "subscription not authorized");
    }

    [Fact]
    public async Task Resource_id_must_be_the_tokens_resource()
    {
        string jwt = IdentityClient.TokenOf(await _client.ManagedIdentityAsync());
        var wrong = await LoginAsync(new
        {
            role = SecretlessLogins.AutomationRole, jwt, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup,
            resource_id = Facts.VmResourceId,
        });
        Fails(wrong, "neither token object id nor token app id match expected identities");
        var otherGroup = await LoginAsync(new
        {
            role = SecretlessLogins.AutomationRole, jwt, subscription_id = Facts.SubscriptionId, resource_group_name = "rg-other",
            resource_id = Facts.AutomationResourceId,
        });
        Fails(otherGroup, "provided resource_id does not match resource_group_name");
    }

    [Fact]
    public async Task Scale_set_names_match_flexible_and_uniform_instances()
    {
        string vmss = "vmss-runner";
        string role = await RoleAsync(new { bound_service_principal_ids = Facts.VmIdentity.PrincipalId, bound_scale_sets = vmss, bound_resource_groups = Facts.ResourceGroup });
        try
        {
            // A flexible-mode instance: its VM name is "<scale set>_<suffix>".
            Identity.Faults.Add(new IdentityFault
            {
                Endpoint = IdentityEndpoint.ImdsToken,
                Claims = { ["xms_mirid"] = $"/subscriptions/{Facts.SubscriptionId}/resourcegroups/{Facts.ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{vmss}_0a1b2c3d" },
                Times = 2,
            });
            string jwt = await VmTokenAsync();
            var ok = await LoginAsync(new { role, jwt, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vmss_name = vmss });
            Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
            Assert.Equal(vmss, ok.Json!["auth"]!["metadata"]!["vmss_name"]!.GetValue<string>());
            var other = await LoginAsync(new { role, jwt = await VmTokenAsync(), subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vmss_name = "vmss-other" });
            Assert.Equal(HttpStatusCode.InternalServerError, other.Status);
            Assert.StartsWith("failed to verify flexible vmss claim: xms_mirid token claim does not match vmss_name vmss-other", other.Errors.Single());
        }
        finally { Identity.Faults.Clear(); }
        // A plain VM cannot log in to a role bound to scale sets.
        Fails(await LoginAsync(new { role, jwt = await VmTokenAsync(), subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName }),
            "bound scale set defined but this vm isn't in a scale set");
    }

    [Fact]
    public async Task Foreign_signature_and_missing_fields_are_refused()
    {
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.ImdsToken, SignWithUnknownKey = true });
            string forged = await VmTokenAsync();
            Fails(await LoginAsync(new { role = SecretlessLogins.VmRole, jwt = forged, subscription_id = Facts.SubscriptionId, resource_group_name = Facts.ResourceGroup, vm_name = Facts.VmName }),
                "failed to verify signature: failed to verify id token signature");
        }
        finally { Identity.Faults.Clear(); }
        Fails(await LoginAsync(new { role = SecretlessLogins.VmRole }), "jwt is required", HttpStatusCode.BadRequest);
        Fails(await LoginAsync(new { jwt = "x" }), "role is required", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Config_reads_back_without_the_client_secret()
    {
        string mount = SandboxFixture.Unique("azure");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/auth/{mount}", new { type = "azure" })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/config", new { tenant_id = Facts.TenantId, resource = "https://management.azure.com/", client_id = "app", client_secret = "s3cret" })).Code);
        var config = await sandbox.RootAsync("GET", $"auth/{mount}/config");
        Assert.Equal(Facts.TenantId, config.Data!["tenant_id"]!.GetValue<string>());
        Assert.DoesNotContain("s3cret", config.Text);
        // A tenant the identity double does not know: its discovery document is not found.
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/config", new { tenant_id = Guid.NewGuid().ToString() })).Code);
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"auth/{mount}/role/r", new { bound_service_principal_ids = "*", bound_group_ids = "g" })).Code);
        var login = await sandbox.SendAsync("POST", $"auth/{mount}/login", body: new { role = "r", jwt = await VmTokenAsync() });
        Assert.Equal(HttpStatusCode.InternalServerError, login.Status);
        Assert.StartsWith("404 NotFound", login.Errors.Single());
    }
}
