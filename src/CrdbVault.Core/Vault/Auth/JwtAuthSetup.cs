using System.Text.Json;
using System.Text.RegularExpressions;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>Whose tokens a jwt role admits; each kind has its issuer, audience and pins (docs/secretless-logins.md).</summary>
public enum JwtIssuerKind
{
    /// <summary>The Azure DevOps pipeline's own token: vstoken issuer, bound_claims org_id, prj_id, def_id.</summary>
    AzureDevOpsPipeline,

    /// <summary>An older Azure DevOps service connection: vstoken issuer, bound_subject sc://org/project/connection.</summary>
    AzureDevOpsServiceConnection,

    /// <summary>A service connection issued by Microsoft Entra: its tenant's issuer, bound_subject (opaque, copied from Azure DevOps).</summary>
    EntraServiceConnection,

    /// <summary>GitHub Actions: GitHub's issuer, bound_claims repository (and ref).</summary>
    GitHubActions,
}

/// <summary>What Initialize-CrdbVaultJwtAuth sets up: one jwt mount trusting one issuer, and one role on it with its pins.</summary>
public sealed partial record JwtRoleSpec
{
    public const string AzureDevOpsAudience = "api://AzureADTokenExchange";
    public const string GitHubIssuer = "https://token.actions.githubusercontent.com";

    public required JwtIssuerKind Kind { get; init; }
    public required string Name { get; init; }
    public required string Mount { get; init; }
    public required string Issuer { get; init; }
    public required IReadOnlyList<string> Policies { get; init; }
    public required IReadOnlyList<string> BoundAudiences { get; init; }
    public string? BoundSubject { get; init; }
    public IReadOnlyDictionary<string, string> BoundClaims { get; init; } = new Dictionary<string, string>();
    public string UserClaim { get; init; } = "sub";
    public TimeSpan? TokenTtl { get; init; }
    public TimeSpan? TokenMaxTtl { get; init; }

    public static JwtRoleSpec AzureDevOpsPipeline(string name, IReadOnlyList<string> policies, Guid organizationId, Guid projectId, int definitionId,
        string? mount = null) => Check(new JwtRoleSpec
        {
            Kind = JwtIssuerKind.AzureDevOpsPipeline, Name = name, Policies = policies, Mount = mount ?? AzureDevOpsAuth.DefaultMount,
            Issuer = "https://vstoken.dev.azure.com/" + organizationId.ToString("D"),
            BoundAudiences = [AzureDevOpsAudience],
            BoundClaims = new Dictionary<string, string>
            {
                ["org_id"] = organizationId.ToString("D"),
                ["prj_id"] = projectId.ToString("D"),
                ["def_id"] = definitionId > 0 ? definitionId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : throw new ArgumentException($"-PipelineDefinitionId {definitionId} is not a pipeline id; it is the number in the pipeline's URL " +
                        "(definitionId=7).", "PipelineDefinitionId"),
            },
        });

    public static JwtRoleSpec AzureDevOpsServiceConnection(string name, IReadOnlyList<string> policies, Guid organizationId, string subject,
        string? mount = null)
    {
        if (!subject.StartsWith("sc://", StringComparison.Ordinal) || subject.Count(c => c == '/') != 4)
            throw new ArgumentException($"-Subject '{ServerText.Printable(subject)}' is not a service connection subject of the Azure DevOps " +
                "issuer; it reads sc://<organization>/<project>/<connection>. A connection whose subject starts with /eid1/ is issued by " +
                "Microsoft Entra: use -EntraTenantId instead.", "Subject");
        return Check(new JwtRoleSpec
        {
            Kind = JwtIssuerKind.AzureDevOpsServiceConnection, Name = name, Policies = policies, Mount = mount ?? AzureDevOpsAuth.DefaultMount,
            Issuer = "https://vstoken.dev.azure.com/" + organizationId.ToString("D"),
            BoundAudiences = [AzureDevOpsAudience], BoundSubject = subject,
        });
    }

    public static JwtRoleSpec EntraServiceConnection(string name, IReadOnlyList<string> policies, Guid tenantId, string subject, string? mount = null)
    {
        if (subject.StartsWith("sc://", StringComparison.Ordinal))
            throw new ArgumentException("-Subject starts with sc://: that connection is issued by Azure DevOps, not Microsoft Entra. Use " +
                "-AzureDevOpsOrganizationId with it instead of -EntraTenantId.", "Subject");
        return Check(new JwtRoleSpec
        {
            Kind = JwtIssuerKind.EntraServiceConnection, Name = name, Policies = policies, Mount = mount ?? "jwt-entra",
            Issuer = $"https://login.microsoftonline.com/{tenantId:D}/v2.0",
            BoundAudiences = [AzureDevOpsAudience], BoundSubject = subject,
        });
    }

