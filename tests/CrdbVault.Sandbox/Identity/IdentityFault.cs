using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Identity;

/// <summary>The endpoints of the identity double, for request counts and faults.</summary>
public enum IdentityEndpoint
{
    /// <summary>POST SYSTEM_OIDCREQUESTURI (Azure DevOps).</summary>
    AzureDevOps,
    /// <summary>GET ACTIONS_ID_TOKEN_REQUEST_URL (GitHub Actions).</summary>
    GitHubActions,
    /// <summary>IDENTITY_ENDPOINT (Azure Automation, App Service, Functions).</summary>
    ManagedIdentity,
    /// <summary>Instance metadata: /metadata/identity/oauth2/token.</summary>
    ImdsToken,
    /// <summary>Instance metadata: /metadata/instance.</summary>
    ImdsInstance,
    /// <summary>Any /.well-known/openid-configuration.</summary>
    Discovery,
    /// <summary>Any JWKS.</summary>
    Jwks,
}

/// <summary>
/// One injected failure for the next matching request(s) of an endpoint: an HTTP error instead of
/// an answer, or a token that is wrong in one way (expired, not yet valid, signed with a key no JWKS
/// has, claims replaced or removed). Added with <see cref="IdentityDouble.Faults"/>.
/// </summary>
public sealed class IdentityFault
{
    public required IdentityEndpoint Endpoint { get; init; }
    /// <summary>Answer this status with <see cref="Body"/> instead of the real answer (0 = no).</summary>
    public int Status { get; init; }
    public string Body { get; init; } = "{\"error\":\"injected fault\"}";
    /// <summary>iat two hours ago, exp one hour ago: past every leeway.</summary>
    public bool Expired { get; init; }
    /// <summary>nbf and iat an hour ahead.</summary>
    public bool NotYetValid { get; init; }
    /// <summary>Signed with a key that no JWKS of the double publishes.</summary>
    public bool SignWithUnknownKey { get; init; }
    /// <summary>Claims to set (a null value removes the claim), e.g. aud, sub, repository.</summary>
    public Dictionary<string, JsonNode?> Claims { get; init; } = [];
    /// <summary>How many matching requests it hits; -1 = all.</summary>
    public int Times { get; set; } = 1;
    public int Hits { get; set; }
}

/// <summary>Thread-safe list of identity faults.</summary>
public sealed class IdentityFaults
{
    private readonly List<IdentityFault> _faults = [];

    public IdentityFault Add(IdentityFault fault)
    {
        lock (_faults) _faults.Add(fault);
        return fault;
    }

    public void Clear()
    {
        lock (_faults) _faults.Clear();
    }

    /// <summary>The first live fault for <paramref name="endpoint"/>, consuming one of its times.</summary>
    public IdentityFault? Take(IdentityEndpoint endpoint)
    {
        lock (_faults)
        {
            IdentityFault? f = _faults.FirstOrDefault(f => f.Endpoint == endpoint && f.Times != 0);
            if (f is null) return null;
            if (f.Times > 0) f.Times--;
            f.Hits++;
            return f;
        }
    }
}
