using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// Managed-identity tokens: IDENTITY_ENDPOINT (an Azure Automation account: its system-assigned
/// identity, or the user-assigned one by client_id) and instance metadata (a VM: the same choice),
/// plus /metadata/instance for subscription, resource group and VM name.
/// </summary>
public sealed partial class IdentityDouble
{
    /// <summary>
    /// GET (or POST form) IDENTITY_ENDPOINT?resource=…&amp;api-version=2019-08-01[&amp;client_id=…] with
    /// "X-IDENTITY-HEADER: $IDENTITY_HEADER" and (Automation) "Metadata: true" →
    /// {access_token, expires_on, resource, token_type, client_id}.
    /// </summary>
    private async Task<IResult> ManagedIdentityAsync(HttpContext context)
    {
        (IdentityFault? fault, IResult? answer) = Arrive(IdentityEndpoint.ManagedIdentity);
        if (answer is not null) return answer;
        HttpRequest request = context.Request;
        if (RequireIdentityHeader && !SecretEquals(request.Headers["X-IDENTITY-HEADER"].FirstOrDefault(), Facts.IdentityHeader))
            return OAuthError(401, "unauthorized_client", "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.");
        if (RequireMetadataHeader && !IsTrue(request.Headers["Metadata"].FirstOrDefault()))
            return OAuthError(400, "invalid_request", "Required metadata header not specified");

        Dictionary<string, string> fields = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (request.Method == "POST" && request.HasFormContentType)
            foreach (var (k, v) in await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false)) fields[k] = v.ToString();
        string version = fields.GetValueOrDefault("api-version") ?? "";
        if (version != "2019-08-01")
            return OAuthError(400, "invalid_request", version.Length == 0 ? "Required query variable 'api-version' is missing" : $"Unsupported api-version '{version}'; use 2019-08-01");
        string resource = fields.GetValueOrDefault("resource") ?? "";
        if (resource.Length == 0) return OAuthError(400, "invalid_request", "Required query variable 'resource' is missing");
        if (Pick(fields, Facts.AutomationIdentity) is not ManagedIdentity identity) return OAuthError(400, "invalid_request", "Identity not found");

        string token = Tokens.ManagedIdentity(identity, resource, Facts.AutomationResourceId, fault);
        return Json(new JsonObject
        {
            ["access_token"] = token,
            ["expires_on"] = ExpiresOn(token),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
            ["client_id"] = identity.ClientId,
        });
    }

    /// <summary>GET /metadata/identity/oauth2/token?api-version=2018-02-01&amp;resource=…[&amp;client_id=…] with "Metadata: true".</summary>
    private IResult ImdsToken(HttpContext context)
    {
        (IdentityFault? fault, IResult? answer) = Arrive(IdentityEndpoint.ImdsToken);
        if (answer is not null) return answer;
        HttpRequest request = context.Request;
        if (!IsTrue(request.Headers["Metadata"].FirstOrDefault())) return OAuthError(400, "invalid_request", "Required metadata header not specified");
        Dictionary<string, string> fields = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);
        if (string.IsNullOrEmpty(fields.GetValueOrDefault("api-version"))) return OAuthError(400, "invalid_request", "Required query variable 'api-version' is missing");
        string resource = fields.GetValueOrDefault("resource") ?? "";
        if (resource.Length == 0) return OAuthError(400, "invalid_request", "Required query variable 'resource' is missing");
        if (Pick(fields, Facts.VmIdentity) is not ManagedIdentity identity) return OAuthError(400, "invalid_request", "Identity not found");

        string token = Tokens.ManagedIdentity(identity, resource, Facts.VmResourceId, fault);
        long expiresOn = long.Parse(ExpiresOn(token), System.Globalization.CultureInfo.InvariantCulture);
        long now = expiresOn - (long)IdentityTokens.ManagedIdentityLifetime.TotalSeconds;
        return Json(new JsonObject
        {
            ["access_token"] = token,
            ["client_id"] = identity.ClientId,
            ["expires_in"] = Math.Max(0, expiresOn - now).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["expires_on"] = expiresOn.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ext_expires_in"] = Math.Max(0, expiresOn - now).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["not_before"] = now.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = resource,
            ["token_type"] = "Bearer",
        });
    }

    /// <summary>GET /metadata/instance[/compute]?api-version=… with "Metadata: true".</summary>
    private IResult ImdsInstance(HttpContext context, string? rest)
    {
        (IdentityFault? _, IResult? answer) = Arrive(IdentityEndpoint.ImdsInstance);
        if (answer is not null) return answer;
        if (!IsTrue(context.Request.Headers["Metadata"].FirstOrDefault())) return OAuthError(400, "invalid_request", "Required metadata header not specified");
        if (string.IsNullOrEmpty(context.Request.Query["api-version"].FirstOrDefault()))
            return Json(new JsonObject { ["error"] = "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds", ["newest-versions"] = new JsonArray("2023-07-01", "2021-02-01", "2018-02-01") }, 400);
        var compute = new JsonObject
        {
            ["azEnvironment"] = "AzurePublicCloud",
            ["location"] = Facts.Location,
            ["name"] = Facts.VmName,
            ["osType"] = "Linux",
            ["resourceGroupName"] = Facts.ResourceGroup,
            ["resourceId"] = Facts.VmResourceId,
            ["subscriptionId"] = Facts.SubscriptionId,
            ["tags"] = "",
            ["vmId"] = Facts.VmIdentity.PrincipalId,
            ["vmScaleSetName"] = "",
            ["vmSize"] = "Standard_D2s_v5",
            ["zone"] = "",
        };
        if ((rest ?? "").Trim('/') == "compute") return Json(compute);
        return Json(new JsonObject { ["compute"] = compute, ["network"] = new JsonObject { ["interface"] = new JsonArray() } });
    }

    /// <summary>The identity a request names (client_id, object_id / principal_id, msi_res_id / mi_res_id) or the system-assigned one.</summary>
    private ManagedIdentity? Pick(Dictionary<string, string> fields, ManagedIdentity systemAssigned)
    {
        ManagedIdentity user = Facts.UserAssignedIdentity;
        if (fields.GetValueOrDefault("client_id") is { Length: > 0 } clientId)
            return Same(clientId, user.ClientId) ? user : Same(clientId, systemAssigned.ClientId) ? systemAssigned : null;
        if ((fields.GetValueOrDefault("object_id") ?? fields.GetValueOrDefault("principal_id")) is { Length: > 0 } objectId)
            return Same(objectId, user.PrincipalId) ? user : Same(objectId, systemAssigned.PrincipalId) ? systemAssigned : null;
        if ((fields.GetValueOrDefault("msi_res_id") ?? fields.GetValueOrDefault("mi_res_id")) is { Length: > 0 } resourceId)
            return Same(resourceId, Facts.MiridOf(user)) ? user : null;
        return systemAssigned;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static bool IsTrue(string? value) => string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static string ExpiresOn(string token) =>
        (Vault.Auth.JwtSignature.Seconds(Vault.Auth.JwtSignature.Claims(token), "exp") ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static IResult OAuthError(int status, string error, string description) =>
        Json(new JsonObject { ["error"] = error, ["error_description"] = description }, status);
}
