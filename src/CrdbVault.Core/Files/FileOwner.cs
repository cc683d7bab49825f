using System.Runtime.InteropServices;

namespace CrdbVault.Core.Files;

/// <summary>
/// Whether a file belongs to the user this process runs as. .NET reads a file's mode but not its owner,
/// and a file another user owns is one that user can write whatever its mode says (a ledger that user
/// pre-created in a shared folder, mode 0644): for files the module trusts as input, the owner matters.
/// Linux only (statx, whose layout is the same on every architecture); elsewhere the owner is not known.
/// </summary>
internal static partial class FileOwner
{
    /// <summary>True or false on Linux; null where the owner cannot be read (Windows, macOS) or the call failed.</summary>
    internal static bool? IsCurrentUser(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        uint? owner = Owner(path);
        return owner is uint uid ? uid == geteuid() : null;
    }

    /// <summary>The uid owning <paramref name="path"/> itself (a link is not followed), or null.</summary>
    private static uint? Owner(string path)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
        const uint StatxUid = 0x8;
        const int UidOffset = 20; // struct statx: mask u32, blksize u32, attributes u64, nlink u32, uid u32
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) != 0) return null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // a libc without statx (glibc before 2.28, some musl)
        }
        // Native byte order: the kernel wrote the struct.
        if ((MemoryMarshal.Read<uint>(buffer) & StatxUid) == 0) return null;
        return MemoryMarshal.Read<uint>(buffer.AsSpan(UidOffset));
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
