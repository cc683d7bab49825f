using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault;

/// <summary>One authenticated, authorised request as an engine sees it.</summary>
/// <param name="Method">GET, LIST, POST, PUT or DELETE (LIST also arrives as GET ?list=true and is normalised).</param>
/// <param name="Path">Path relative to the engine's mount, no leading or trailing slash (e.g. "creds/app").</param>
/// <param name="Body">The JSON body (an empty object when none).</param>
/// <param name="Query">Query-string values.</param>
/// <param name="Token">The caller's token (null only for unauthenticated paths such as logins).</param>
/// <param name="Mount">The mount the request was routed to.</param>
public sealed record VaultRequest(
    string Method,
    string Path,
    JsonObject Body,
    IReadOnlyDictionary<string, string> Query,
    VaultToken? Token,
    VaultMount Mount,
    CancellationToken Cancellation)
{
    public bool IsRead => Method is "GET";
    public bool IsList => Method is "LIST";
    public bool IsWrite => Method is "POST" or "PUT";
    public bool IsDelete => Method is "DELETE";

    /// <summary>A body string value or null.</summary>
    public string? Str(string name) => Body[name] is JsonValue v && v.TryGetValue(out string? s) ? s : Body[name]?.ToString();
}
