using System.Management.Automation;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Sets up a Vault jwt auth mount and role for secretless logins from Azure DevOps or GitHub Actions.</para>
/// <para type="description">One idempotent job: enables the jwt auth method at -AuthMount when absent, points it at the
/// issuer's OIDC discovery (oidc_discovery_url and bound_issuer), and writes the role with role_type=jwt, user_claim=sub,
/// bound_audiences, the pins of the chosen variant and the token TTLs. Variants: an Azure DevOps pipeline's own token
/// (-AzureDevOpsOrganizationId -ProjectId -PipelineDefinitionId: bound_claims on org_id, prj_id and def_id, which survive
/// renames); an older Azure DevOps service connection (-AzureDevOpsOrganizationId -Subject 'sc://org/project/connection':
/// bound_subject); a service connection issued by Microsoft Entra (-EntraTenantId -Subject, the connection's opaque
/// 'Subject identifier'); a GitHub Actions repository (-GitHubRepository [-GitHubRef] [-Audience]: bound_claims on repository
/// and ref; the audience defaults to GitHub's own, https://github.com/&lt;owner&gt;). Default mounts, one per issuer:
/// jwt-azuredevops (Azure DevOps' issuer: pipelines and older service connections), jwt-entra, jwt-github. Azure DevOps
/// always sends the audience api://AzureADTokenExchange, so every pipeline of the organisation has it: the claim and subject
/// pins are what keep the others out, and a role without them is refused. A mount that already trusts another issuer is
/// never re-pointed (error id JwtMountConflict): the issuer is per mount, and other roles rely on it. A second run with the
/// same values writes nothing. Every step shows under -WhatIf. The Vault policy it needs is in about_CrdbVault_Policies
/// (SECRETLESS LOGIN SETUP).</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "CrdbVaultJwtAuth", SupportsShouldProcess = true, DefaultParameterSetName = PipelineSet)]
[OutputType(typeof(VaultJwtAuthRole))]
[InputErrorId("InvalidJwtAuthArgument")]
public sealed class InitializeCrdbVaultJwtAuthCommand : VaultCmdlet
{
    private const string PipelineSet = "AzureDevOpsPipeline";
    private const string ServiceConnectionSet = "AzureDevOpsServiceConnection";
    private const string EntraSet = "EntraServiceConnection";
    private const string GitHubSet = "GitHubActions";

    /// <summary>The Vault role to write (auth/&lt;AuthMount&gt;/role/&lt;Name&gt;); jobs log in with Connect-CrdbVault -Role &lt;Name&gt;.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>The Vault policies the login's token gets (token_policies).</summary>
    [Parameter(Mandatory = true)]
    [Input(InputKind.NameSegment)]
    public string[] Policy { get; set; } = [];

    /// <summary>The Azure DevOps organization's id (a GUID: the org_id claim, and part of the issuer URL).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PipelineSet)]
    [Parameter(Mandatory = true, ParameterSetName = ServiceConnectionSet)]
    public Guid AzureDevOpsOrganizationId { get; set; }

    /// <summary>The Azure DevOps project's id (a GUID: the prj_id claim).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PipelineSet)]
    public Guid ProjectId { get; set; }

    /// <summary>The pipeline's definition id (the def_id claim: the number in the pipeline's URL, definitionId=7).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PipelineSet)]
    public int PipelineDefinitionId { get; set; }

    /// <summary>The Microsoft Entra tenant that issues the service connection's tokens (a GUID).</summary>
    [Parameter(Mandatory = true, ParameterSetName = EntraSet)]
    public Guid EntraTenantId { get; set; }

