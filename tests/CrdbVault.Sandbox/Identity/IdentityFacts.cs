using System.Security.Cryptography;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// The made-up cloud the identity double answers for: one Azure DevOps organisation with a pipeline
/// and two service connections (one per issuer style), one GitHub repository, one Entra tenant with
/// a subscription, a VM (instance metadata) and an Automation account (IDENTITY_ENDPOINT), each with a
/// system-assigned identity, and a user-assigned identity both can use. Ids are fresh per start; the
/// job secrets (SYSTEM_ACCESSTOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, IDENTITY_HEADER) too.
/// </summary>
public sealed class IdentityFacts
{
    // Azure DevOps
    public string OrganizationName { get; init; } = "crdbvault-sandbox";
    public string OrganizationId { get; init; } = NewGuid();
    public string ProjectName { get; init; } = "cockroach";
    public string ProjectId { get; init; } = NewGuid();
    public string PipelineName { get; init; } = "rotate-credentials";
    /// <summary>def_id: a string in the token, as Azure DevOps sends it.</summary>
    public string DefinitionId { get; init; } = "7";
    public string RepositoryName { get; init; } = "crdbvault/infra";
    public string PlanId { get; init; } = NewGuid();
    public string JobId { get; init; } = NewGuid();
    /// <summary>$(System.AccessToken) of the job: the bearer the OIDC endpoint wants.</summary>
    public string SystemAccessToken { get; init; } = NewSecret();

    /// <summary>An older service connection: vstoken issuer, subject sc://org/project/connection.</summary>
    public ServiceConnection LegacyConnection { get; init; } = new(NewGuid(), "vault-legacy", EntraIssued: false, AppId: NewGuid());
    /// <summary>A connection created since 2025: Entra's issuer and an opaque subject.</summary>
    public ServiceConnection EntraConnection { get; init; } = new(NewGuid(), "vault-entra", EntraIssued: true, AppId: NewGuid());

    // GitHub Actions
    public string GitHubOwner { get; init; } = "crdbvault";
    public string GitHubRepository { get; init; } = "crdbvault/infra";
    public string GitHubRef { get; init; } = "refs/heads/main";
    /// <summary>ACTIONS_ID_TOKEN_REQUEST_TOKEN of the job.</summary>
    public string GitHubRequestToken { get; init; } = NewSecret();

    // Azure
    public string TenantId { get; init; } = NewGuid();
    public string SubscriptionId { get; init; } = NewGuid();
    public string ResourceGroup { get; init; } = "rg-crdb";
    public string Location { get; init; } = "westeurope";
    public string VmName { get; init; } = "vm-runner-1";
    public string AutomationAccount { get; init; } = "aa-crdb";
    public string UserAssignedName { get; init; } = "id-crdbvault";
    /// <summary>IDENTITY_HEADER of the Automation / App Service sandbox.</summary>
    public string IdentityHeader { get; init; } = NewSecret();

    public string VmResourceId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{VmName}";
    public string AutomationResourceId => $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}/providers/Microsoft.Automation/automationAccounts/{AutomationAccount}";

    /// <summary>The VM's system-assigned identity (xms_mirid: the VM, lower-case "resourcegroups" as Entra writes it).</summary>
    public ManagedIdentity VmIdentity { get; } = new(NewGuid(), NewGuid());
    public ManagedIdentity AutomationIdentity { get; } = new(NewGuid(), NewGuid());
    public ManagedIdentity UserAssignedIdentity { get; } = new(NewGuid(), NewGuid());

    /// <summary>xms_mirid of a token for <paramref name="identity"/>.</summary>
    public string MiridOf(ManagedIdentity identity) =>
        identity == VmIdentity ? $"/subscriptions/{SubscriptionId}/resourcegroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{VmName}"
        : identity == AutomationIdentity ? $"/subscriptions/{SubscriptionId}/resourcegroups/{ResourceGroup}/providers/Microsoft.Automation/automationAccounts/{AutomationAccount}"
        : $"/subscriptions/{SubscriptionId}/resourcegroups/{ResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{UserAssignedName}";

    private static string NewGuid() => Guid.NewGuid().ToString();

    /// <summary>An opaque bearer secret (URL-safe base64 of 32 random bytes).</summary>
    private static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>An Azure DevOps service connection (workload identity federation).</summary>
public sealed record ServiceConnection(string Id, string Name, bool EntraIssued, string AppId);

/// <summary>A managed identity: its principal (object) id, client (application) id.</summary>
public sealed record ManagedIdentity(string PrincipalId, string ClientId);
