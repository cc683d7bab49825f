using System.Globalization;
using System.Text.RegularExpressions;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>
/// Vault's name checks (builtin/logical/pki cert_util.go validateNames / validateCommonName):
/// enforce_hostnames, allow_any_name, allow_localhost, allowed_domains with bare/sub/glob matching,
/// wildcards, and cn_validations.
/// </summary>
internal static partial class PkiNames
{
    // Vault's hostnameRegex.
    [GeneratedRegex(@"^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])\.)*([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9\-]*[A-Za-z0-9])$", RegexOptions.CultureInvariant)]
    private static partial Regex HostnamePattern();

    private static readonly IdnMapping Idn = new();

    public static bool IsHostname(string name)
    {
        string ascii;
        try { ascii = Idn.GetAscii(name); }
        catch (ArgumentException) { return false; }
        return HostnamePattern().IsMatch(ascii);
    }

    /// <summary>The first name the role does not allow, or null when all pass.</summary>
    public static string? FirstDisallowed(PkiRole role, IEnumerable<string> names)
    {
        foreach (string name in names)
            if (!Allowed(role, name)) return name;
        return null;
    }

    /// <summary>validateCommonName: validateNames unless cn_validations=disabled, then the email/hostname type check.</summary>
    public static bool CommonNameAllowed(PkiRole role, string cn)
    {
        if (role.CnValidations is ["disabled"]) return true;
        if (!Allowed(role, cn)) return false;
        if (role.CnValidations.Count == 0) return true;
        return cn.Contains('@') ? role.CnValidations.Contains("email") : role.CnValidations.Contains("hostname");
    }

    private static bool Allowed(PkiRole role, string name)
    {
        string sanitized = name;
        string emailDomain = "";
        bool isEmail = false;
        if (name.Contains('@'))
        {
            string[] parts = name.Split('@');
            if (parts.Length != 2) return false;
            sanitized = emailDomain = parts[1];
            isEmail = true;
        }
        bool isWildcard = false;
        if (sanitized.Contains('*'))
        {
            if (isEmail) return false; // wildcard email addresses make no sense
            if (!role.AllowWildcardCertificates) return false;
            int dot = sanitized.IndexOf('.');
            if (dot <= 0) return false;
            string label = sanitized[..dot];
            if (label.Count(c => c == '*') != 1) return false;
            sanitized = sanitized[(dot + 1)..];
            isWildcard = true;
        }
        if (role.EnforceHostnames)
        {
            if (sanitized.Length == 0 || !IsHostname(sanitized)) return false;
        }
        if (role.AllowAnyName) return true;
        if (role.AllowLocalhost && !isWildcard)
        {
            if (name is "localhost" or "localdomain" || (isEmail && emailDomain is "localhost" or "localdomain")) return true;
        }
        foreach (string domain in role.AllowedDomains)
        {
            if (domain.Length == 0) continue;
            if (role.AllowBareDomains && !isWildcard &&
                (string.Equals(name, domain, StringComparison.OrdinalIgnoreCase) || (isEmail && string.Equals(emailDomain, domain, StringComparison.OrdinalIgnoreCase))))
                return true;
            if (role.AllowSubdomains)
            {
                string candidate = isWildcard ? sanitized : sanitized;
                if (candidate.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase)) return true;
                if (isWildcard && string.Equals(candidate, domain, StringComparison.OrdinalIgnoreCase)) return true;
            }
            if (role.AllowGlobDomains && domain.Contains('*') && Glob(domain, isEmail ? emailDomain : name)) return true;
        }
        return false;
    }

    /// <summary>ryanuber/go-glob: '*' matches any run of characters (dots included); case-sensitive.</summary>
    public static bool Glob(string pattern, string subject)
    {
        if (pattern == "*") return true;
        string[] parts = pattern.Split('*');
        if (parts.Length == 1) return pattern == subject;
        if (!subject.StartsWith(parts[0], StringComparison.Ordinal)) return false;
        int pos = parts[0].Length;
        for (int i = 1; i < parts.Length - 1; i++)
        {
            int at = subject.IndexOf(parts[i], pos, StringComparison.Ordinal);
            if (at < 0) return false;
            pos = at + parts[i].Length;
        }
        string last = parts[^1];
        return subject.Length - pos >= last.Length && subject.EndsWith(last, StringComparison.Ordinal);
    }
}
