using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Sys;

/// <summary>
/// The "sys" mount: health, mounts, auth methods, policies, leases. One partial file per area.
/// </summary>
public sealed partial class SysEngine(VaultCore core) : IVaultEngine, IUnauthenticatedPaths
{
    public const string Version = "1.17.0";

    public string Type => "system";

    public bool IsUnauthenticated(string method, string path) => path is "health" or "seal-status" or "leader" or "init";

    public Task<VaultReply> HandleAsync(VaultRequest request)
    {
        string path = request.Path;
        string first = path.Split('/')[0];
        return first switch
        {
            "health" when path == "health" => Task.FromResult(Health(request)),
            "seal-status" when path == "seal-status" => Task.FromResult(SealStatus()),
            "mounts" => Mounts(request, Rest(path, "mounts")),
            "auth" => Auth(request, Rest(path, "auth")),
            "policies" when path.StartsWith("policies/acl", StringComparison.Ordinal) => Task.FromResult(PoliciesAcl(request, Rest(path, "policies/acl"))),
            "policy" => Task.FromResult(PolicyLegacy(request, Rest(path, "policy"))),
            "leases" => Leases(request, Rest(path, "leases")),
            "renew" or "revoke" or "revoke-prefix" or "revoke-force" => Leases(request, path), // pre-0.8 aliases
            "capabilities-self" when path == "capabilities-self" => Task.FromResult(CapabilitiesSelf(request)),
            _ => Task.FromResult(VaultReply.UnsupportedPath()),
        };
    }

    /// <summary>The part of <paramref name="path"/> after <paramref name="head"/> ("" when nothing follows).</summary>
    private static string Rest(string path, string head) => path.Length <= head.Length ? "" : path[head.Length..].Trim('/');

    private VaultReply Health(VaultRequest request)
    {
        var body = new JsonObject
        {
            ["initialized"] = true,
            ["sealed"] = false,
            ["standby"] = false,
            ["performance_standby"] = false,
            ["replication_performance_mode"] = "disabled",
            ["replication_dr_mode"] = "disabled",
            ["server_time_utc"] = core.Clock.GetUtcNow().ToUnixTimeSeconds(),
            ["version"] = Version,
            ["enterprise"] = false,
            ["cluster_name"] = core.ClusterName,
            ["cluster_id"] = core.ClusterId,
            ["echo_duration_ms"] = 0,
            ["clock_skew_ms"] = 0,
            ["replication_primary_canary_age_ms"] = 0,
        };
        // An active, unsealed node answers "activecode" (default 200).
        int status = request.Query.TryGetValue("activecode", out string? code) && int.TryParse(code, out int c) ? c : 200;
        return VaultReply.Raw(body, status);
    }

    private VaultReply SealStatus() => VaultReply.Raw(new JsonObject
    {
        ["type"] = "shamir",
        ["initialized"] = true,
        ["sealed"] = false,
        ["t"] = 1,
        ["n"] = 1,
        ["progress"] = 0,
        ["nonce"] = "",
        ["version"] = Version,
        ["build_date"] = "2024-06-10T10:11:34Z",
        ["migration"] = false,
        ["cluster_name"] = core.ClusterName,
        ["cluster_id"] = core.ClusterId,
        ["recovery_seal"] = false,
        ["storage_type"] = "inmem",
    });

    private VaultReply CapabilitiesSelf(VaultRequest request)
    {
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        List<string> paths = BodyReader.List(request.Body, "paths");
        if (paths.Count == 0 && BodyReader.String(request.Body, "path") is string p) paths.Add(p);
        var acl = core.Policies.AclFor(request.Token?.Policies ?? []);
        var data = new JsonObject();
        var all = new List<string>();
        foreach (string path in paths)
        {
            var caps = acl.CapabilitiesOn(path.Trim('/'));
            data[path] = new JsonArray([.. caps.Select(c => (JsonNode?)c)]);
            all.AddRange(caps);
        }
        data["capabilities"] = new JsonArray([.. all.Distinct().Order().Select(c => (JsonNode?)c)]);
        return VaultReply.Ok(data);
    }
}
