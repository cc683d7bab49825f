using System.Text.Json;

namespace CrdbVault.Core.Vault;

/// <summary>The <c>auth</c> block of a login or token renewal.</summary>
public sealed class VaultAuthInfo
{
    internal VaultAuthInfo(string? clientToken, string? accessor, IReadOnlyList<string> policies, TimeSpan leaseDuration, bool renewable, string? entityId)
    {
        ClientTokenValue = clientToken;
        Accessor = accessor;
        Policies = policies;
        LeaseDuration = leaseDuration;
        Renewable = renewable;
        EntityId = entityId;
    }

    /// <summary>The issued token. Internal: it never leaves Core as a plain property.</summary>
    internal string? ClientTokenValue { get; }
    public string? Accessor { get; }
    public IReadOnlyList<string> Policies { get; }
    public TimeSpan LeaseDuration { get; }
    public bool Renewable { get; }
    public string? EntityId { get; }

    public override string ToString() => $"auth accessor={Accessor} ttl={LeaseDuration}";
}

/// <summary>
/// One Vault answer, parsed tolerantly (docs/vault-notes.md#answers): the usual envelope, or a raw top-level
/// object (sys/health, tune reads, the documented lease lookup) which then becomes <see cref="Data"/>.
/// </summary>
public sealed class VaultResponse
{
    private static readonly string[] EnvelopeKeys =
        ["request_id", "lease_id", "lease_duration", "renewable", "data", "warnings", "auth", "wrap_info", "mount_type"];

    public string? RequestId { get; private init; }
    public string? LeaseId { get; private init; }
    public TimeSpan LeaseDuration { get; private init; }
    public bool Renewable { get; private init; }

    /// <summary>The engine payload (an object), or an Undefined element when there is none.</summary>
    public JsonElement Data { get; private init; }
    public IReadOnlyList<string> Warnings { get; private init; } = [];
    public VaultAuthInfo? Auth { get; private init; }

    /// <summary>The whole body, for endpoints whose documented and real shapes differ (sys/leases/lookup).</summary>
    public JsonElement Raw { get; private init; }

    /// <summary>
    /// <see cref="Data"/> as the endpoint's record (read with <see cref="VaultJson"/>'s tolerance), or
    /// null when the answer has no data object.
    /// </summary>
    internal T? DataAs<T>() where T : class => VaultJson.Read<T>(Data);

    /// <summary>Answers nest a few levels; the depth cap (InputBudgets.AnswerDepth) stops a hostile one early.</summary>
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Validation.InputBudgets.AnswerDepth };

    /// <summary>Parses a response body; an empty body (204) yields an empty response. Throws JsonException for a body that is not JSON.</summary>
    public static VaultResponse Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body.Trim((byte)' ').IsEmpty) return new VaultResponse();
        // One parse into an element that owns its memory (no pooled document to copy out of).
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = DocumentOptions.MaxDepth });
        JsonElement root = JsonElement.ParseValue(ref reader);
        if (reader.Read()) throw new JsonException("more than one JSON value"); // Read throws first on most trailing text
        return FromElement(root);
    }

    internal static VaultResponse FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return new VaultResponse { Data = root, Raw = root };
        bool isEnvelope = false;
        foreach (string key in EnvelopeKeys)
        {
            if (root.TryGetProperty(key, out _)) { isEnvelope = true; break; }
        }
        if (!isEnvelope)
        {
            // Raw top-level object (like the Go client's ParseSecret fallback).
            return new VaultResponse { Data = root, Raw = root };
        }
        return new VaultResponse
        {
            Raw = root,
            RequestId = Str(root, "request_id"),
            LeaseId = NullIfEmpty(Str(root, "lease_id")),
            LeaseDuration = root.TryGetProperty("lease_duration", out JsonElement ld) ? VaultDuration.FromJson(ld) : TimeSpan.Zero,
            Renewable = root.TryGetProperty("renewable", out JsonElement r) && r.ValueKind == JsonValueKind.True,
            Data = root.TryGetProperty("data", out JsonElement d) && d.ValueKind == JsonValueKind.Object ? d : default,
            Warnings = ReadWarnings(root),
            Auth = root.TryGetProperty("auth", out JsonElement a) && a.ValueKind == JsonValueKind.Object ? ReadAuth(a) : null,
        };
    }

    /// <summary>Reads <c>errors</c> from an error body; tolerant of junk.</summary>
    public static IReadOnlyList<string> ParseErrors(ReadOnlySpan<byte> body)
    {
        try
        {
            if (body.IsEmpty) return [];
            using JsonDocument doc = JsonDocument.Parse(body.ToArray(), DocumentOptions);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("errors", out JsonElement e))
                return StringList(e);
        }
        catch (JsonException)
        {
            // Proxies answer HTML; the status code then speaks for itself.
        }
        return [];
    }

    /// <summary>A list that Vault may send as an array, a single string, or a comma-separated string.</summary>
    public static IReadOnlyList<string> StringList(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).Where(s => s.Length > 0)
            .ToArray(),
        JsonValueKind.String => string.IsNullOrEmpty(e.GetString()) ? [] : e.GetString()!.Split(',',
            StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        _ => [],
    };

    private static IReadOnlyList<string> ReadWarnings(JsonElement root) =>
        root.TryGetProperty("warnings", out JsonElement w) ? w.ValueKind switch
        {
            // PKI samples send warnings as "" (a string): tolerate it.
            // Warnings are shown as they are (WriteWarning): no control characters from the server.
            JsonValueKind.String => string.IsNullOrEmpty(w.GetString()) ? [] : [Validation.ServerText.Printable(w.GetString()!)],
            JsonValueKind.Array => StringList(w).Select(Validation.ServerText.Printable).ToArray(),
            _ => [],
        } : [];

    private static VaultAuthInfo ReadAuth(JsonElement a)
    {
        var policies = new List<string>();
        foreach (string key in new[] { "policies", "token_policies", "identity_policies" })
        {
            if (a.TryGetProperty(key, out JsonElement p))
                foreach (string s in StringList(p))
                    if (!policies.Contains(s)) policies.Add(s);
        }
        return new VaultAuthInfo(
            Str(a, "client_token"),
            Str(a, "accessor"),
            policies,
            a.TryGetProperty("lease_duration", out JsonElement ld) ? VaultDuration.FromJson(ld) : TimeSpan.Zero,
            a.TryGetProperty("renewable", out JsonElement r) && r.ValueKind == JsonValueKind.True,
            Str(a, "entity_id"));
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    public override string ToString() => $"VaultResponse request_id={RequestId} lease_id={LeaseId}";
}
