using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault;

/// <summary>Turns a <see cref="VaultReply"/> into the HTTP answer Vault would give.</summary>
public static class VaultEnvelope
{
    /// <summary>Escape only what JSON requires (Go's encoder writes quotes as \" and keeps '+', '<', '&amp;').</summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The status and body (null = no body) for a reply.</summary>
    public static (int Status, string? Body) Render(VaultReply reply, VaultMount? mount)
    {
        if (reply.Status >= 400)
        {
            var errors = new JsonArray([.. reply.Errors.Select(e => (JsonNode?)e)]);
            return (reply.Status, new JsonObject { ["errors"] = errors }.ToJsonString(Json));
        }
        if (reply.RawBody is not null) return (reply.Status, reply.RawBody.ToJsonString(Json));
        // A "204" endpoint with warnings answers 200 with an envelope (Vault does the same).
        if (reply.Status == 204 && reply.Warnings.Count == 0) return (204, null);

        var envelope = new JsonObject
        {
            ["request_id"] = VaultIds.NewUuid(),
            ["lease_id"] = reply.LeaseId ?? "",
            ["renewable"] = reply.Renewable,
            ["lease_duration"] = VaultDurations.Seconds(reply.LeaseDuration),
            ["data"] = reply.Data?.DeepClone(),
            ["wrap_info"] = null,
            ["warnings"] = reply.Warnings.Count == 0 ? null : new JsonArray([.. reply.Warnings.Select(w => (JsonNode?)w)]),
            ["auth"] = reply.Auth?.DeepClone(),
        };
        if (mount is not null) envelope["mount_type"] = mount.Type;
        // Some endpoints (sys/mounts, sys/auth, sys/policy) repeat data at the top level.
        if (reply.Data is JsonObject data && reply is { DataAlsoTopLevel: true })
            foreach (var (k, v) in data)
                if (!envelope.ContainsKey(k)) envelope[k] = v?.DeepClone();
        return (reply.Status == 204 ? 200 : reply.Status, envelope.ToJsonString(Json));
    }
}
