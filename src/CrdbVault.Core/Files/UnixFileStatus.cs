using System.Runtime.InteropServices;

namespace CrdbVault.Core.Files;

/// <summary>
/// What .NET does not tell about a file: its owner and its type. A file another user owns is one that
/// user can write whatever its mode says (a ledger pre-created in a shared folder, mode 0644); a file
/// that is not a regular one (a FIFO, a device) can block the open for ever or never end. For files the
/// module trusts as input, both matter. Linux only (statx, whose layout is the same on every
/// architecture); elsewhere the answer is null: not known.
/// </summary>
internal static partial class UnixFileStatus
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8;
    // struct statx: mask u32 @0, blksize u32 @4, attributes u64 @8, nlink u32 @16, uid u32 @20, gid u32 @24, mode u16 @28.
    private const int UidOffset = 20, ModeOffset = 28;
    private const int TypeMask = 0xF000, RegularFile = 0x8000;

    /// <summary>Whether <paramref name="path"/> itself (a link is not followed) belongs to this process's effective user.</summary>
    internal static bool? IsOwnedByCurrentUser(string path) =>
        Stat(path, followLinks: false, StatxUid) is byte[] s ? MemoryMarshal.Read<uint>(s.AsSpan(UidOffset)) == geteuid() : null;

    /// <summary>Whether <paramref name="path"/>, after following links, is a regular file (not a FIFO, socket, device or folder).</summary>
    internal static bool? IsRegularFile(string path) =>
        Stat(path, followLinks: true, StatxType | StatxMode) is byte[] s ? (MemoryMarshal.Read<ushort>(s.AsSpan(ModeOffset)) & TypeMask) == RegularFile : null;

    /// <summary>The statx buffer when the call succeeded and filled <paramref name="wanted"/>, else null.</summary>
    private static byte[]? Stat(string path, bool followLinks, uint wanted)
    {
        if (!OperatingSystem.IsLinux()) return null;
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, wanted, buffer) != 0) return null;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return null; // a libc without statx (glibc before 2.28, some musl)
        }
        // Native byte order: the kernel wrote the struct.
        return (MemoryMarshal.Read<uint>(buffer) & wanted) == wanted ? buffer : null;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();
}
