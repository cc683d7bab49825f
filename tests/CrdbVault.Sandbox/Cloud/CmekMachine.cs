using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>Which asynchronous CMEK operation a failure is injected into.</summary>
public enum CmekOperation { Enable, Rotate, Revoke }

/// <summary>
/// CMEK state of one cluster (docs/cockroachdb-notes.md#cmek). Per region: ENABLING → ENABLED (or
/// ENABLE_FAILED), ROTATING → ENABLED (or ROTATE_FAILED, old key kept), REVOKING → REVOKED (or
/// REVOKE_FAILED), each region on its own timer. Key infos keep the history ("current and past
/// key specifications"). Transitions are applied lazily on read. Callers hold the cluster's lock.
/// </summary>
public sealed class CmekMachine
{
    private readonly List<RegionState> _regions = [];

    private sealed class RegionState(string region)
    {
        public string Region { get; } = region;
        public string Status { get; set; } = "DISABLED";
        public List<KeyRecord> Keys { get; } = [];
        public Transition? Pending { get; set; }
    }

    private sealed class KeyRecord(CmekSpec spec, string status, DateTimeOffset now)
    {
        public CmekSpec Spec { get; } = spec;
        public string Status { get; set; } = status;
        public string? UserMessage { get; set; }
        public DateTimeOffset CreatedAt { get; } = now;
        public DateTimeOffset UpdatedAt { get; set; } = now;
    }

    private sealed record Transition(DateTimeOffset DueAt, CmekOperation Operation, KeyRecord? NewKey, KeyRecord? OldKey, string? FailWith);

    /// <summary>Regions that have CMEK state (enabled, in progress or failed).</summary>
    public IReadOnlyList<string> Regions => _regions.Select(r => r.Region).ToList();

    public bool HasRegion(string region) => _regions.Any(r => r.Region == region);

    /// <summary>True when some region is ENABLING, ROTATING or REVOKING.</summary>
    public bool InProgress(DateTimeOffset now)
    {
        Advance(now);
        return _regions.Any(r => r.Pending is not null);
    }

    /// <summary>True when nothing is enabled: no regions, or all DISABLED / ENABLE_FAILED (POST may start over).</summary>
    public bool IsOff(DateTimeOffset now)
    {
        Advance(now);
        return _regions.All(r => r.Status is "DISABLED" or "ENABLE_FAILED");
    }

    public bool IsRevokedOrRevoking(DateTimeOffset now)
    {
        Advance(now);
        return _regions.Any(r => r.Status is "REVOKED" or "REVOKING");
    }

    /// <summary>Starts ENABLING in each region (POST, PUT on a cluster without CMEK, or new regions of a cluster update).</summary>
    public void Enable(IReadOnlyList<CmekSpec> specs, DateTimeOffset now, TimeSpan delay, TimeSpan stagger, Func<CmekOperation, string, string?> failure)
    {
        Advance(now);
        for (int i = 0; i < specs.Count; i++)
        {
            CmekSpec spec = specs[i];
            RegionState region = _regions.FirstOrDefault(r => r.Region == spec.Region) ?? Add(spec.Region);
            var key = new KeyRecord(spec, "ENABLING", now);
            region.Keys.Add(key);
            region.Status = "ENABLING";
            region.Pending = new Transition(now + delay + stagger * i, CmekOperation.Enable, key, null, failure(CmekOperation.Enable, spec.Region));
        }
    }

    /// <summary>PUT on an enabled cluster: the new key ROTATING next to the old ENABLED one.</summary>
    public void Rotate(IReadOnlyList<CmekSpec> specs, DateTimeOffset now, TimeSpan delay, TimeSpan stagger, Func<CmekOperation, string, string?> failure)
    {
        Advance(now);
        for (int i = 0; i < specs.Count; i++)
        {
            CmekSpec spec = specs[i];
            RegionState region = _regions.First(r => r.Region == spec.Region);
            KeyRecord? old = region.Keys.LastOrDefault(k => k.Status == "ENABLED");
            var key = new KeyRecord(spec, "ROTATING", now);
            region.Keys.Add(key);
            region.Status = "ROTATING";
            region.Pending = new Transition(now + delay + stagger * i, CmekOperation.Rotate, key, old, failure(CmekOperation.Rotate, spec.Region));
        }
    }

