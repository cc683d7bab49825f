using System.Runtime.InteropServices;
using System.Security;

namespace CrdbVault.Core.Secrets;

/// <summary>
/// SecureString in and out. Off Windows a SecureString is not encrypted in memory, but it keeps
/// secrets out of default formatting, transcripts and ToString(), which is what we rely on.
/// </summary>
public static class SecureStrings
{
    public static unsafe SecureString From(string? value)
    {
        SecureString s;
        if (string.IsNullOrEmpty(value))
        {
            s = new SecureString();
        }
        else
        {
            // One copy into the SecureString's own buffer, not a growing append per character.
            fixed (char* chars = value) s = new SecureString(chars, value.Length);
        }
        s.MakeReadOnly();
        return s;
    }

    /// <summary>The plain text; call only at the moment a secret must be sent or written.</summary>
    public static string Reveal(SecureString value)
    {
        IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            return Marshal.PtrToStringUni(ptr) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(ptr);
        }
    }
}