    /// <summary>
    /// The service connection's subject: sc://org/project/connection for older connections; for Entra-issued ones the opaque
    /// 'Subject identifier' shown on the connection (copy it, never build it).
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ServiceConnectionSet)]
    [Parameter(Mandatory = true, ParameterSetName = EntraSet)]
    [Input(InputKind.FreeText, MaxLength = 512)]
    public string Subject { get; set; } = "";

    /// <summary>The GitHub repository whose workflows may log in, as owner/repository (the repository claim).</summary>
    [Parameter(Mandatory = true, ParameterSetName = GitHubSet)]
    [Input(InputKind.FreeText, MaxLength = 140)]
    public string GitHubRepository { get; set; } = "";

    /// <summary>Only this git ref may log in (the ref claim), e.g. refs/heads/main. Default: any ref of the repository.</summary>
    [Parameter(ParameterSetName = GitHubSet)]
    [Input(InputKind.FreeText, MaxLength = 256)]
    public string? GitHubRef { get; set; }

    /// <summary>The audience the workflow asks for (Connect-CrdbVault -GitHubActions -Audience). Default: https://github.com/&lt;owner&gt;.</summary>
    [Parameter(ParameterSetName = GitHubSet)]
    [Input(InputKind.FreeText, MaxLength = 512)]
    public string? Audience { get; set; }

    /// <summary>The jwt auth mount. Defaults: jwt-azuredevops, jwt-entra (-EntraTenantId), jwt-github (-GitHubRepository).</summary>
    [Parameter]
    [Input(InputKind.VaultPath)]
    public string? AuthMount { get; set; }

    /// <summary>TTL of the tokens the role issues (token_ttl). Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? TokenTtl { get; set; }

    /// <summary>Longest life of those tokens, renewals included (token_max_ttl). Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? TokenMaxTtl { get; set; }

    // Acts once, in EndProcessing, after the checks that need no server.
    protected override void ProcessCheckedRecord()
    {
    }

    protected override void EndProcessing()
    {
        JwtRoleSpec spec = Checked(BuildSpec, "InvalidJwtAuthArgument", Name) with { TokenTtl = TokenTtl, TokenMaxTtl = TokenMaxTtl };
        if (TokenTtl is TimeSpan ttl && TokenMaxTtl is TimeSpan max && ttl > max)
            ThrowInvalidArgument("-TokenTtl is longer than -TokenMaxTtl.", "InvalidJwtAuthArgument", Name);
        var setup = new JwtAuthSetup(ResolveSession().Client);
        string mount = $"auth/{spec.Mount}/";
        JwtAuthState state = Run(ct => setup.ReadAsync(spec, ct), mount);
        try
        {
            JwtAuthSetup.CheckMount(spec, state);
        }
        catch (InvalidOperationException ex)
        {
            ThrowMapped(ex, mount, "JwtMountConflict");
        }

        bool declined = false, created = false, configured = false, written = false;
        if (state.MountType is null)
        {
            if (ShouldProcess(mount, "Enable the jwt auth method")) { Run(ct => setup.EnableMountAsync(spec, ct), mount); created = true; }
            else declined = true;
        }
        if (JwtAuthSetup.NeedsIssuer(spec, state))
        {
            if (ShouldProcess($"{mount}config", $"Trust tokens of {spec.Issuer} (oidc_discovery_url and bound_issuer)"))
            {
                Run(ct => setup.SetIssuerAsync(spec, ct), $"{mount}config");
                configured = true;
            }
            else declined = true;
        }
        if (!state.RoleMatches)
        {
            string pins = spec.BoundSubject is not null ? $"bound_subject {spec.BoundSubject}"
                : "bound_claims " + string.Join(", ", spec.BoundClaims.Select(kv => $"{kv.Key}={kv.Value}"));
            if (ShouldProcess($"{mount}role/{spec.Name}", $"{(state.RoleExists ? "Update" : "Write")} the role: audience " +
                $"{string.Join(", ", spec.BoundAudiences)}, {pins}, policies {string.Join(", ", spec.Policies)}"))
            {
                Run(ct => setup.WriteRoleAsync(spec, ct), $"{mount}role/{spec.Name}");
                written = true;
            }
            else declined = true;
        }
        if (!created && !configured && !written && !declined) WriteVerbose($"{mount}role/{spec.Name} already is as asked: nothing written.");
        if (!declined) WriteObject(VaultJwtAuthRole.From(spec, created, configured, written));
    }

    private JwtRoleSpec BuildSpec() => ParameterSetName switch
    {
        ServiceConnectionSet => JwtRoleSpec.AzureDevOpsServiceConnection(Name, Policy, AzureDevOpsOrganizationId, Subject, AuthMount),
        EntraSet => JwtRoleSpec.EntraServiceConnection(Name, Policy, EntraTenantId, Subject, AuthMount),
        GitHubSet => JwtRoleSpec.GitHubActions(Name, Policy, GitHubRepository, GitHubRef, Audience, AuthMount),
        _ => JwtRoleSpec.AzureDevOpsPipeline(Name, Policy, AzureDevOpsOrganizationId, ProjectId, PipelineDefinitionId, AuthMount),
    };
}