    /// <summary>PATCH REVOKE: every region's key in force goes REVOKING.</summary>
    public void Revoke(DateTimeOffset now, TimeSpan delay, TimeSpan stagger, Func<CmekOperation, string, string?> failure)
    {
        Advance(now);
        for (int i = 0; i < _regions.Count; i++)
        {
            RegionState region = _regions[i];
            KeyRecord? current = region.Keys.LastOrDefault(k => k.Status == "ENABLED");
            if (current is not null)
            {
                current.Status = "REVOKING";
                current.UpdatedAt = now;
            }
            region.Status = "REVOKING";
            region.Pending = new Transition(now + delay + stagger * i, CmekOperation.Revoke, current, null, failure(CmekOperation.Revoke, region.Region));
        }
    }

    /// <summary>Cluster-level status: an operation in progress wins, then a failure, then the settled state.</summary>
    public string ClusterStatus(DateTimeOffset now)
    {
        Advance(now);
        if (_regions.Count == 0) return "DISABLED";
        foreach (string s in new[] { "ENABLING", "ROTATING", "REVOKING" })
            if (_regions.Any(r => r.Status == s)) return s;
        if (_regions.FirstOrDefault(r => r.Status.EndsWith("_FAILED", StringComparison.Ordinal)) is RegionState failed) return failed.Status;
        if (_regions.All(r => r.Status == "REVOKED")) return "REVOKED";
        return _regions.All(r => r.Status == "DISABLED") ? "DISABLED" : "ENABLED";
    }

    /// <summary><c>CMEKClusterInfo</c> as JSON.</summary>
    public JsonObject ToJson(DateTimeOffset now)
    {
        string status = ClusterStatus(now);
        var regions = new JsonArray();
        foreach (RegionState r in _regions)
        {
            var keys = new JsonArray();
            foreach (KeyRecord k in r.Keys)
            {
                var key = new JsonObject
                {
                    ["spec"] = new JsonObject { ["type"] = k.Spec.Type, ["uri"] = k.Spec.Uri, ["auth_principal"] = k.Spec.AuthPrincipal },
                    ["status"] = k.Status,
                    ["created_at"] = Timestamp(k.CreatedAt),
                    ["updated_at"] = Timestamp(k.UpdatedAt),
                };
                if (k.UserMessage is not null) key["user_message"] = k.UserMessage;
                keys.Add(key);
            }
            regions.Add(new JsonObject { ["region"] = r.Region, ["status"] = r.Status, ["key_infos"] = keys });
        }
        return new JsonObject { ["status"] = status, ["region_infos"] = regions };
    }

    internal static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private RegionState Add(string region)
    {
        var state = new RegionState(region);
        _regions.Add(state);
        return state;
    }

    private void Advance(DateTimeOffset now)
    {
        foreach (RegionState region in _regions)
        {
            Transition? t = region.Pending;
            if (t is null || now < t.DueAt) continue;
            region.Pending = null;
            bool failed = t.FailWith is not null;
            (string ok, string bad) = t.Operation switch
            {
                CmekOperation.Enable => ("ENABLED", "ENABLE_FAILED"),
                CmekOperation.Rotate => ("ENABLED", "ROTATE_FAILED"),
                _ => ("REVOKED", "REVOKE_FAILED"),
            };
            region.Status = failed ? bad : ok;
            if (t.NewKey is KeyRecord key)
            {
                key.Status = failed ? bad : ok;
                key.UserMessage = t.FailWith;
                key.UpdatedAt = t.DueAt;
            }
            // A successful rotation retires the old key; a failed one leaves it in force.
            if (!failed && t.Operation == CmekOperation.Rotate && t.OldKey is KeyRecord old)
            {
                old.Status = "DISABLED";
                old.UpdatedAt = t.DueAt;
            }
        }
    }
}
