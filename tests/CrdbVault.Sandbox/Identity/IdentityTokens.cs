using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// Mints the tokens the identity double hands out, with the claims and lifetimes the real issuers
/// use (see docs/testing.md): Azure DevOps pipeline and service-connection tokens (5 minutes,
/// nbf 10 minutes back), GitHub Actions tokens (5 minutes), managed-identity access tokens
/// (24 hours, Entra v1 issuer https://sts.windows.net/&lt;tenant&gt;/). Tests may call these directly
/// to make a token without an HTTP round trip.
/// </summary>
public sealed class IdentityTokens(IdentityFacts facts, IdentityKeys keys, TimeProvider clock)
{
    public const string AzureAdTokenExchange = "api://AzureADTokenExchange";
    public const string GitHubIssuer = "https://token.actions.githubusercontent.com";
    public static readonly TimeSpan AzureDevOpsLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan GitHubLifetime = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan ManagedIdentityLifetime = TimeSpan.FromHours(24);

    public string VstokenIssuer => "https://vstoken.dev.azure.com/" + facts.OrganizationId;
    public string EntraIssuer => $"https://login.microsoftonline.com/{facts.TenantId}/v2.0";
    public string ManagedIdentityIssuer => $"https://sts.windows.net/{facts.TenantId}/";

    /// <summary>The pipeline's own token (no serviceConnectionId).</summary>
    public string AzureDevOpsPipeline(IdentityFault? fault = null)
    {
        JsonObject claims = Times(AzureDevOpsLifetime, nbfBack: TimeSpan.FromMinutes(10));
        claims["jti"] = Guid.NewGuid().ToString();
        claims["sub"] = $"p://{facts.OrganizationName}/{facts.ProjectName}/{facts.PipelineName}";
        claims["aud"] = AzureAdTokenExchange;
        claims["org_id"] = facts.OrganizationId;
        claims["prj_id"] = facts.ProjectId;
        claims["def_id"] = facts.DefinitionId;
        claims["rpo_id"] = facts.RepositoryName;
        claims["rpo_uri"] = $"https://github.com/{facts.RepositoryName}.git";
        claims["rpo_ver"] = "c291ea713801eb300054d353d279e7b02331f671";
        claims["rpo_ref"] = "refs/heads/main";
        claims["run_id"] = "42";
        claims["iss"] = VstokenIssuer;
        return Sign(keys.Vstoken, claims, fault);
    }

    /// <summary>A service connection's token: vstoken issuer for older connections, Entra's for newer ones.</summary>
    public string AzureDevOpsServiceConnection(ServiceConnection connection, IdentityFault? fault = null)
    {
        JsonObject claims = Times(AzureDevOpsLifetime, nbfBack: TimeSpan.FromMinutes(10));
        claims["jti"] = Guid.NewGuid().ToString();
        claims["aud"] = AzureAdTokenExchange;
        if (connection.EntraIssued)
        {
            claims["sub"] = EntraSubject(connection);
            claims["iss"] = EntraIssuer;
            claims["tid"] = facts.TenantId;
            return Sign(keys.Entra, claims, fault);
        }
        claims["sub"] = $"sc://{facts.OrganizationName}/{facts.ProjectName}/{connection.Name}";
        claims["iss"] = VstokenIssuer;
        return Sign(keys.Vstoken, claims, fault);
    }

    /// <summary>The opaque subject Entra gives a federated service connection (the shape of "/eid1/c/pub/t/…").</summary>
    public string EntraSubject(ServiceConnection connection) =>
        $"/eid1/c/pub/t/{Opaque(facts.TenantId)}/a/{Opaque(connection.AppId)}/sc/{facts.OrganizationId}/{connection.Id}";

