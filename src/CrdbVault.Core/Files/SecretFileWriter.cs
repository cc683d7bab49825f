using System.Runtime.Versioning;
using System.Security.AccessControl;
using System.Security.Principal;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Files;

/// <summary>A step of <see cref="SecretFileWriter.WriteAll"/>, for the fault hook (<see cref="Settings.InternalHooks.AfterFileStep"/>).</summary>
internal enum WriteStepKind
{
    /// <summary>A temporary file holds the new content, flushed to disk; nothing is replaced yet.</summary>
    TempWritten,
    /// <summary>The temporary file was renamed over its target.</summary>
    Renamed,
}

/// <summary>One step: which, for which file, and its place in the set (0-based).</summary>
internal readonly record struct WriteStep(WriteStepKind Kind, string Path, int Index);

/// <summary>Some files of a set were replaced and some not: the set on disk is mixed.</summary>
public sealed class PartialWriteException(string message, IReadOnlyList<string> placed, IReadOnlyList<string> notPlaced, Exception inner)
    : IOException(message, inner)
{
    public IReadOnlyList<string> Placed { get; } = placed;
    public IReadOnlyList<string> NotPlaced { get; } = notPlaced;
}

/// <summary>Files an interrupted write left in a folder.</summary>
public sealed record WriteLeftovers(IReadOnlyList<string> Temporaries, IReadOnlyList<string> Backups)
{
    public bool Any => Temporaries.Count > 0 || Backups.Count > 0;
}

