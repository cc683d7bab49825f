using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// The Vault side of every secretless login, set up over HTTP with the root token exactly as an
/// operator (or Initialize-CrdbVaultJwtAuth) would against a real Vault: one jwt mount per issuer
/// with OIDC discovery of the REAL issuer URL, the azure mount for managed identities, userpass and
/// ldap, each role granting <see cref="Policy"/>. What a client needs to try each login is here and
/// in serve's info file.
/// </summary>
public sealed class SecretlessLogins
{
    /// <summary>Issues and manages database credentials on any database mount.</summary>
    public const string Policy = "crdbvault-creds";
    public const string PolicyText = """
        path "+/creds/*" { capabilities = ["read"] }
        path "sys/leases/renew" { capabilities = ["update"] }
        path "sys/leases/revoke" { capabilities = ["update"] }
        """;

    public const string AzureDevOpsMount = "jwt-azuredevops";
    public const string EntraMount = "jwt-entra";
    public const string GitHubMount = "jwt-github";
    public const string AzureMount = "azure";
    public const string UserpassMount = "userpass";
    public const string LdapMount = "ldap";

    /// <summary>On jwt-azuredevops: the pipeline's own token, pinned by org_id, prj_id and def_id.</summary>
    public const string PipelineRole = "pipeline";
    /// <summary>On jwt-azuredevops (vstoken-issued, older connection) and jwt-entra (Entra-issued): bound_subject.</summary>
    public const string ServiceConnectionRole = "service-connection";
    /// <summary>On jwt-github: bound_claims repository and ref, GitHub's default audience.</summary>
    public const string GitHubRole = "deploy";
    /// <summary>On azure: the Automation account's identities; login with resource_id.</summary>
    public const string AutomationRole = "automation";
    /// <summary>On azure: the VM's identities; login with vm_name.</summary>
    public const string VmRole = "vm";

    public const string AzureResource = "https://management.azure.com/";
    public static readonly TimeSpan TokenTtl = TimeSpan.FromHours(1);
    public static readonly TimeSpan TokenMaxTtl = TimeSpan.FromHours(8);

    public string UserpassUsername { get; } = "dba";
    public string UserpassPassword { get; } = NewPassword();
    public string LdapUsername { get; } = "alice";
    public string LdapPassword { get; } = NewPassword();
    public string LdapGroup { get; } = "dbas";

    private SecretlessLogins() { }

