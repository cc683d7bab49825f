using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// Reads request bodies the way grpc-gateway does: JSON, unknown fields ignored, each field under
/// its proto name (<c>x509_pem_cert</c>) or its JSON name (<c>x509PemCert</c>).
/// </summary>
internal static class CloudRequestBody
{
    public static async Task<JsonElement> ReadAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0) return default;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(buffer.ToArray());
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw CloudDoubleError.Invalid("request body must be a JSON object");
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw CloudDoubleError.Invalid($"invalid JSON in request body: {ex.Message}");
        }
    }

    public static JsonElement? Field(this JsonElement obj, string snakeName)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        if (obj.TryGetProperty(snakeName, out JsonElement v) && v.ValueKind != JsonValueKind.Null) return v;
        string camel = string.Concat(snakeName.Split('_').Select((p, i) => i == 0 || p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p[1..]));
        return obj.TryGetProperty(camel, out v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public static string? String(this JsonElement obj, string snakeName) =>
        obj.Field(snakeName) is JsonElement v ? v.ValueKind == JsonValueKind.String ? v.GetString() : throw CloudDoubleError.Invalid($"{snakeName} must be a string") : null;

    /// <summary><c>[CMEKRegionSpecification]</c> from the given field.</summary>
    public static List<CmekSpec> CmekSpecs(this JsonElement obj, string snakeName)
    {
        var specs = new List<CmekSpec>();
        if (obj.Field(snakeName) is not JsonElement array) return specs;
        if (array.ValueKind != JsonValueKind.Array) throw CloudDoubleError.Invalid($"{snakeName} must be an array");
        foreach (JsonElement item in array.EnumerateArray())
        {
            JsonElement key = item.Field("key_spec") ?? default;
            specs.Add(new CmekSpec(item.String("region") ?? "", key.String("type") ?? "", key.String("uri") ?? "", key.String("auth_principal") ?? ""));
        }
        return specs;
    }
}