/// <summary>
/// Writes certificate and key files the way CockroachDB and our users need them. Each file goes to a
/// temporary file in the same folder (created 0600 / owner-only for secrets from the first byte,
/// flushed to disk), then ONE rename(2) replaces the target: a reader, or a process killed at any
/// moment, sees the old file or the new one, never a missing or half-written one. A SET of files
/// cannot be swapped at once; files are placed in the order given, so callers order them such that
/// a half-placed set is detectable (see StoreKeys and CertsDirectory), and the temporaries a killed
/// process leaves (named <c>.&lt;file&gt;.&lt;32 hex&gt;.tmp</c>) are removed by the next run
/// (<see cref="RemoveTemporaries"/>).
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
                throw new DirectoryNotFoundException($"Folder '{dir}' does not exist. Create it first (for a certs dir: " +
                    $"New-Item -ItemType Directory '{dir}'), or pass another path.");
        }
        if (!overwrite)
        {
            var existing = files.Where(f => File.Exists(f.Path)).Select(f => f.Path).ToList();
            if (existing.Count > 0)
                throw new IOException($"{string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")}. Nothing was written. " +
                    $"Pass -Force to replace, or choose another folder.");
        }
    }

    /// <summary>
    /// Writes every file of the set, placing them in the order given. A failure before the first
    /// rename leaves nothing behind; a failure after it throws <see cref="PartialWriteException"/>
    /// naming what was and was not replaced.
    /// </summary>
    public static void WriteAll(IReadOnlyCollection<PendingFile> files, bool overwrite)
    {
        CheckTargets(files, overwrite);
        var temps = new List<(string Final, string Temp)>();
        int index = 0;
        foreach (PendingFile f in files)
        {
            string full = System.IO.Path.GetFullPath(f.Path);
            string temp = TemporaryPathFor(full);
            try
            {
                WriteNew(temp, f.Content, f.Secret);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                TryDelete(temp);
                foreach ((_, string t) in temps) TryDelete(t);
                throw;
            }
            temps.Add((full, temp));
            Settings.InternalHooks.AfterFileStep.Value?.Invoke(new WriteStep(WriteStepKind.TempWritten, full, index++));
        }

        for (int i = 0; i < temps.Count; i++)
        {
            (string final, string temp) = temps[i];
            try
            {
                // One rename over the target: rename(2) on Unix, MoveFileEx(REPLACE_EXISTING) on Windows.
                File.Move(temp, final, overwrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                for (int j = i; j < temps.Count; j++) TryDelete(temps[j].Temp);
                if (i == 0) throw;
                var placed = temps.Take(i).Select(t => t.Final).ToList();
                var notPlaced = temps.Skip(i).Select(t => t.Final).ToList();
                throw new PartialWriteException(
                    $"Replacing {final} failed ({ex.Message}) after {string.Join(", ", placed)} {(placed.Count == 1 ? "was" : "were")} already replaced: " +
                        $"the files no longer belong together. Run the command again with -Force to write a complete set.",
                    placed, notPlaced, ex);
            }
            Settings.InternalHooks.AfterFileStep.Value?.Invoke(new WriteStep(WriteStepKind.Renamed, final, i));
        }
    }

    /// <summary>Where the new content of <paramref name="finalPath"/> waits before its rename: same folder, hidden, unique.</summary>
    internal static string TemporaryPathFor(string finalPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(finalPath)!, $".{System.IO.Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// What an interrupted write left beside <paramref name="finalPaths"/>: our temporaries
    /// (<c>.&lt;file&gt;.&lt;32 hex&gt;.tmp</c>, never placed, so never in use) and backups an older
    /// CrdbVault made while replacing (<c>&lt;file&gt;.&lt;32 hex&gt;.bak</c>: the PREVIOUS content, maybe
    /// the only copy of a key, so they are reported, not removed).
    /// </summary>
    public static WriteLeftovers FindLeftovers(IEnumerable<string> finalPaths)
    {
        var temps = new List<string>();
        var backups = new List<string>();
        foreach (string final in finalPaths.Select(System.IO.Path.GetFullPath).Distinct())
        {
            string dir = System.IO.Path.GetDirectoryName(final)!;
            if (!Directory.Exists(dir)) continue;
            string name = Regex.Escape(System.IO.Path.GetFileName(final));
            var temp = new Regex($"^\\.{name}\\.[0-9a-f]{{32}}\\.tmp$", RegexOptions.CultureInvariant);
            var backup = new Regex($"^{name}\\.[0-9a-f]{{32}}\\.bak$", RegexOptions.CultureInvariant);
            foreach (string candidate in Directory.EnumerateFiles(dir))
            {
                string file = System.IO.Path.GetFileName(candidate);
                if (temp.IsMatch(file)) temps.Add(candidate);
                else if (backup.IsMatch(file)) backups.Add(candidate);
            }
        }
        return new WriteLeftovers(temps, backups);
    }

    /// <summary>Deletes the temporaries an interrupted write left beside <paramref name="finalPaths"/>; returns what was removed.</summary>
    public static WriteLeftovers RemoveTemporaries(IEnumerable<string> finalPaths)
    {
        WriteLeftovers found = FindLeftovers(finalPaths);
        var removed = new List<string>();
        foreach (string temp in found.Temporaries)
        {
            if (TryDelete(temp)) removed.Add(temp);
        }
        return found with { Temporaries = removed };
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
    /// owned by root with the process's group, docs/cockroachdb-notes.md#certificates). Unix only; true when acceptable.
    /// </summary>
    public static bool HasSafeKeyPermissions(string path, out string problem)
    {
        problem = "";
        if (OperatingSystem.IsWindows()) return true;
        UnixFileMode mode = File.GetUnixFileMode(path);
        const UnixFileMode tooOpen = UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        bool groupRead = (mode & UnixFileMode.GroupRead) != 0;
        if ((mode & tooOpen) != 0 || groupRead)
        {
            problem = $"'{path}' has mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}; a private key must not be readable by group or others. Run: " +
                $"chmod 600 '{path}'";
            return false;
        }
        return true;
    }

    /// <summary>True when the folder's group or other users may write it (create, rename, delete files in it) (Unix).</summary>
    public static bool IsWritableByOthers(string directory) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    /// <summary>True when the folder can be read by users other than its owner (Unix).</summary>
    public static bool IsWorldReadable(string directory) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & (UnixFileMode.OtherRead | UnixFileMode.OtherExecute)) != 0;

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
