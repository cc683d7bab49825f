using System.Globalization;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Validation;

/// <summary>
/// Text a server sent (error messages) before it goes into our messages: control characters, line and
/// paragraph separators and invisible format characters (bidi overrides) become spaces (no forged log
/// lines, no terminal escape sequences, no text that reads differently from what it is), Azure DevOps'
/// logging-command prefix is broken up (the agent obeys <c>##vso[</c> anywhere in a line, so a server's
/// words in an error must not set variables or secrets of the job), and it is cut to a sane length.
/// </summary>
public static partial class ServerText
{
    public const int MaxLength = 1000;

    public static string Printable(string text)
    {
        var chars = text.Length > MaxLength ? text[..MaxLength].ToCharArray() : text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i]) || CharUnicodeInfo.GetUnicodeCategory(chars[i])
                    is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Format)
                chars[i] = ' ';
        string s = LoggingCommandPrefix().Replace(new string(chars), "##$1 [").Trim();
        return text.Length > MaxLength ? s + "…" : s;
    }

    [GeneratedRegex(@"##(vso)\s*\[", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LoggingCommandPrefix();
}
