using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// The double's endpoints: cluster GET/PATCH, client-ca-cert GET/POST/PATCH/DELETE and cmek
/// GET/POST/PUT/PATCH. Each validates like the Cloud would, then moves the cluster's machines.
/// </summary>
internal sealed class CloudDoubleEndpoints(CloudApiDouble owner, CloudDoubleOptions options)
{
    private TimeSpan CmekDelay => options.CmekTransitionDelay ?? options.TransitionDelay;

    public async Task<JsonNode> HandleAsync(HttpContext context, SimulatedCluster cluster, string resource, bool mayWrite)
    {
        string method = context.Request.Method.ToUpperInvariant();
        bool isRead = method == "GET";
        if (!isRead || resource.Length > 0)
        {
            // cmek and client-ca-cert need CLUSTER_ADMIN / CLUSTER_OPERATOR_WRITER even to read (spec roles).
            if (!mayWrite)
                throw new CloudDoubleError(403, GrpcStatus.PermissionDenied, "the service account does not have the required role (CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER) for this operation");
        }
        JsonElement body = isRead || method == "DELETE" ? default : await CloudRequestBody.ReadAsync(context);
        DateTimeOffset now = options.Clock.GetUtcNow();
        lock (cluster.Gate)
        {
            if (!isRead && cluster.IsLocked(now))
                throw new CloudDoubleError(503, GrpcStatus.Unavailable, "cluster is locked by another operation; retry once its state is CREATED");
            return (resource, method) switch
            {
                ("", "GET") => cluster.ToJson(now),
                ("", "PATCH") => UpdateCluster(cluster, body, now),
                ("client-ca-cert", _) => ClientCa(cluster, method, body, now),
                ("cmek", _) => Cmek(cluster, method, body, now),
                _ => throw new CloudDoubleError(405, GrpcStatus.Unimplemented, "Method Not Allowed"),
            };
        }
    }

    private JsonNode ClientCa(SimulatedCluster cluster, string method, JsonElement body, DateTimeOffset now)
    {
        if (method != "GET" && cluster.Plan != "ADVANCED")
            throw CloudDoubleError.Precondition("client CA cert management is only available for Advanced (dedicated) clusters");
        string? failWith = method == "GET" ? null : owner.TakeClientCaFailure(cluster.Id);
        switch (method)
        {
            case "GET":
                break;
            case "POST":
                string? pem = body.String("x509_pem_cert");
                ClientCaPemRules.Check(pem);
                cluster.ClientCa.Set(pem!, now, options.TransitionDelay, failWith);
                break;
            case "PATCH":
                string? replacement = body.String("x509_pem_cert");
                ClientCaPemRules.Check(replacement);
                cluster.ClientCa.Update(replacement!, now, options.TransitionDelay, failWith);
                break;
            case "DELETE":
                cluster.ClientCa.Delete(now, options.TransitionDelay, failWith);
                break;
            default:
                throw new CloudDoubleError(405, GrpcStatus.Unimplemented, "Method Not Allowed");
        }
        (string status, string shown) = cluster.ClientCa.Read(now);
        return new JsonObject { ["status"] = status, ["x509_pem_cert"] = shown };
    }

    private JsonNode Cmek(SimulatedCluster cluster, string method, JsonElement body, DateTimeOffset now)
    {
        // Never-CMEK cluster: the docs do not say (docs/cockroachdb-notes.md#cmek). We answer 404 because
        // Terraform, written against the real API, handles exactly that on GET /cmek ("CMEK spec not
        // found"); the spec's "DISABLED (default for new clusters)" is the other reading, and the
        // Core client maps both to the same result.
        if (method == "GET")
            return cluster.Cmek?.ToJson(now) ?? throw CloudDoubleError.NotFound($"CMEK is not configured for cluster {cluster.Id}");
        if (cluster.Plan != "ADVANCED")
            throw CloudDoubleError.Precondition("CMEK is only available for Advanced clusters with advanced security features");
        CmekMachine? cmek = cluster.Cmek;
        switch (method)
        {
            case "POST":
            {
                List<CmekSpec> specs = CheckedSpecs(cluster, body, "region_specs", requireEveryRegion: true);
                if (cmek is not null && !cmek.IsOff(now))
                    throw CloudDoubleError.Exists("CMEK is already enabled for this cluster; use PUT to update (rotate) the key specification");
                cluster.Cmek = cmek ??= new CmekMachine();
                cmek.Enable(specs, now, CmekDelay, options.CmekRegionStagger, (op, region) => owner.TakeCmekFailure(cluster.Id, op, region));
                break;
            }
            case "PUT":
            {
                // "Enable or update the CMEK spec": on a cluster without CMEK a PUT enables it.
                bool enabling = cmek is null || cmek.IsOff(now);
                List<CmekSpec> specs = CheckedSpecs(cluster, body, "region_specs", requireEveryRegion: enabling);
                if (enabling)
                {
                    cluster.Cmek = cmek ??= new CmekMachine();
                    cmek.Enable(specs, now, CmekDelay, options.CmekRegionStagger, (op, region) => owner.TakeCmekFailure(cluster.Id, op, region));
                    break;
                }
                if (cmek!.IsRevokedOrRevoking(now))
                    throw CloudDoubleError.Precondition("CMEK access has been revoked for this cluster; contact Cockroach Labs support to re-enable it");
                if (cmek.InProgress(now))
                    throw CloudDoubleError.Precondition($"a CMEK operation is already in progress ({cmek.ClusterStatus(now)}); wait for it to finish");
                if (specs.FirstOrDefault(s => !cmek.HasRegion(s.Region)) is CmekSpec fresh)
                    throw CloudDoubleError.Precondition($"region {fresh.Region} has no CMEK key yet; add new regions with cmek_region_specs in a cluster update");
                cmek.Rotate(specs, now, CmekDelay, options.CmekRegionStagger, (op, region) => owner.TakeCmekFailure(cluster.Id, op, region));
                break;
            }
            case "PATCH":
            {
                string action = body.String("action") ?? "";
                if (action != "REVOKE")
                    throw CloudDoubleError.Invalid($"invalid action '{action}'; the only supported action is REVOKE");
                if (cmek is null || cmek.IsOff(now))
                    throw CloudDoubleError.Precondition("CMEK is not enabled for this cluster");
                if (cmek.IsRevokedOrRevoking(now))
                    break; // revoking what is revoked changes nothing
                if (cmek.InProgress(now))
                    throw CloudDoubleError.Precondition($"a CMEK operation is already in progress ({cmek.ClusterStatus(now)}); wait for it to finish");
                cmek.Revoke(now, CmekDelay, options.CmekRegionStagger, (op, region) => owner.TakeCmekFailure(cluster.Id, op, region));
                break;
            }
            default:
                throw new CloudDoubleError(405, GrpcStatus.Unimplemented, "Method Not Allowed");
        }
        return cluster.Cmek!.ToJson(now);
    }