    public static JwtRoleSpec GitHubActions(string name, IReadOnlyList<string> policies, string repository, string? gitRef = null,
        string? audience = null, string? mount = null)
    {
        if (!GitHubRepositoryName().IsMatch(repository))
            throw new ArgumentException($"-GitHubRepository '{ServerText.Printable(repository)}' is not <owner>/<repository>, e.g. 'contoso/infra'.",
                "GitHubRepository");
        var claims = new Dictionary<string, string> { ["repository"] = repository };
        if (gitRef is not null) claims["ref"] = gitRef;
        return Check(new JwtRoleSpec
        {
            Kind = JwtIssuerKind.GitHubActions, Name = name, Policies = policies, Mount = mount ?? GitHubActionsAuth.DefaultMount,
            Issuer = GitHubIssuer,
            BoundAudiences = [audience ?? "https://github.com/" + repository[..repository.IndexOf('/')]],
            BoundClaims = claims,
        });
    }

    /// <summary>Names, mount and the rule that matters most: a role must pin a subject or claims, else any token of the issuer gets in.</summary>
    private static JwtRoleSpec Check(JwtRoleSpec spec)
    {
        InputValidator.PathSegment(spec.Name, "Name");
        InputValidator.VaultPath(spec.Mount, "AuthMount", "the auth mount such as 'jwt-azuredevops'");
        if (spec.Policies.Count == 0) throw new ArgumentException("-Policy is empty: name the Vault policies the login's token gets.", "Policy");
        foreach (string p in spec.Policies) InputValidator.PathSegment(p, "Policy");
        if (string.IsNullOrWhiteSpace(spec.BoundSubject) && (spec.BoundClaims.Count == 0 || spec.BoundClaims.Values.Any(string.IsNullOrWhiteSpace)))
            throw new ArgumentException("The role would pin neither a subject nor claims: every token of the issuer (every pipeline of the " +
                "organisation, every repository on GitHub) could log in. Pass the pins of your variant.", "Subject");
        if (spec.TokenTtl is TimeSpan ttl && spec.TokenMaxTtl is TimeSpan max && ttl > max)
            throw new ArgumentException($"-TokenTtl {VaultDuration.Format(ttl)} is longer than -TokenMaxTtl {VaultDuration.Format(max)}.", "TokenTtl");
        return spec;
    }

    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex GitHubRepositoryName();
}

/// <summary>What the mount and role were before, and what setting them up changes.</summary>
public sealed record JwtAuthState(string? MountType, string? BoundIssuer, string? DiscoveryUrl, bool RoleExists, bool RoleMatches);

/// <summary>
/// Sets a jwt auth mount and role up as one idempotent job: enable the mount when absent, point it at
/// its issuer's discovery (never re-pointing a mount that trusts another issuer: the issuer is per
/// mount), write the role with its pins. Each step can be asked for separately (-WhatIf).
/// </summary>
public sealed class JwtAuthSetup(VaultClient client)
{
    /// <summary>The mount's type, its issuer and whether the role already says what <paramref name="spec"/> says.</summary>
    public async Task<JwtAuthState> ReadAsync(JwtRoleSpec spec, CancellationToken ct)
    {
        string? type = null;
        try
        {
            VaultResponse? mount = await client.ReadAsync($"sys/auth/{spec.Mount}", ct).ConfigureAwait(false);
            type = mount is not null && mount.Data.ValueKind == JsonValueKind.Object && mount.Data.TryGetProperty("type", out JsonElement t)
                ? t.GetString() : null;
        }
        catch (VaultApiException ex) when (ex.Status == 400)
        {
            // "No auth engine at <path>": nothing mounted there yet.
        }
        if (type is null) return new JwtAuthState(null, null, null, false, false);
        if (type != "jwt" && type != "oidc") return new JwtAuthState(type, null, null, false, false);
        VaultResponse? config = await client.ReadAsync($"auth/{spec.Mount}/config", ct).ConfigureAwait(false);
        string? issuer = Text(config, "bound_issuer"), discovery = Text(config, "oidc_discovery_url");
        VaultResponse? role = await client.ReadAsync($"auth/{spec.Mount}/role/{spec.Name}", ct).ConfigureAwait(false);
        return new JwtAuthState(type, issuer, discovery, role is not null, role is not null && Matches(role.Data, spec));
    }

