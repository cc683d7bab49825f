using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Identity;

/// <summary>OIDC discovery documents and JWKS, with the public URLs the real issuers publish.</summary>
public sealed partial class IdentityDouble
{
    private IResult VstokenDiscovery(string org)
    {
        (IdentityFault? _, IResult? answer) = Arrive(IdentityEndpoint.Discovery);
        if (answer is not null) return answer;
        if (!string.Equals(org, Facts.OrganizationId, StringComparison.OrdinalIgnoreCase)) return NotFound();
        // The JWKS is not per organisation: one key set for all of vstoken.
        return Json(Discovery(Tokens.VstokenIssuer, "https://vstoken.dev.azure.com/.well-known/jwks"));
    }

    private IResult EntraDiscovery(string tenant, bool v2)
    {
        (IdentityFault? _, IResult? answer) = Arrive(IdentityEndpoint.Discovery);
        if (answer is not null) return answer;
        if (!string.Equals(tenant, Facts.TenantId, StringComparison.OrdinalIgnoreCase)) return NotFound();
        // v1 (what Vault's azure method reads): issuer sts.windows.net, the "common" keys; v2: the
        // tenant's v2.0 issuer (service-connection tokens). Both are signed by the same Entra keys.
        JsonObject doc = v2
            ? Discovery(Tokens.EntraIssuer, $"https://login.microsoftonline.com/{Facts.TenantId}/discovery/v2.0/keys")
            : Discovery(Tokens.ManagedIdentityIssuer, "https://login.microsoftonline.com/common/discovery/keys");
        doc["token_endpoint"] = $"https://login.microsoftonline.com/{Facts.TenantId}/oauth2{(v2 ? "/v2.0" : "")}/token";
        doc["authorization_endpoint"] = $"https://login.microsoftonline.com/{Facts.TenantId}/oauth2{(v2 ? "/v2.0" : "")}/authorize";
        doc["tenant_region_scope"] = "EU";
        return Json(doc);
    }

    private IResult EntraKeys(string tenant)
    {
        if (tenant != "common" && !string.Equals(tenant, Facts.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            Hit(IdentityEndpoint.Jwks);
            return NotFound();
        }
        return Jwks(_keys.Entra);
    }

    private IResult GitHubDiscovery()
    {
        (IdentityFault? _, IResult? answer) = Arrive(IdentityEndpoint.Discovery);
        if (answer is not null) return answer;
        JsonObject doc = Discovery(IdentityTokens.GitHubIssuer, IdentityTokens.GitHubIssuer + "/.well-known/jwks");
        doc["claims_supported"] = new JsonArray("sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "sha", "repository",
            "repository_id", "repository_owner", "repository_owner_id", "run_id", "run_number", "run_attempt", "actor",
            "actor_id", "workflow", "workflow_ref", "event_name", "ref_type", "ref_protected", "environment",
            "job_workflow_ref", "repository_visibility", "runner_environment");
        return Json(doc);
    }

    private IResult Jwks(SigningKey key)
    {
        (IdentityFault? _, IResult? answer) = Arrive(IdentityEndpoint.Jwks);
        if (answer is not null) return answer;
        return Json(new JsonObject { ["keys"] = new JsonArray(key.Jwk()) });
    }

    private static JsonObject Discovery(string issuer, string jwksUri) => new()
    {
        ["issuer"] = issuer,
        ["jwks_uri"] = jwksUri,
        ["subject_types_supported"] = new JsonArray("public", "pairwise"),
        ["response_types_supported"] = new JsonArray("id_token"),
        ["claims_supported"] = new JsonArray("sub", "aud", "exp", "iat", "iss", "nbf"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["scopes_supported"] = new JsonArray("openid"),
    };

    private static IResult NotFound() => Json(new JsonObject { ["error"] = "not found" }, 404);
}
