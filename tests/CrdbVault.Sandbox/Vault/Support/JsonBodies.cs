using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Support;

/// <summary>Request bodies built from anonymous objects (setup code and tests).</summary>
public static class JsonBodies
{
    /// <summary><paramref name="a"/>'s fields, then <paramref name="b"/>'s over them.</summary>
    public static JsonObject Merge(object a, object b)
    {
        var merged = (JsonObject)JsonSerializer.SerializeToNode(a)!;
        foreach (var (k, v) in (JsonObject)JsonSerializer.SerializeToNode(b)!) merged[k] = v?.DeepClone();
        return merged;
    }
}
