using System.Globalization;
using System.Text.Json;

namespace CrdbVault.Sandbox;

/// <summary>
/// serve's <c>--faults FILE</c>: the same <see cref="Fault"/>s the tests add in-process, read from
/// JSON, so a user can try Ctrl+C, retries, timeouts and unknown outcomes by hand:
/// <code>
/// {"faults": [
///   {"method": "GET",  "path": "/v1/database/creds/app", "status": 503, "errors": ["Vault is sealed"], "times": 2},
///   {"method": "GET",  "path": "/v1/database/creds/app", "when": "after", "drop": true},
///   {"method": "POST", "path": "/api/v1/clusters/", "delay": "30s", "times": -1}
/// ]}
/// </code>
/// <c>path</c> is the request path as the client sends it, matched as a prefix: <c>/v1/…</c> for the
/// Vault double, <c>/api/…</c> for the Cloud API double. <c>method</c> (optional: any) is GET, LIST,
/// POST, PUT, PATCH or DELETE. Each fault answers <c>status</c> (with <c>errors</c> and
/// <c>retry_after</c> seconds), or <c>drop</c>s the connection, after an optional <c>delay</c>
/// (<c>"30s"</c>, <c>"500ms"</c>, <c>"2m"</c> or seconds); <c>when</c> is <c>before</c> (default: the
/// server never handles the request) or <c>after</c> (it does the work, then the client sees the
/// fault: an unknown outcome); <c>times</c> is how many matching requests it hits (default 1, -1 =
/// every one). Faults are tried in file order; the first that still has times left wins. Unknown
/// fields are errors, so a typo never silently disables a fault.
/// </summary>
public static class FaultFile
{
    private const long MaxBytes = 1 << 20;
    private const int MaxFaults = 1000;
    private static readonly HashSet<string> Fields = ["method", "path", "status", "errors", "retry_after", "drop", "delay", "when", "times"];
    private static readonly HashSet<string> Methods = ["GET", "LIST", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Reads and checks the file; throws <see cref="FormatException"/> naming the place of the first problem.</summary>
    public static IReadOnlyList<Fault> Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FormatException($"{path}: no such file.");
        if (info.Length > MaxBytes) throw new FormatException($"{path}: larger than {MaxBytes} bytes; a fault file lists a few faults.");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { MaxDepth = 8 }); }
        catch (JsonException ex) { throw new FormatException($"{path}: not JSON: {ex.Message}"); }
        using (doc) return Parse(doc.RootElement, path);
    }

    public static IReadOnlyList<Fault> Parse(JsonElement root, string source = "faults")
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("faults", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            throw new FormatException($"{source}: expected {{\"faults\": [ ... ]}}.");
        foreach (JsonProperty p in root.EnumerateObject())
            if (p.Name != "faults") throw new FormatException($"{source}: unknown field '{p.Name}' (the file has only \"faults\").");
        if (list.GetArrayLength() > MaxFaults) throw new FormatException($"{source}: more than {MaxFaults} faults.");
        var faults = new List<Fault>();
        int i = 0;
        foreach (JsonElement item in list.EnumerateArray())
        {
            faults.Add(One(item, $"{source}: faults[{i}]"));
            i++;
        }
        return faults;
    }

    private static Fault One(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new FormatException($"{at}: expected an object.");
        foreach (JsonProperty p in e.EnumerateObject())
            if (!Fields.Contains(p.Name)) throw new FormatException($"{at}: unknown field '{p.Name}' (known: {string.Join(", ", Fields)}).");

        string path = Str(e, "path", at) ?? throw new FormatException($"{at}: 'path' is required, e.g. \"/v1/database/creds/app\" or \"/api/v1/clusters/\".");
        // The Vault double matches paths after /v1/, the Cloud double whole paths.
        string prefix = path.StartsWith("/v1/", StringComparison.Ordinal) ? path[4..]
            : path.StartsWith("/api/", StringComparison.Ordinal) ? path
            : throw new FormatException($"{at}.path: '{path}' must start with /v1/ (the Vault double) or /api/ (the Cloud API double).");

        string? method = Str(e, "method", at)?.ToUpperInvariant();
        if (method is not null && !Methods.Contains(method)) throw new FormatException($"{at}.method: '{method}' is not one of {string.Join(", ", Methods)}.");

        int status = 0;
        if (e.TryGetProperty("status", out JsonElement s))
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out status) || status is < 400 or > 599)
                throw new FormatException($"{at}.status: a status from 400 to 599, e.g. 503.");
        }
        bool drop = Bool(e, "drop", at);
        if (drop && status != 0) throw new FormatException($"{at}: 'drop' and 'status' exclude each other (a dropped connection has no status).");

        TimeSpan delay = e.TryGetProperty("delay", out JsonElement d) ? Duration(d, $"{at}.delay") : TimeSpan.Zero;
        if (status == 0 && !drop && delay == TimeSpan.Zero) throw new FormatException($"{at}: does nothing; give 'status', 'drop' or 'delay'.");

        string when = Str(e, "when", at) ?? "before";
        if (when is not ("before" or "after")) throw new FormatException($"{at}.when: 'before' or 'after'.");

        int times = 1;
        if (e.TryGetProperty("times", out JsonElement t) && (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out times) || times is 0 or < -1))
            throw new FormatException($"{at}.times: a positive count, or -1 for every matching request.");

        int? retryAfter = null;
        if (e.TryGetProperty("retry_after", out JsonElement r))
        {
            if (r.ValueKind != JsonValueKind.Number || !r.TryGetInt32(out int seconds) || seconds is < 0 or > 3600)
                throw new FormatException($"{at}.retry_after: seconds from 0 to 3600.");
            if (status == 0) throw new FormatException($"{at}.retry_after: needs a 'status' (e.g. 429 or 503).");
            retryAfter = seconds;
        }

        string[] errors = [];
        if (e.TryGetProperty("errors", out JsonElement errs))
        {
            if (errs.ValueKind != JsonValueKind.Array || errs.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new FormatException($"{at}.errors: an array of strings (Vault's \"errors\").");
            errors = [.. errs.EnumerateArray().Select(x => x.GetString()!)];
        }

        return new Fault
        {
            Method = method, PathPrefix = prefix, Status = status, Errors = errors, Times = times, Delay = delay,
            AfterExecution = when == "after", Drop = drop, RetryAfterSeconds = retryAfter,
        };
    }

    private static string? Str(JsonElement e, string name, string at)
    {
        if (!e.TryGetProperty(name, out JsonElement v)) return null;
        if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())) throw new FormatException($"{at}.{name}: a non-empty string.");
        return v.GetString()!;
    }

    private static bool Bool(JsonElement e, string name, string at)
    {
        if (!e.TryGetProperty(name, out JsonElement v)) return false;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new FormatException($"{at}.{name}: true or false."),
        };
    }

    /// <summary>"30s", "500ms", "2m", or a number of seconds; at most an hour.</summary>
    private static TimeSpan Duration(JsonElement v, string at)
    {
        TimeSpan value;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double seconds)) value = TimeSpan.FromSeconds(seconds);
        else if (v.ValueKind == JsonValueKind.String && ParseUnit(v.GetString()!) is TimeSpan parsed) value = parsed;
        else throw new FormatException($"{at}: a duration such as \"30s\", \"500ms\", \"2m\" or a number of seconds.");
        if (value <= TimeSpan.Zero || value > TimeSpan.FromHours(1)) throw new FormatException($"{at}: more than zero and at most an hour.");
        return value;
    }

    private static TimeSpan? ParseUnit(string text)
    {
        foreach (var (suffix, unit) in new[] { ("ms", 0.001), ("s", 1.0), ("m", 60.0) })
        {
            if (!text.EndsWith(suffix, StringComparison.Ordinal)) continue;
            return double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? TimeSpan.FromSeconds(n * unit) : null;
        }
        return null;
    }
}
