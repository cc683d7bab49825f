using System.Collections;
using CrdbVault.Core.Vault.Auth;

namespace CrdbVault;

/// <summary>A jwt auth role for secretless logins as Initialize-CrdbVaultJwtAuth left it, with what the run changed.</summary>
public sealed class VaultJwtAuthRole
{
    /// <summary>
    /// The role (auth/&lt;AuthMount&gt;/role/&lt;JwtRole&gt;); Connect-CrdbVault -Role takes it. Named JwtRole, not Role or
    /// Name, so a piped object never binds as a database role (New-CrdbDynamicCredential -Role, Remove-CrdbVaultRole -Name).
    /// </summary>
    public required string JwtRole { get; init; }
    public required string AuthMount { get; init; }

    /// <summary>AzureDevOpsPipeline, AzureDevOpsServiceConnection, EntraServiceConnection or GitHubActions.</summary>
    public required string Kind { get; init; }
    public required string Issuer { get; init; }
    public required string[] BoundAudiences { get; init; }
    public string? BoundSubject { get; init; }
    public required Hashtable BoundClaims { get; init; }
    public required string UserClaim { get; init; }
    public required string[] Policies { get; init; }
    public TimeSpan? TokenTtl { get; init; }
    public TimeSpan? TokenMaxTtl { get; init; }
    public bool MountCreated { get; init; }
    public bool IssuerConfigured { get; init; }
    public bool RoleWritten { get; init; }

    internal static VaultJwtAuthRole From(JwtRoleSpec spec, bool mountCreated, bool issuerConfigured, bool roleWritten) => new()
    {
        JwtRole = spec.Name,
        AuthMount = spec.Mount,
        Kind = spec.Kind.ToString(),
        Issuer = spec.Issuer,
        BoundAudiences = [.. spec.BoundAudiences],
        BoundSubject = spec.BoundSubject,
        BoundClaims = new Hashtable(spec.BoundClaims.ToDictionary(kv => kv.Key, kv => (object?)kv.Value)),
        UserClaim = spec.UserClaim,
        Policies = [.. spec.Policies],
        TokenTtl = spec.TokenTtl,
        TokenMaxTtl = spec.TokenMaxTtl,
        MountCreated = mountCreated,
        IssuerConfigured = issuerConfigured,
        RoleWritten = roleWritten,
    };

    public override string ToString() => $"auth/{AuthMount}/role/{JwtRole}";
}