    /// <summary>Refuses a mount of another type, or one that already trusts another issuer (InvalidOperationException).</summary>
    public static void CheckMount(JwtRoleSpec spec, JwtAuthState state)
    {
        if (state.MountType is string type && type != "jwt" && type != "oidc")
            throw new InvalidOperationException($"auth/{spec.Mount}/ is a '{type}' auth method, not jwt. Choose another -AuthMount.");
        foreach (string? trusted in new[] { state.BoundIssuer, state.DiscoveryUrl })
            if (!string.IsNullOrEmpty(trusted) && !SameIssuer(trusted, spec.Issuer))
                throw new InvalidOperationException($"auth/{spec.Mount}/ already trusts {ServerText.Printable(trusted)}, not {spec.Issuer}. " +
                    "Vault binds one issuer per jwt mount, and re-pointing it would lock out every role that uses it: choose another -AuthMount " +
                    "(one per issuer: jwt-azuredevops, jwt-entra, jwt-github).");
    }

    /// <summary>True when the mount's discovery still has to be written.</summary>
    public static bool NeedsIssuer(JwtRoleSpec spec, JwtAuthState state) =>
        state.BoundIssuer is null || state.DiscoveryUrl is null || !SameIssuer(state.BoundIssuer, spec.Issuer) || !SameIssuer(state.DiscoveryUrl, spec.Issuer);

    public Task EnableMountAsync(JwtRoleSpec spec, CancellationToken ct) =>
        client.WriteAsync($"sys/auth/{spec.Mount}", new { type = "jwt", description = $"Secretless logins: tokens of {spec.Issuer}" },
            VaultRequestOptions.IdempotentWrite, ct);

    public Task SetIssuerAsync(JwtRoleSpec spec, CancellationToken ct) =>
        client.WriteAsync($"auth/{spec.Mount}/config", new { oidc_discovery_url = spec.Issuer, bound_issuer = spec.Issuer },
            VaultRequestOptions.IdempotentWrite, ct);

    public Task WriteRoleAsync(JwtRoleSpec spec, CancellationToken ct) =>
        client.WriteAsync($"auth/{spec.Mount}/role/{spec.Name}", RoleBody(spec), VaultRequestOptions.IdempotentWrite, ct);

    /// <summary>The role as Vault takes it; bound_subject "" and bound_claims null clear a pin of another variant.</summary>
    internal static Dictionary<string, object?> RoleBody(JwtRoleSpec spec)
    {
        var body = new Dictionary<string, object?>
        {
            ["role_type"] = "jwt",
            ["user_claim"] = spec.UserClaim,
            ["bound_audiences"] = spec.BoundAudiences,
            ["bound_subject"] = spec.BoundSubject ?? "",
            ["bound_claims"] = spec.BoundClaims.Count == 0 ? null : spec.BoundClaims,
            ["token_policies"] = spec.Policies,
        };
        if (spec.TokenTtl is TimeSpan ttl) body["token_ttl"] = (long)ttl.TotalSeconds;
        if (spec.TokenMaxTtl is TimeSpan max) body["token_max_ttl"] = (long)max.TotalSeconds;
        return body;
    }

    /// <summary>Whether the stored role already says what the spec says (so an unchanged run writes nothing).</summary>
    private static bool Matches(JsonElement role, JwtRoleSpec spec)
    {
        if (role.ValueKind != JsonValueKind.Object) return false;
        if (Str(role, "user_claim") != spec.UserClaim || (Str(role, "bound_subject") ?? "") != (spec.BoundSubject ?? "")) return false;
        if (!SameSet(List(role, "bound_audiences"), spec.BoundAudiences) || !SameSet(List(role, "token_policies"), spec.Policies)) return false;
        var claims = new Dictionary<string, string>();
        if (role.TryGetProperty("bound_claims", out JsonElement c) && c.ValueKind == JsonValueKind.Object)
            foreach (JsonProperty p in c.EnumerateObject())
                claims[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.ToString();
        if (claims.Count != spec.BoundClaims.Count || spec.BoundClaims.Any(kv => !claims.TryGetValue(kv.Key, out string? v) || v != kv.Value)) return false;
        if (spec.TokenTtl is TimeSpan ttl && Seconds(role, "token_ttl") != (long)ttl.TotalSeconds) return false;
        if (spec.TokenMaxTtl is TimeSpan max && Seconds(role, "token_max_ttl") != (long)max.TotalSeconds) return false;
        return true;
    }

    private static bool SameIssuer(string a, string b) => string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.Order().SequenceEqual(b.Order());

    private static IReadOnlyList<string> List(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? VaultResponse.StringList(v) : [];

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Seconds(JsonElement e, string name) => e.TryGetProperty(name, out JsonElement v) ? (long)VaultDuration.FromJson(v).TotalSeconds : 0;

    private static string? Text(VaultResponse? r, string name) =>
        r is not null && r.Data.ValueKind == JsonValueKind.Object && Str(r.Data, name) is { Length: > 0 } s ? s : null;
}
