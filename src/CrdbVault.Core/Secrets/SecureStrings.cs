using System.Runtime.InteropServices;
using System.Security;

namespace CrdbVault.Core.Secrets;

/// <summary>
/// SecureString in and out. Off Windows a SecureString is not encrypted in memory, but it keeps
/// secrets out of default formatting, transcripts and ToString(), which is what we rely on.
/// </summary>
public static class SecureStrings
{
    public static SecureString From(string? value)
    {
        var s = new SecureString();
        if (value is not null)
            foreach (char c in value) s.AppendChar(c);
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
