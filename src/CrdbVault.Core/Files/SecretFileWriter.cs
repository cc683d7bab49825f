using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;

namespace CrdbVault.Core.Files;

/// <summary>
/// Writes certificate and key files the way CockroachDB and our users need them: all files of a set
/// or none (each goes to a temp file in the same folder, then is renamed into place), secret files
/// created with mode 0600 on Unix / an owner-only ACL on Windows from the first byte, no overwrite
/// unless asked, and nothing half-written left behind when anything fails.
/// </summary>
public static class SecretFileWriter
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PublicRead = OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Checks, before anything is written, that the folder exists and is writable and no file would be overwritten by accident.</summary>
    public static void CheckTargets(IReadOnlyCollection<PendingFile> files, bool overwrite)
    {
        foreach (string dir in files.Select(f => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(f.Path))!).Distinct())
        {
            if (!Directory.Exists(dir))
                throw new DirectoryNotFoundException($"Folder '{dir}' does not exist. Create it first (for a certs dir: New-Item -ItemType Directory '{dir}'), or pass another path.");
        }
        if (!overwrite)
        {
            var existing = files.Where(f => File.Exists(f.Path)).Select(f => f.Path).ToList();
            if (existing.Count > 0)
                throw new IOException($"{string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")}. Nothing was written. Pass -Force to replace, or choose another folder.");
        }
    }

    /// <summary>Writes every file of the set, or (on failure) none of them.</summary>
    public static void WriteAll(IReadOnlyCollection<PendingFile> files, bool overwrite)
    {
        CheckTargets(files, overwrite);
        var temps = new List<(PendingFile File, string Temp)>();
        var backups = new List<(string Final, string Backup)>();
        var placed = new List<string>();
        try
        {
            foreach (PendingFile f in files)
            {
                string full = System.IO.Path.GetFullPath(f.Path);
                string temp = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full)!, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
                WriteNew(temp, f.Content, f.Secret);
                temps.Add((f with { Path = full }, temp));
            }
            foreach ((PendingFile f, string temp) in temps)
            {
                if (File.Exists(f.Path))
                {
                    string backup = f.Path + $".{Guid.NewGuid():N}.bak";
                    File.Move(f.Path, backup);
                    backups.Add((f.Path, backup));
                }
                File.Move(temp, f.Path);
                placed.Add(f.Path);
            }
        }
        catch
        {
            foreach (string p in placed) TryDelete(p);
            foreach ((string final, string backup) in backups)
            {
                try { File.Move(backup, final, overwrite: true); } catch (IOException) { }
            }
            foreach ((_, string temp) in temps) TryDelete(temp);
            throw;
        }
        foreach ((_, string backup) in backups) TryDelete(backup);
    }

    /// <summary>Creates a new file with the right permissions before any byte is written, then flushes it to disk.</summary>
    private static void WriteNew(string path, byte[] content, bool secret)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = secret ? OwnerReadWrite : PublicRead;
        using (var stream = new FileStream(path, options))
        {
            if (OperatingSystem.IsWindows() && secret) RestrictToOwner(stream);
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        // The umask can only remove bits; set the mode explicitly so 0644 really is 0644.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, secret ? OwnerReadWrite : PublicRead);
    }

    [SupportedOSPlatform("windows")]
    private static void RestrictToOwner(FileStream stream)
    {
        var security = new FileSecurity();
        security.SetAccessRuleProtection(isProtected: true, preserveInheritance: false);
        SecurityIdentifier owner = WindowsIdentity.GetCurrent().User!;
        security.SetOwner(owner);
        security.AddAccessRule(new FileSystemAccessRule(owner, FileSystemRights.FullControl, AccessControlType.Allow));
        stream.SetAccessControl(security);
    }

    /// <summary>
    /// Refuses a key file that others can read (CockroachDB refuses it too: at most 0700, or 0740 when
    /// owned by root with the process's group, cockroachdb.md §3.2). Unix only; true when acceptable.
    /// </summary>
    public static bool HasSafeKeyPermissions(string path, out string problem)
    {
        problem = "";
        if (OperatingSystem.IsWindows()) return true;
        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode tooOpen = UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        bool groupRead = (mode & UnixFileMode.GroupRead) != 0;
        if ((mode & tooOpen) != 0 || groupRead)
        {
            problem = $"'{path}' has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; a private key must not be readable by group or others. Run: chmod 600 '{path}'";
            return false;
        }
        return true;
    }

    /// <summary>True when the folder can be read by users other than its owner (Unix).</summary>
    public static bool IsWorldReadable(string directory) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute)) != 0;

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