    /// <summary>
    /// PATCH cluster with <c>dedicated.region_nodes</c> (all regions) and
    /// <c>dedicated.cmek_region_specs</c> (new regions only; required for them when CMEK is on).
    /// </summary>
    private JsonNode UpdateCluster(SimulatedCluster cluster, JsonElement body, DateTimeOffset now)
    {
        if (body.Field("dedicated") is not JsonElement dedicated || dedicated.Field("region_nodes") is not JsonElement nodesJson)
            throw CloudDoubleError.Invalid("this test double supports only dedicated.region_nodes (with optional dedicated.cmek_region_specs) in a cluster update");
        if (cluster.Plan != "ADVANCED")
            throw CloudDoubleError.Precondition("region changes are only available for Advanced clusters");
        if (cluster.Cmek?.InProgress(now) == true)
            throw new CloudDoubleError(503, GrpcStatus.Unavailable, "a CMEK operation is running on this cluster; retry once it has finished");
        if (nodesJson.ValueKind != JsonValueKind.Object)
            throw CloudDoubleError.Invalid("dedicated.region_nodes must be an object of region name to node count");
        var regionNodes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty p in nodesJson.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int n) || n < 1)
                throw CloudDoubleError.Invalid($"region {p.Name}: node count must be a positive integer");
            regionNodes[p.Name] = n;
        }
        if (regionNodes.Count == 0)
            throw CloudDoubleError.Invalid("dedicated.region_nodes must list at least one region");

        List<string> added = regionNodes.Keys.Where(r => !cluster.HasRegion(r)).ToList();
        List<CmekSpec> specs = dedicated.CmekSpecs("cmek_region_specs");
        foreach (CmekSpec spec in specs)
        {
            if (cluster.HasRegion(spec.Region))
                throw CloudDoubleError.Invalid($"a CMEK spec was provided for existing region {spec.Region}; cmek_region_specs may only contain newly added regions");
            if (!added.Contains(spec.Region))
                throw CloudDoubleError.Invalid($"cmek_region_specs names region {spec.Region}, which is not in region_nodes");
            CmekKeyRules.Check(spec, cluster.CloudProvider);
        }
        bool cmekOn = cluster.Cmek is CmekMachine m && !m.IsOff(now);
        if (cmekOn && added.FirstOrDefault(r => specs.All(s => s.Region != r)) is string missing)
            throw CloudDoubleError.Precondition($"CMEK is enabled for this cluster; cmek_region_specs must include a spec for new region {missing}");
        if (!cmekOn && specs.Count > 0)
            throw CloudDoubleError.Precondition("CMEK is not enabled for this cluster; enable it before passing cmek_region_specs");

        cluster.ApplyRegions(regionNodes, now, options.TransitionDelay);
        if (specs.Count > 0)
            cluster.Cmek!.Enable(specs, now, options.TransitionDelay + CmekDelay, options.CmekRegionStagger, (op, region) => owner.TakeCmekFailure(cluster.Id, op, region));
        return cluster.ToJson(now);
    }

    /// <summary>region_specs checked against the cluster: known regions, once each, keys of the cluster's cloud.</summary>
    private static List<CmekSpec> CheckedSpecs(SimulatedCluster cluster, JsonElement body, string field, bool requireEveryRegion)
    {
        List<CmekSpec> specs = body.CmekSpecs(field);
        if (specs.Count == 0)
            throw CloudDoubleError.Invalid($"{field} is required and must not be empty");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (CmekSpec spec in specs)
        {
            if (!cluster.HasRegion(spec.Region))
                throw CloudDoubleError.Invalid($"region {(spec.Region.Length == 0 ? "(empty)" : spec.Region)} is not a region of cluster {cluster.Id} ({string.Join(", ", cluster.Regions.Select(r => r.Name))})");
            if (!seen.Add(spec.Region))
                throw CloudDoubleError.Invalid($"region {spec.Region} appears more than once in {field}");
            CmekKeyRules.Check(spec, cluster.CloudProvider);
        }
        // Docs: "you must include a region_spec for each region in the cluster" when enabling.
        string? missing = cluster.Regions.Select(r => r.Name).FirstOrDefault(n => !seen.Contains(n));
        if (requireEveryRegion && missing is not null)
            throw CloudDoubleError.Invalid($"a region_spec is required for each region in the cluster; missing: {missing}");
        return specs;
    }
}
