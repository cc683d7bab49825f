using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault;

/// <summary>What an engine answers; the server turns it into Vault's JSON envelope.</summary>
public sealed class VaultReply
{
    public int Status { get; init; } = 200;
    public JsonNode? Data { get; init; }
    public string? LeaseId { get; init; }
    public TimeSpan LeaseDuration { get; init; }
    public bool Renewable { get; init; }
    public List<string> Warnings { get; init; } = [];
    public JsonObject? Auth { get; init; }
    public List<string> Errors { get; init; } = [];

    /// <summary>A raw top-level body instead of the envelope (sys/health, tune reads).</summary>
    public JsonNode? RawBody { get; init; }

    /// <summary>Also copy <see cref="Data"/>'s fields to the top level (sys/mounts, sys/auth, sys/policy do this).</summary>
    public bool DataAlsoTopLevel { get; init; }

    public static VaultReply Ok(JsonNode? data) => new() { Data = data };
    public static VaultReply NoContent() => new() { Status = 204 };
    public static VaultReply Raw(JsonNode body, int status = 200) => new() { Status = status, RawBody = body };
    public static VaultReply Error(int status, params string[] errors) => new() { Status = status, Errors = [.. errors] };
    public static VaultReply BadRequest(params string[] errors) => Error(400, errors);

    /// <summary>404 with empty errors: what Vault answers for a missing item or an empty LIST.</summary>
    public static VaultReply NotFound() => new() { Status = 404 };
    public static VaultReply UnsupportedPath() => Error(404, "unsupported path");
    public static VaultReply UnsupportedOperation() => Error(405, "unsupported operation");

    public static VaultReply Keys(IEnumerable<string> keys)
    {
        var array = new JsonArray();
        foreach (string k in keys) array.Add(k);
        return array.Count == 0 ? NotFound() : Ok(new JsonObject { ["keys"] = array });
    }

    /// <summary>A body that is not JSON (pki/ca/pem, pki/ca, pki/crl): its bytes and Content-Type.</summary>
    public byte[]? RawBytes { get; init; }
    public string? RawContentType { get; init; }

    public static VaultReply RawContent(byte[] bytes, string contentType) => new() { RawBytes = bytes, RawContentType = contentType };
}
