using System.Text.RegularExpressions;

namespace CrdbVault.Core.Validation;

/// <summary>
/// Removes credentials from a URL before it is shown anywhere (messages, verbose lines, output
/// properties, error targets): the password of 'user:password@' and the values of query parameters
/// that carry secrets (password, sslpassword, token, …). Works on text that is not a valid URL too,
/// since the text being refused is often exactly that.
/// </summary>
public static partial class UrlRedaction
{
    /// <summary>What replaces a removed secret.</summary>
    public const string Mask = "***";

    private static readonly string[] SecretQueryKeys = ["password", "sslpassword", "pass", "pwd", "passwd", "token", "secret", "api_key", "apikey",
        "access_token", "sslkey_password"];

    // scheme://user:password@ (a user without a password is no secret and stays).
    [GeneratedRegex(@"(?<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*):(?<secret>[^/?#]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoPassword();

    // key=value pairs of a query (also after ';', which some drivers accept); only secret keys are masked.
    [GeneratedRegex(@"(?<head>[?&;](?<key>[^=&#;]+)=)(?<secret>[^&#;]*)", RegexOptions.CultureInvariant)]
    private static partial Regex QueryPair();

    /// <summary>The URL with every credential replaced by <see cref="Mask"/>; null stays null.</summary>
    public static string Redact(string url)
    {
        if (string.IsNullOrEmpty(url)) return url;
        string s = UserInfoPassword().Replace(url, m => IsPlaceholder(m.Groups["secret"].Value) ? m.Value : m.Groups["head"].Value + ":" + Mask + "@");
        return QueryPair().Replace(s, m => IsSecretKey(m.Groups["key"].Value) && !IsPlaceholder(m.Groups["secret"].Value)
            ? m.Groups["head"].Value + Mask : m.Value);
    }

    /// <summary>Vault's template placeholders ({{password}}) are no secret: they stay, so the stored template can be read.</summary>
    private static bool IsPlaceholder(string value) => value.StartsWith("{{", StringComparison.Ordinal) && value.EndsWith("}}", StringComparison.Ordinal)
        && value.Length <= 64;

    /// <summary>True when the query of <paramref name="uri"/> carries a secret (password=, sslpassword=, …).</summary>
    public static bool HasSecretQuery(Uri uri)
    {
        string query = uri.IsAbsoluteUri ? uri.Query : "";
        return QueryPair().Matches(query).Any(m => IsSecretKey(m.Groups["key"].Value));
    }

    private static bool IsSecretKey(string key)
    {
        string k = Uri.UnescapeDataString(key.Replace('+', ' ')).Trim().ToLowerInvariant();
        return SecretQueryKeys.Contains(k) || k.Contains("password", StringComparison.Ordinal) || k.Contains("secret", StringComparison.Ordinal);
    }
}
