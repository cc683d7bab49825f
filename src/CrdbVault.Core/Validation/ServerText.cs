namespace CrdbVault.Core.Validation;

/// <summary>
/// Text a server sent (error messages) before it goes into our messages: control characters become
/// spaces (no forged log lines, no terminal escape sequences) and it is cut to a sane length.
/// </summary>
public static class ServerText
{
    public const int MaxLength = 1000;

    public static string Printable(string text)
    {
        var chars = text.Length > MaxLength ? text[..MaxLength].ToCharArray() : text.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = ' ';
        string s = new string(chars).Trim();
        return text.Length > MaxLength ? s + "…" : s;
    }
}