    public static async Task<SecretlessLogins> ConfigureAsync(VaultServer vault, IdentityDouble identity, CancellationToken ct = default)
    {
        foreach (var (publicPrefix, loopback) in identity.PublicPrefixes) vault.Core.Outbound.Map(publicPrefix, loopback);
        var logins = new SecretlessLogins();
        IdentityFacts f = identity.Facts;
        IdentityTokens t = identity.Tokens;
        using HttpClient http = vault.CreateClient(vault.RootToken);
        async Task Write(string path, object body)
        {
            using HttpResponseMessage r = await http.PostAsJsonAsync(path, body, ct).ConfigureAwait(false);
            if (!r.IsSuccessStatusCode)
                throw new InvalidOperationException($"sandbox setup: {path} answered {(int)r.StatusCode}: {await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}");
        }
        object Tokens(object bounds) => JsonBodies.Merge(bounds, new { token_policies = Policy, token_ttl = (int)TokenTtl.TotalSeconds, token_max_ttl = (int)TokenMaxTtl.TotalSeconds });

        await Write("sys/policies/acl/" + Policy, new { policy = PolicyText }).ConfigureAwait(false);

        await Write("sys/auth/" + AzureDevOpsMount, new { type = "jwt", description = "Azure DevOps (vstoken issuer): pipelines and older service connections" }).ConfigureAwait(false);
        await Write($"auth/{AzureDevOpsMount}/config", new { oidc_discovery_url = t.VstokenIssuer, bound_issuer = t.VstokenIssuer }).ConfigureAwait(false);
        await Write($"auth/{AzureDevOpsMount}/role/{PipelineRole}", Tokens(new
        {
            role_type = "jwt", user_claim = "sub", bound_audiences = IdentityTokens.AzureAdTokenExchange,
            bound_claims = new { org_id = f.OrganizationId, prj_id = f.ProjectId, def_id = f.DefinitionId },
        })).ConfigureAwait(false);
        await Write($"auth/{AzureDevOpsMount}/role/{ServiceConnectionRole}", Tokens(new
        {
            role_type = "jwt", user_claim = "sub", bound_audiences = IdentityTokens.AzureAdTokenExchange,
            bound_subject = $"sc://{f.OrganizationName}/{f.ProjectName}/{f.LegacyConnection.Name}",
        })).ConfigureAwait(false);

        await Write("sys/auth/" + EntraMount, new { type = "jwt", description = "Azure DevOps service connections issued by Microsoft Entra" }).ConfigureAwait(false);
        await Write($"auth/{EntraMount}/config", new { oidc_discovery_url = t.EntraIssuer, bound_issuer = t.EntraIssuer }).ConfigureAwait(false);
        await Write($"auth/{EntraMount}/role/{ServiceConnectionRole}", Tokens(new
        {
            role_type = "jwt", user_claim = "sub", bound_audiences = IdentityTokens.AzureAdTokenExchange,
            bound_subject = t.EntraSubject(f.EntraConnection),
        })).ConfigureAwait(false);

        await Write("sys/auth/" + GitHubMount, new { type = "jwt", description = "GitHub Actions" }).ConfigureAwait(false);
        await Write($"auth/{GitHubMount}/config", new { oidc_discovery_url = IdentityTokens.GitHubIssuer, bound_issuer = IdentityTokens.GitHubIssuer }).ConfigureAwait(false);
        await Write($"auth/{GitHubMount}/role/{GitHubRole}", Tokens(new
        {
            role_type = "jwt", user_claim = "sub", bound_audiences = "https://github.com/" + f.GitHubOwner,
            bound_claims = new { repository = f.GitHubRepository, @ref = f.GitHubRef },
        })).ConfigureAwait(false);

        await Write("sys/auth/" + AzureMount, new { type = "azure", description = "Azure managed identities" }).ConfigureAwait(false);
        await Write($"auth/{AzureMount}/config", new { tenant_id = f.TenantId, resource = AzureResource }).ConfigureAwait(false);
        await Write($"auth/{AzureMount}/role/{AutomationRole}", Tokens(new
        {
            bound_service_principal_ids = new[] { f.AutomationIdentity.PrincipalId, f.UserAssignedIdentity.PrincipalId },
            bound_subscription_ids = f.SubscriptionId, bound_resource_groups = f.ResourceGroup,
        })).ConfigureAwait(false);
        await Write($"auth/{AzureMount}/role/{VmRole}", Tokens(new
        {
            bound_service_principal_ids = new[] { f.VmIdentity.PrincipalId, f.UserAssignedIdentity.PrincipalId },
            bound_subscription_ids = f.SubscriptionId, bound_resource_groups = f.ResourceGroup,
        })).ConfigureAwait(false);

        await Write("sys/auth/" + UserpassMount, new { type = "userpass" }).ConfigureAwait(false);
        await Write($"auth/{UserpassMount}/users/{logins.UserpassUsername}", Tokens(new { password = logins.UserpassPassword })).ConfigureAwait(false);

        await Write("sys/auth/" + LdapMount, new { type = "ldap" }).ConfigureAwait(false);
        await Write($"auth/{LdapMount}/config", new
        {
            url = "ldap://127.0.0.1", userdn = "ou=users,dc=sandbox,dc=test", groupdn = "ou=groups,dc=sandbox,dc=test",
            token_ttl = (int)TokenTtl.TotalSeconds, token_max_ttl = (int)TokenMaxTtl.TotalSeconds,
        }).ConfigureAwait(false);
        await Write($"auth/{LdapMount}/groups/{logins.LdapGroup}", new { policies = Policy }).ConfigureAwait(false);
        ((Vault.Auth.LdapAuthMethod)vault.Mounts.Get("auth/" + LdapMount)!.Engine).AddDirectoryUser(logins.LdapUsername, logins.LdapPassword, logins.LdapGroup);
        return logins;
    }

    /// <summary>What a client needs to try each login (serve writes it into its info file as SECRETLESS_LOGINS).</summary>
    public JsonObject Describe(IdentityDouble identity)
    {
        IdentityFacts f = identity.Facts;
        return new JsonObject
        {
            ["azuredevops"] = new JsonObject { ["mount"] = AzureDevOpsMount, ["role"] = PipelineRole },
            ["azuredevops-service-connection"] = new JsonObject { ["mount"] = AzureDevOpsMount, ["role"] = ServiceConnectionRole, ["service_connection_id"] = f.LegacyConnection.Id },
            ["azuredevops-entra-service-connection"] = new JsonObject { ["mount"] = EntraMount, ["role"] = ServiceConnectionRole, ["service_connection_id"] = f.EntraConnection.Id },
            ["githubactions"] = new JsonObject { ["mount"] = GitHubMount, ["role"] = GitHubRole },
            ["managedidentity-automation"] = new JsonObject
            {
                ["mount"] = AzureMount, ["role"] = AutomationRole, ["resource"] = AzureResource,
                ["subscription_id"] = f.SubscriptionId, ["resource_group_name"] = f.ResourceGroup, ["resource_id"] = f.AutomationResourceId,
                ["user_assigned_client_id"] = f.UserAssignedIdentity.ClientId,
            },
            ["managedidentity-vm"] = new JsonObject { ["mount"] = AzureMount, ["role"] = VmRole, ["resource"] = AzureResource },
            ["userpass"] = new JsonObject { ["mount"] = UserpassMount, ["username"] = UserpassUsername, ["password"] = UserpassPassword },
            ["ldap"] = new JsonObject { ["mount"] = LdapMount, ["username"] = LdapUsername, ["password"] = LdapPassword },
            ["policy"] = Policy,
            // What Initialize-CrdbVaultJwtAuth's examples pin: the made-up organisation, project and tenant.
            ["organization_id"] = f.OrganizationId,
            ["project_id"] = f.ProjectId,
            ["tenant_id"] = f.TenantId,
            ["entra_subject"] = identity.Tokens.EntraSubject(f.EntraConnection),
        };
    }

    private static string NewPassword() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
}
