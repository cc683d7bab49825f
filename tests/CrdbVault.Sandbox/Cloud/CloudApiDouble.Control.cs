using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// The sandbox's own control endpoints, for tests that reach the double only over HTTP (the Pester
/// suite talks to a `serve` process): they do what in-process tests do with <see cref="AddCluster(string, string, string, string, string[])"/>
/// and the FailNext* methods. Not part of the Cloud API: they live under /sandbox/, outside /api/,
/// and need the admin key like everything else.
/// <list type="bullet">
/// <item><c>POST /sandbox/clusters</c> <c>{"name", "cloud_provider", "plan", "regions": ["us-east-1", ...]}</c>
/// → the new cluster as <c>GET /api/v1/clusters/{id}</c> shows it (a fresh id).</item>
/// <item><c>POST /sandbox/failures</c> <c>{"cluster_id", "kind": "client-ca" | "cmek", "operation": "Enable" | "Rotate" | "Revoke", "region", "message"}</c>
/// → 204; the next such change on that cluster ends FAILED / *_FAILED with the message.</item>
/// </list>
/// </summary>
public sealed partial class CloudApiDouble
{
    private const string ControlPrefix = "/sandbox/";

    /// <summary>True when the request was for a control endpoint (answered here).</summary>
    private async Task<bool> TryAnswerControlAsync(HttpContext context, string method, string path, CloudKeyRole role)
    {
        if (!path.StartsWith(ControlPrefix, StringComparison.Ordinal)) return false;
        try
        {
            if (role != CloudKeyRole.ClusterAdmin)
                throw new CloudDoubleError(403, GrpcStatus.PermissionDenied, "the sandbox's control endpoints need the admin key");
            if (method != "POST")
                throw new CloudDoubleError(405, GrpcStatus.Unimplemented, "Method Not Allowed");
            JsonElement body = await CloudRequestBody.ReadAsync(context);
            switch (path.TrimEnd('/'))
            {
                case "/sandbox/clusters":
                    SimulatedCluster cluster = AddControlCluster(body);
                    context.Response.StatusCode = 200;
                    context.Response.ContentType = "application/json";
                    JsonNode json;
                    lock (cluster.Gate) json = cluster.ToJson(_options.Clock.GetUtcNow());
                    await context.Response.WriteAsync(json.ToJsonString());
                    return true;
                case "/sandbox/failures":
                    AddControlFailure(body);
                    context.Response.StatusCode = 204;
                    return true;
                default:
                    throw CloudDoubleError.NotFound("no such sandbox control endpoint");
            }
        }
        catch (CloudDoubleError e)
        {
            await CloudDoubleError.WriteAsync(context, e.HttpStatus, e.Code, e.Message);
            return true;
        }
    }

    private SimulatedCluster AddControlCluster(JsonElement body)
    {
        string name = body.String("name") ?? "sandbox-cluster";
        string provider = body.String("cloud_provider") ?? "AWS";
        string plan = body.String("plan") ?? "ADVANCED";
        if (provider is not ("AWS" or "GCP" or "AZURE")) throw CloudDoubleError.Invalid("cloud_provider must be AWS, GCP or AZURE");
        if (plan is not ("ADVANCED" or "STANDARD" or "BASIC")) throw CloudDoubleError.Invalid("plan must be ADVANCED, STANDARD or BASIC");
        var regions = new List<string>();
        if (body.Field("regions") is JsonElement list)
        {
            if (list.ValueKind != JsonValueKind.Array) throw CloudDoubleError.Invalid("regions must be an array of region names");
            foreach (JsonElement r in list.EnumerateArray())
            {
                if (r.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(r.GetString()) || r.GetString()!.Length > 64)
                    throw CloudDoubleError.Invalid("each region must be a non-empty name");
                regions.Add(r.GetString()!);
            }
        }
        if (regions.Count == 0) throw CloudDoubleError.Invalid("regions must name at least one region");
        if (regions.Count > 16) throw CloudDoubleError.Invalid("at most 16 regions");
        return AddCluster(Guid.NewGuid().ToString(), name, provider, plan, regions.ToArray());
    }

    private void AddControlFailure(JsonElement body)
    {
        string clusterId = body.String("cluster_id") ?? throw CloudDoubleError.Invalid("cluster_id is required");
        if (FindCluster(clusterId) is null) throw CloudDoubleError.NotFound($"cluster {clusterId} not found");
        string message = body.String("message") ?? "injected failure";
        switch (body.String("kind"))
        {
            case "client-ca":
                FailNextClientCaChange(clusterId, message);
                break;
            case "cmek":
                if (!Enum.TryParse(body.String("operation"), ignoreCase: false, out CmekOperation operation) || !Enum.IsDefined(operation))
                    throw CloudDoubleError.Invalid("operation must be Enable, Rotate or Revoke");
                string region = body.String("region") ?? throw CloudDoubleError.Invalid("region is required for a cmek failure");
                FailNextCmek(operation, region, message, clusterId);
                break;
            default:
                throw CloudDoubleError.Invalid("kind must be client-ca or cmek");
        }
    }
}