    /// <summary>A GitHub Actions job token; <paramref name="audience"/> null = GitHub's default https://github.com/&lt;owner&gt;.</summary>
    public string GitHubActions(string? audience, IdentityFault? fault = null)
    {
        JsonObject claims = Times(GitHubLifetime, nbfBack: TimeSpan.FromMinutes(10));
        claims["jti"] = Guid.NewGuid().ToString();
        claims["sub"] = $"repo:{facts.GitHubRepository}:ref:{facts.GitHubRef}";
        claims["aud"] = audience ?? "https://github.com/" + facts.GitHubOwner;
        claims["ref"] = facts.GitHubRef;
        claims["ref_type"] = "branch";
        claims["ref_protected"] = "true";
        claims["sha"] = "e6b9eb29a288b27a3a82cc19c48b9d94b80aff36";
        claims["repository"] = facts.GitHubRepository;
        claims["repository_owner"] = facts.GitHubOwner;
        claims["repository_visibility"] = "private";
        claims["run_id"] = "4242";
        claims["run_number"] = "17";
        claims["run_attempt"] = "1";
        claims["actor"] = "octocat";
        claims["workflow"] = "rotate";
        claims["event_name"] = "workflow_dispatch";
        claims["job_workflow_ref"] = $"{facts.GitHubRepository}/.github/workflows/rotate.yml@{facts.GitHubRef}";
        claims["runner_environment"] = "github-hosted";
        claims["iss"] = GitHubIssuer;
        return Sign(keys.GitHub, claims, fault);
    }

    /// <summary>A managed-identity access token for <paramref name="resource"/> (Entra v1 shape).</summary>
    /// <param name="hostResourceId">The resource the identity is used from (xms_az_rid) when it is user-assigned.</param>
    public string ManagedIdentity(ManagedIdentity identity, string resource, string? hostResourceId, IdentityFault? fault = null)
    {
        JsonObject claims = Times(ManagedIdentityLifetime, nbfBack: TimeSpan.FromMinutes(5));
        claims["aud"] = resource;
        claims["iss"] = ManagedIdentityIssuer;
        claims["idp"] = ManagedIdentityIssuer;
        claims["appid"] = identity.ClientId;
        claims["appidacr"] = "2";
        claims["idtyp"] = "app";
        claims["oid"] = identity.PrincipalId;
        claims["sub"] = identity.PrincipalId;
        claims["tid"] = facts.TenantId;
        claims["uti"] = Guid.NewGuid().ToString("N")[..22];
        claims["ver"] = "1.0";
        claims["xms_mirid"] = facts.MiridOf(identity);
        if (identity == facts.UserAssignedIdentity && hostResourceId is not null) claims["xms_az_rid"] = hostResourceId;
        return Sign(keys.Entra, claims, fault);
    }

    private JsonObject Times(TimeSpan lifetime, TimeSpan nbfBack)
    {
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iat"] = now,
            ["nbf"] = now - (long)nbfBack.TotalSeconds,
            ["exp"] = now + (long)lifetime.TotalSeconds,
        };
    }

    private string Sign(SigningKey key, JsonObject claims, IdentityFault? fault)
    {
        if (fault is not null)
        {
            long now = clock.GetUtcNow().ToUnixTimeSeconds();
            if (fault.Expired) { claims["iat"] = now - 7200; claims["nbf"] = now - 7200; claims["exp"] = now - 3600; }
            if (fault.NotYetValid) { claims["iat"] = now + 3600; claims["nbf"] = now + 3600; claims["exp"] = now + 7200; }
            foreach (var (name, value) in fault.Claims)
            {
                if (value is null) claims.Remove(name);
                else claims[name] = value.DeepClone();
            }
            if (fault.SignWithUnknownKey) key = keys.Rogue;
        }
        return key.Sign(claims);
    }

    private static string Opaque(string guid) => Convert.ToBase64String(Guid.Parse(guid).ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The signing keys: one per issuer, and one no JWKS publishes (for bad-signature faults).</summary>
public sealed class IdentityKeys : IDisposable
{
    public SigningKey Vstoken { get; } = new();
    public SigningKey Entra { get; } = new();
    public SigningKey GitHub { get; } = new();
    public SigningKey Rogue { get; } = new();

    public void Dispose()
    {
        Vstoken.Dispose();
        Entra.Dispose();
        GitHub.Dispose();
        Rogue.Dispose();
    }
}
