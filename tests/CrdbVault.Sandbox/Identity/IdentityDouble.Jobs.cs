using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Identity;

/// <summary>The CI jobs' token endpoints: Azure DevOps (oidctoken) and GitHub Actions (idtoken).</summary>
public sealed partial class IdentityDouble
{
    /// <summary>
    /// POST SYSTEM_OIDCREQUESTURI?api-version=7.1[&amp;serviceConnectionId=id] with
    /// "Authorization: Bearer $(System.AccessToken)", empty body → {"oidcToken": jwt}.
    /// </summary>
    private async Task<IResult> AzureDevOpsAsync(HttpContext context)
    {
        (IdentityFault? fault, IResult? answer) = Arrive(IdentityEndpoint.AzureDevOps);
        if (answer is not null) return answer;
        HttpRequest request = context.Request;
        await request.Body.CopyToAsync(Stream.Null, context.RequestAborted).ConfigureAwait(false);
        if (!SecretEquals(Bearer(request), Facts.SystemAccessToken))
            return AzureDevOpsError(401, "TF400813: The user '' is not authorized to access this resource.", "UnauthorizedRequestException");
        if (request.Method != "POST")
            return AzureDevOpsError(405, $"The requested resource does not support http method '{request.Method}'.", "HttpMethodNotAllowedException");
        string? version = request.Query["api-version"].FirstOrDefault();
        if (string.IsNullOrEmpty(version))
            return AzureDevOpsError(400, "No api-version was supplied for the \"POST\" request. The version must be supplied either as part of the Accept header (e.g. \"application/json; api-version=1.0\") or as a query parameter (e.g. '?api-version=1.0').", "VssVersionNotSpecifiedException");
        if (!version.StartsWith("7.1", StringComparison.Ordinal))
            return AzureDevOpsError(400, $"The requested REST API version of {version} is out of range for this server.", "VssVersionOutOfRangeException");

        string? connectionId = request.Query["serviceConnectionId"].FirstOrDefault();
        if (string.IsNullOrEmpty(connectionId))
            return Json(new JsonObject { ["oidcToken"] = Tokens.AzureDevOpsPipeline(fault) });
        ServiceConnection? connection = new[] { Facts.LegacyConnection, Facts.EntraConnection }
            .FirstOrDefault(c => string.Equals(c.Id, connectionId, StringComparison.OrdinalIgnoreCase));
        if (connection is null)
            return AzureDevOpsError(404, $"Service connection {connectionId} was not found or the pipeline is not authorized to use it.", "ServiceEndpointNotFoundException");
        return Json(new JsonObject { ["oidcToken"] = Tokens.AzureDevOpsServiceConnection(connection, fault) });
    }

    private static IResult AzureDevOpsError(int status, string message, string typeKey) => Json(new JsonObject
    {
        ["$id"] = "1",
        ["innerException"] = null,
        ["message"] = message,
        ["typeName"] = $"Microsoft.VisualStudio.Services.WebApi.{typeKey}, Microsoft.VisualStudio.Services.WebApi",
        ["typeKey"] = typeKey,
        ["errorCode"] = 0,
        ["eventId"] = 3000,
    }, status);

    /// <summary>
    /// GET ACTIONS_ID_TOKEN_REQUEST_URL[&amp;audience=aud] with "Authorization: Bearer
    /// $ACTIONS_ID_TOKEN_REQUEST_TOKEN" → {"value": jwt}.
    /// </summary>
    private IResult GitHubActions(HttpContext context)
    {
        (IdentityFault? fault, IResult? answer) = Arrive(IdentityEndpoint.GitHubActions);
        if (answer is not null) return answer;
        HttpRequest request = context.Request;
        if (!SecretEquals(Bearer(request), Facts.GitHubRequestToken))
            return Json(new JsonObject { ["message"] = "Bad credentials" }, 401);
        if (request.Method != "GET") return Json(new JsonObject { ["message"] = "Method not allowed" }, 405);
        string? audience = request.Query["audience"].FirstOrDefault();
        return Json(new JsonObject { ["value"] = Tokens.GitHubActions(string.IsNullOrEmpty(audience) ? null : audience, fault) });
    }
}
