using System.Collections.Concurrent;

namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// Every mount of the double (secrets engines, "sys", and auth methods under "auth/"), routed by
/// longest prefix so nested mounts such as "team/database" work.
/// </summary>
public sealed class MountTable
{
    private readonly ConcurrentDictionary<string, VaultMount> _mounts = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public IReadOnlyList<VaultMount> All => [.. _mounts.Values.OrderBy(m => m.Path, StringComparer.Ordinal)];

    public VaultMount? Get(string path) => _mounts.TryGetValue(path.Trim('/'), out VaultMount? m) ? m : null;

    /// <summary>The mount owning <paramref name="path"/> and the path relative to it.</summary>
    public VaultMount? Route(string path, out string relative)
    {
        path = path.Trim('/');
        VaultMount? best = null;
        foreach (VaultMount m in _mounts.Values)
        {
            if (path == m.Path || path.StartsWith(m.Path + "/", StringComparison.Ordinal))
                if (best is null || m.Path.Length > best.Path.Length) best = m;
        }
        relative = best is null ? path : path[best.Path.Length..].Trim('/');
        return best;
    }

    /// <summary>Adds a mount unless it overlaps another; returns the conflicting mount path or null.</summary>
    public string? TryAdd(VaultMount mount)
    {
        lock (_gate)
        {
            foreach (string existing in _mounts.Keys)
            {
                if (existing == mount.Path
                    || mount.Path.StartsWith(existing + "/", StringComparison.Ordinal)
                    || existing.StartsWith(mount.Path + "/", StringComparison.Ordinal))
                    return existing;
            }
            _mounts[mount.Path] = mount;
            return null;
        }
    }

    public VaultMount? Remove(string path) => _mounts.TryRemove(path.Trim('/'), out VaultMount? m) ? m : null;
}
