using System.Text;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Validation;

/// <summary>
/// Checks made before any request is sent, so bad input changes nothing and the error says what
/// to type instead.
/// </summary>
public static partial class InputValidator
{
    // CockroachDB: ^[\p{Ll}0-9_][-\p{Ll}0-9_.]*$, at most 63 bytes (pkg/security/username).
    // We accept the ASCII subset, which is what Vault templates and certificates can carry safely.
    [GeneratedRegex(@"^[a-z0-9_][a-z0-9_.\-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SqlUserPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    private static readonly string[] ReservedSqlUsers = ["public", "none", "node"];

    /// <summary>Validates a CockroachDB SQL user name (the CN of a client certificate, a role to grant).</summary>
    public static string SqlUserName(string? value, string parameterName = "User")
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"-{parameterName} is empty. Give a CockroachDB SQL user name such as 'app_reader'.", parameterName);
        if (Encoding.UTF8.GetByteCount(value) > 63)
            throw new ArgumentException($"-{parameterName} '{value}' is longer than 63 bytes, CockroachDB's limit for user names. Use a shorter name.", parameterName);
        if (!SqlUserPattern().IsMatch(value))
        {
            string hint = value.ToLowerInvariant() != value && SqlUserPattern().IsMatch(value.ToLowerInvariant())
                ? $" CockroachDB folds user names to lower case; use '{value.ToLowerInvariant()}'."
                : " Use lower-case letters, digits and '_', '.', '-' only, starting with a letter, digit or '_'.";
            throw new ArgumentException($"-{parameterName} '{value}' is not a valid CockroachDB SQL user name.{hint}", parameterName);
        }
        if (Array.IndexOf(ReservedSqlUsers, value) >= 0 || value.StartsWith("pg_", StringComparison.Ordinal) || value.StartsWith("crdb_internal_", StringComparison.Ordinal))
            throw new ArgumentException($"-{parameterName} '{value}' is reserved by CockroachDB (public, none, node, pg_*, crdb_internal_*). Choose another name.", parameterName);
        return value;
    }

    /// <summary>Validates one Vault path segment: a role, connection or key name.</summary>
    public static string PathSegment(string? value, string parameterName = "Name")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"-{parameterName} is empty. Give a name such as 'app'.", parameterName);
        if (value is "." or ".." || value.EndsWith('.'))
            throw new ArgumentException($"-{parameterName} '{value}' cannot be '.', '..' or end in '.'; Vault treats such paths specially.", parameterName);
        if (!SegmentPattern().IsMatch(value))
            throw new ArgumentException(
                $"-{parameterName} '{value}' may contain only letters, digits, '_', '-' and '.' (no '/', '?', '#', spaces). Rename it, for example '{Sanitize(value)}'.",
                parameterName);
        return value;
    }

    /// <summary>Validates a mount path; nested mounts (<c>team/database</c>) are allowed, each segment checked.</summary>
    public static string MountPath(string? value, string parameterName = "MountPath")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"-{parameterName} is empty. Give the engine's mount path such as 'database' or 'team/database'.", parameterName);
        string trimmed = value.Trim('/');
        if (trimmed.Length == 0)
            throw new ArgumentException($"-{parameterName} '{value}' names no mount. Give a path such as 'database'.", parameterName);
        foreach (string segment in trimmed.Split('/'))
        {
            if (segment.Length == 0)
                throw new ArgumentException($"-{parameterName} '{value}' has an empty segment ('//'). Write it as '{string.Join('/', trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries))}'.", parameterName);
            PathSegment(segment, parameterName);
        }
        return trimmed;
    }

    /// <summary>Validates a Vault address and returns it as an absolute http(s) URI.</summary>
    public static Uri VaultAddress(string? value, string parameterName = "Address")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"No Vault address. Pass -{parameterName} 'https://vault.example.com:8200' or set VAULT_ADDR.", parameterName);
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"'{value}' is not a Vault address. Use a URL such as 'https://vault.example.com:8200'.", parameterName);
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"'{value}' must not carry a query, fragment or user info. Use only scheme, host and port, e.g. 'https://vault.example.com:8200'.", parameterName);
        return uri;
    }

    private static string Sanitize(string value)
    {
        var sb = new StringBuilder();
        foreach (char c in value.Trim())
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '-');
        string s = sb.ToString().Trim('.', '-');
        return s.Length == 0 ? "name" : s;
    }
}
