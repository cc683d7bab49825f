namespace CrdbVault.Sandbox;

/// <summary>
/// Temp directories of the sandbox carry the creating process id (owner.pid), so a run that was
/// killed hard leaves nothing for long: the next start removes directories whose owner is gone.
/// </summary>
public static class TempDirectories
{
    private const string OwnerFile = "owner.pid";

    /// <summary>Creates <c>/tmp/&lt;prefix&gt;XXXXXX</c> (owner-only), after removing stale ones of the same prefix.</summary>
    public static string Create(string prefix, Func<string, bool>? stillInUse = null)
    {
        RemoveStale(prefix, stillInUse);
        string dir = Directory.CreateTempSubdirectory(prefix).FullName;
        File.WriteAllText(Path.Combine(dir, OwnerFile), Environment.ProcessId.ToString());
        return dir;
    }

    private static void RemoveStale(string prefix, Func<string, bool>? stillInUse)
    {
        try
        {
            foreach (string dir in Directory.GetDirectories(Path.GetTempPath(), prefix + "*"))
            {
                string owner = Path.Combine(dir, OwnerFile);
                if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner).Trim(), out int pid)) continue;
                if (IsAlive(pid) || (stillInUse?.Invoke(dir) ?? false)) continue;
                Directory.Delete(dir, true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { /* best effort */ }
    }

    /// <summary>
    /// Whether a process runs: /proc when present (a zombie counts as gone: in containers nobody may
    /// reap it), else assume alive so nothing in use is ever deleted.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        if (pid <= 0) return false;
        if (!Directory.Exists("/proc")) return true;
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    public static void Delete(string dir)
    {
        try { Directory.Delete(dir, true); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
