using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;

namespace CrdbVault.Core.Validation;

/// <summary>
/// One validator per kind of string the module accepts, run before any request so bad input
/// changes nothing, and the error says what to type instead. Each throws
/// <see cref="ArgumentException"/> (ParamName = the parameter) and returns the value as it is to be
/// used. The cmdlets run them from the <c>[Input(InputKind.…)]</c> attribute on each parameter; Core's
/// own entry points (engines, clients) call the same methods, so a runbook calling Core directly gets
/// the same checks.
/// </summary>
/// <remarks>
/// Every kind refuses control characters (a final "\n" once slipped through a '$'-anchored pattern
/// and the URI builder then collapsed "..": every pattern here is anchored with \z), invisible
/// format characters (bidi overrides, zero-width spaces), leading and trailing blanks, and values
/// longer than the kind's cap. Messages show a refused value with its control characters spelled out
/// (`n, `0, \u{…}) and cut to 80 characters, so an error cannot forge log lines.
/// </remarks>
public static partial class InputValidator
{
    // CockroachDB: ^[\p{Ll}0-9_][-\p{Ll}0-9_.]*$, at most 63 bytes (pkg/security/username).
    // We accept the ASCII subset, which is what Vault templates and certificates can carry safely.
    [GeneratedRegex(@"\A[a-z0-9_][a-z0-9_.\-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SqlUserPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_.\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentPattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_.@\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex LoginNamePattern();

    [GeneratedRegex(@"\A[A-Za-z0-9_.\-*?\[\]]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SegmentWildcardPattern();

    [GeneratedRegex(@"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex UuidPattern();

    [GeneratedRegex(@"\A[a-z][a-z0-9-]{0,62}[a-z0-9]\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    // RFC 1123 label: letters, digits, '-' inside; a leading "*." wildcard is allowed for node certificates.
    [GeneratedRegex(@"\A(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex HostNamePattern();

    private static readonly string[] ReservedSqlUsers = ["public", "none", "node"];

    /// <summary>Vault's own paths: a mount there is not a secrets engine of ours, and a request there acts on Vault itself.</summary>
    public static IReadOnlyList<string> SystemPaths { get; } = ["sys", "auth", "identity", "cubbyhole"];

    /// <summary>Longest name segment, SQL user excepted (63 bytes): Vault has no limit, but nothing sane is longer.</summary>
    public const int MaxNameLength = 128;

    /// <summary>Longest mount path, lease id or lease prefix.</summary>
    public const int MaxPathLength = 1024;

    /// <summary>Longest file path (Linux PATH_MAX).</summary>
    public const int MaxFilePathLength = 4096;

    /// <summary>Longest free text (a CA common name is capped lower, at 64, by X.509).</summary>
    public const int MaxTextLength = 1024;

    /// <summary>Longest secret (tokens, API keys, role ids are far shorter).</summary>
    public const int MaxSecretLength = 16 * 1024;

    // ---- name segment ----

    /// <summary>Kind "name segment": one Vault path segment, such as a role, connection, key or policy name.</summary>
    public static string PathSegment(string? value, string parameterName = "Name")
    {
        CheckText(value, parameterName, MaxNameLength, "a name such as 'app'");
        if (value is "." or ".." || value!.EndsWith('.'))
            throw new ArgumentException($"-{parameterName} {Shown(value)} cannot be '.', '..' or end in '.'; " +
                $"Vault treats such paths specially.", parameterName);
        if (!SegmentPattern().IsMatch(value))
            throw new ArgumentException(
                $"-{parameterName} {Shown(value)} may contain only letters, digits, '_', '-' and '.' (no '/', '?', '#', '%', spaces or non-ASCII letters). " +
                    $"Rename it, for example '{Sanitize(value)}'.",
                parameterName);
        return value;
    }

    /// <summary>Kind "name pattern": a name segment, or a wildcard pattern over names ('app*', 'tmp_?', '*').</summary>
    public static string NamePattern(string? value, string parameterName = "Name")
    {
        CheckText(value, parameterName, MaxNameLength, "a name such as 'app' or a pattern such as 'app*'");
        if (value!.IndexOfAny(['*', '?', '[']) < 0) return PathSegment(value, parameterName);
        if (!SegmentWildcardPattern().IsMatch(value))
            throw new ArgumentException($"-{parameterName} {Shown(value)} may contain only letters, digits, '_', '-', '.' and the wildcards '*', '?', " +
                $"'[...]'.", parameterName);
        return value;
    }

    // ---- mount and Vault paths ----

    /// <summary>
    /// Kind "mount path": where a secrets engine is mounted; nested mounts (<c>team/database</c>) are
    /// allowed, each segment checked, and Vault's system paths (sys/, auth/, identity/, cubbyhole/)
    /// are refused. Leading and trailing '/' are dropped.
    /// </summary>
    public static string MountPath(string? value, string parameterName = "MountPath")
    {
        string path = VaultPath(value, parameterName, "the engine's mount path such as 'database' or 'team/database'");
        string first = path.Split('/')[0];
        if (SystemPaths.Contains(first, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException(
                $"-{parameterName} {Shown(value)} is inside Vault's system path '{first}/': requests there act on Vault itself (mounts, policies, tokens), " +
                    $"not on a secrets engine. Give the engine's own mount path, such as 'database'.",
                parameterName);
        return path;
    }

    /// <summary>Kind "Vault path": segments separated by '/', each a name segment (an auth mount, a namespace).</summary>
    public static string VaultPath(string? value, string parameterName, string example = "a path such as 'team/app'")
    {
        CheckText(value, parameterName, MaxPathLength, example);
        string trimmed = value!.Trim('/');
        if (trimmed.Length == 0)
            throw new ArgumentException($"-{parameterName} {Shown(value)} names nothing. Give {example}.", parameterName);
        foreach (string segment in trimmed.Split('/'))
        {
            if (segment.Length == 0)
                throw new ArgumentException($"-{parameterName} {Shown(value)} has an empty segment ('//'). " +
                    $"Write it as '{string.Join('/', trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries))}'.", parameterName);
            PathSegment(segment, parameterName);
        }
        return trimmed;
    }

    // ---- SQL user ----

    /// <summary>Kind "SQL user": a CockroachDB SQL user or role name (the CN of a client certificate, a role to grant).</summary>
    /// <summary>
    /// A user name Vault's userpass or LDAP method logs in (auth/&lt;mount&gt;/login/&lt;name&gt;): one path segment, so
    /// LDAP's 'alice@corp.example' passes where a SQL user name would not; '/', '%', blanks and '.'/'..' never do.
    /// </summary>
    public static string VaultLoginName(string? value, string parameterName = "Credential")
    {
        CheckText(value, parameterName, 256, "a login name such as 'alice' or 'alice@corp.example'");
        if (value is "." or ".." || !LoginNamePattern().IsMatch(value!))
            throw new ArgumentException($"-{parameterName} {Shown(value)} is not a login name Vault can take in a path. " +
                "Use letters, digits and '_', '.', '-', '@' only.", parameterName);
        return value!;
    }

    public static string SqlUserName(string? value, string parameterName = "User")
    {
        CheckText(value, parameterName, 256, "a CockroachDB SQL user name such as 'app_reader'");
        if (Encoding.UTF8.GetByteCount(value!) > 63)
            throw new ArgumentException($"-{parameterName} {Shown(value)} is longer than 63 bytes, CockroachDB's limit for user names. " +
                $"Use a shorter name.", parameterName);
        if (!SqlUserPattern().IsMatch(value!))
        {
            string lower = value!.ToLowerInvariant();
            string hint = lower != value && SqlUserPattern().IsMatch(lower)
                ? $" CockroachDB folds user names to lower case; use '{lower}'."
                : " Use lower-case letters, digits and '_', '.', '-' only, starting with a letter, digit or '_'.";
            throw new ArgumentException($"-{parameterName} {Shown(value)} is not a valid CockroachDB SQL user name.{hint}", parameterName);
        }
        if (value!.EndsWith('.') || value.Contains("..", StringComparison.Ordinal))
            throw new ArgumentException($"-{parameterName} '{value}' ends in '.' or has '..': CockroachDB accepts it, but it does not survive as a " +
                $"certificate common name or in a file name such as client.<user>.crt. Choose a name without them.", parameterName);
        if (Array.IndexOf(ReservedSqlUsers, value) >= 0
            || value!.StartsWith("pg_", StringComparison.Ordinal) || value.StartsWith("crdb_internal_", StringComparison.Ordinal))
            throw new ArgumentException($"-{parameterName} '{value}' is reserved by CockroachDB (public, none, node, pg_*, crdb_internal_*). " +
                $"Choose another name.", parameterName);
        return value!;
    }

    // ---- leases ----

    /// <summary>
    /// Kind "lease id": <c>&lt;path&gt;/&lt;id&gt;</c> such as 'database/creds/app/AbCd1234' (HCP adds a
    /// '.nsid' suffix). Refuses what would change the request, and values that are clearly not a lease
    /// id: an Azure DevOps or GitHub Actions macro left unexpanded ($(X), ${{ x }}, $env:X) when the
    /// step that should have set it failed.
    /// </summary>
    public static string LeaseId(string? value, string parameterName = "LeaseId")
    {
        string id = LeasePath(value, parameterName, "a lease id such as 'database/creds/app/AbCd1234', e.g. from New-CrdbDynamicCredential");
        if (!id.Contains('/'))
            throw new ArgumentException($"-{parameterName} {Shown(value)} is not a lease id: lease ids are '<path>/<id>', " +
                $"such as 'database/creds/app/AbCd1234'.", parameterName);
        return id;
    }

    /// <summary>Kind "lease prefix": a path under which leases are listed or revoked ('database/creds/app'); returned with one trailing '/'.</summary>
    public static string LeasePrefix(string? value, string parameterName = "Prefix")
    {
        string trimmed = value is null ? "" : value.Trim('/');
        if (value is not null && trimmed.Length == 0 && value.Length > 0)
            throw new ArgumentException($"-{parameterName} {Shown(value)} names no path. Give a prefix such as 'database/creds/app'.", parameterName);
        return LeasePath(value is null ? null : trimmed, parameterName, "a prefix such as 'database/creds/app'") + "/";
    }

    /// <summary>
    /// True when revoking everything under <paramref name="prefix"/> would reach more than one role's
    /// leases: a bare mount ('database', 'team/database') or '&lt;mount&gt;/creds'. A prefix that names a
    /// role ('database/creds/app', 'pki/issue/client') or goes deeper is not broad.
    /// </summary>
    public static bool IsBroadLeasePrefix(string prefix)
    {
        string[] segments = prefix.Trim('/').Split('/');
        for (int i = 0; i < segments.Length - 1; i++)
            if (segments[i] is "creds" or "issue" or "sign" or "static-creds") return false;
        return true;
    }

    private static string LeasePath(string? value, string parameterName, string example)
    {
        CheckText(value, parameterName, MaxPathLength, example);
        if (LooksLikeMacro(value!))
            throw new ArgumentException(
                $"-{parameterName} {Shown(value)} looks like a pipeline macro or variable that was never expanded ($(X), ${{{{ x }}}}, $env:X): " +
                    $"the step that should have set it probably failed. Pass the lease id itself, such as 'database/creds/app/AbCd1234'.",
                parameterName);
        if (value!.StartsWith('/') || value.Contains("//", StringComparison.Ordinal))
            throw new ArgumentException($"-{parameterName} {Shown(value)} has an empty path segment; {example}.", parameterName);
        foreach (string segment in value.Split('/'))
        {
            if (segment is "." or ".." || !SegmentPattern().IsMatch(segment))
                throw new ArgumentException(
                    $"-{parameterName} {Shown(value)} is not a lease path: each '/'-separated part may contain only letters, digits, '_', '-' and '.', " +
                        $"and none may be '.' or '..'. Give {example}.",
                    parameterName);
        }
        return value;
    }

    private static bool LooksLikeMacro(string value) =>
        value.Contains("$(", StringComparison.Ordinal) || value.Contains("${", StringComparison.Ordinal) || value.Contains("$[", StringComparison.Ordinal)
        || value.StartsWith('$') || value.Contains("{{", StringComparison.Ordinal) || value.Contains("%(", StringComparison.Ordinal);

    // ---- file paths ----

    /// <summary>Kind "file path (read)": a file or folder the module reads; wildcard characters are taken literally.</summary>
    public static string ReadPath(string? value, string parameterName = "Path")
    {
        CheckText(value, parameterName, MaxFilePathLength, "a file path such as './ca.crt'");
        return value!;
    }

    /// <summary>
    /// Kind "file path (written)": a file or folder the module creates. Wildcard characters ('*', '?',
    /// '[', ']') are refused: PowerShell users expect -Path to expand them, and a file literally named
    /// '*.key' is never what was meant.
    /// </summary>
    public static string WritePath(string? value, string parameterName = "Path")
    {
        CheckText(value, parameterName, MaxFilePathLength, "a file path such as './store.key'");
        if (value!.IndexOfAny(['*', '?', '[', ']']) >= 0)
            throw new ArgumentException($"-{parameterName} {Shown(value)} contains wildcard characters ('*', '?', '[', ']'), " +
                $"which are refused in paths that are written. Name one file or folder, such as './store-2026-11.key'.", parameterName);
        return value;
    }

    // ---- URLs and hosts ----

    /// <summary>
    /// Kind "URL" of a service (Vault, the Cloud API): absolute http(s), scheme, host and port only.
    /// Credentials in it are refused, and the message never repeats them.
    /// </summary>
    public static Uri ServiceUrl(string? value, string parameterName = "Address", string example = "https://vault.example.com:8200")
    {
        CheckText(value, parameterName, MaxPathLength, $"a URL such as '{example}'");
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"-{parameterName} {Shown(UrlRedaction.Redact(value!))} is not an http(s) address. " +
                $"Use a URL such as '{example}'.", parameterName);
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"-{parameterName} {Shown(UrlRedaction.Redact(value!))} carries a user name or password: " +
                $"credentials never go in the URL. Use only scheme, host and port, e.g. '{example}', and pass the credential separately.", parameterName);
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"-{parameterName} {Shown(UrlRedaction.Redact(value!))} must not carry a query or fragment. Use only scheme, " +
                $"host and port, e.g. '{example}'.", parameterName);
        return uri;
    }

    /// <summary>Validates a Vault address and returns it as an absolute http(s) URI.</summary>
    public static Uri VaultAddress(string? value, string parameterName = "Address")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"No Vault address. Pass -{parameterName} 'https://vault.example.com:8200' or set VAULT_ADDR.", parameterName);
        return ServiceUrl(value, parameterName);
    }

    /// <summary>
    /// Kind "database URL": a postgresql:// URL without credentials, neither as user:password@ nor as
    /// password=/sslpassword= in the query (the first would be refused with the whole URL repeated,
    /// the second used to be stored in Vault and printed). The rest is checked by VaultConnectionUrl.
    /// </summary>
    public static Uri DatabaseUrl(string? value, string parameterName = "ConnectionUrl")
    {
        const string Example = "postgresql://crdb.example.com:26257/defaultdb?sslmode=verify-full";
        CheckText(value, parameterName, MaxPathLength, $"a URL such as '{Example}'");
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != "postgresql" && uri.Scheme != "postgres") || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"-{parameterName} {Shown(UrlRedaction.Redact(value!))} is not a postgresql:// URL. " +
                $"Give one such as '{Example}'.", parameterName);
        if (!string.IsNullOrEmpty(uri.UserInfo) || UrlRedaction.HasSecretQuery(uri))
            throw new ArgumentException(
                $"-{parameterName} {Shown(UrlRedaction.Redact(value!))} carries a user name or password (as 'user:password@' or 'password=' in the query): " +
                    $"the cmdlet inserts Vault's {{{{username}}}}:{{{{password}}}} placeholders and sends the credentials from -Credential separately. " +
                    $"Remove 'user:password@' and 'password=' from the URL.",
                parameterName);
        return uri;
    }

    /// <summary>Kind "host": a DNS name (RFC 1123, ASCII) or an IP address literal, nothing else (no port, path or query).</summary>
    public static string Host(string? value, string parameterName = "Server")
    {
        CheckText(value, parameterName, 255, "a host name such as 'crdb.example.com' or an address such as '10.0.0.5'");
        string h = value!;
        string bare = h.StartsWith('[') && h.EndsWith(']') ? h[1..^1] : h;
        // IPAddress.TryParse also takes "[::1]:26257" (dropping the port) and "fe80::1%eth0": neither is a host.
        if (bare.IndexOfAny(['[', ']', '%', '/']) < 0 && IPAddress.TryParse(bare, out IPAddress? ip)
            && (bare.Contains(':') ? ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 : IsDottedQuad(bare)))
            return h;
        if (h.Length > 253 || !HostNamePattern().IsMatch(h) || IsAllDigitsAndDots(h))
            throw new ArgumentException(
                $"-{parameterName} {Shown(value)} is neither a host name nor an IP address. Give only the host, " +
                    $"such as 'crdb.example.com' or '10.0.0.5' (the port, database and TLS settings have their own parameters).",
                parameterName);
        return h;
    }

    private static bool IsDottedQuad(string s) => s.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));

    private static bool IsAllDigitsAndDots(string s) => s.All(c => char.IsAsciiDigit(c) || c == '.');

    // ---- CockroachDB Cloud ----

    /// <summary>Kind "cluster id": a CockroachDB Cloud cluster's UUID (not its routing id or name).</summary>
    public static string ClusterId(string? value, string parameterName = "ClusterId")
    {
        CheckText(value, parameterName, 64, "the cluster's ID (a UUID shown in the Cloud Console or by 'ccloud cluster info')");
        if (!UuidPattern().IsMatch(value!))
            throw new ArgumentException(
                $"-{parameterName} {Shown(value)} is not a cluster ID. Give the cluster's UUID (e.g. '9b3f0c2e-7d41-4a8e-b1f6-0e2c5d7a9f10', " +
                    $"shown in the Cloud Console or by 'ccloud cluster info'), not its name or routing ID.",
                parameterName);
        return value!;
    }

    /// <summary>Kind "region": a cloud region in its provider's spelling (us-east-1, us-central1, eastus).</summary>
    public static string Region(string? value, string parameterName = "Region")
    {
        CheckText(value, parameterName, 64, "a region such as 'us-east-1'");
        if (!RegionPattern().IsMatch(value!))
            throw new ArgumentException($"-{parameterName} {Shown(value)} is not a region name (lower-case letters, digits and '-', such as 'us-east-1', " +
                $"'us-central1' or 'eastus').", parameterName);
        return value!;
    }

    // ---- certificates ----

    /// <summary>Kind "serial number": hex bytes separated by ':' or '-' (Vault's form) or bare hex (X509Certificate2's).</summary>
    public static string SerialNumber(string? value, string parameterName = "SerialNumber")
    {
        CheckText(value, parameterName, 128, "a serial such as '1d:2f:...' (as New-CrdbClientCert reports it)");
        string s = value!.ToLowerInvariant();
        string[] parts;
        if (s.Contains(':') || s.Contains('-')) parts = s.Replace('-', ':').Split(':');
        else
        {
            string even = s.Length % 2 == 1 ? "0" + s : s;
            parts = Enumerable.Range(0, even.Length / 2).Select(i => even.Substring(i * 2, 2)).ToArray();
        }
        if (parts.Any(p => p.Length is < 1 or > 2 || !p.All(char.IsAsciiHexDigit)))
            throw new ArgumentException($"-{parameterName} {Shown(value)} is not a certificate serial. Use hex bytes separated by ':' or '-', e.g. " +
                $"'1d:2f:3a'.", parameterName);
        // Vault prints big.Int bytes: no leading zero byte (X509Certificate2.SerialNumber keeps the DER sign byte).
        var list = parts.Select(p => p.PadLeft(2, '0')).ToList();
        while (list.Count > 1 && list[0] == "00") list.RemoveAt(0);
        return string.Join(':', list);
    }

    /// <summary>Kind "PEM": certificate text; only its size and characters are judged here (the parser judges the rest).</summary>
    public static string Pem(string? value, string parameterName = "Pem")
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"-{parameterName} is empty. Pass PEM text starting with '-----BEGIN CERTIFICATE-----'.", parameterName);
        if (value.Length > InputBudgets.PemBytes)
            throw new ArgumentException($"-{parameterName} is {value.Length / 1024} KiB of text: more than the 1 MiB a certificate bundle may be. " +
                $"Pass the CA's PEM only.", parameterName);
        foreach (char c in value)
        {
            if (char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                throw new ArgumentException($"-{parameterName} contains a control character ({Escape(c)}): it is not PEM text. " +
                    $"Pass text starting with '-----BEGIN CERTIFICATE-----'.", parameterName);
        }
        return value;
    }

    // ---- text, secrets, durations ----

    /// <summary>Kind "free text": a description, a common name, a cloud resource name: printable, no control characters, trimmed, capped.</summary>
    public static string FreeText(string? value, string parameterName, int maxLength = MaxTextLength)
    {
        CheckText(value, parameterName, maxLength, "a value");
        return value!;
    }

    /// <summary>
    /// Kind "secret" (token, API key, role id): not empty, no control characters, capped. The message
    /// never repeats the value, and the check reads it without making a managed string of it.
    /// </summary>
    public static void Secret(SecureString? value, string parameterName)
    {
        if (value is null || value.Length == 0)
            throw new ArgumentException($"-{parameterName} is empty. Pass it as a SecureString, e.g. (Read-Host -AsSecureString), " +
                $"or from a secret store.", parameterName);
        if (value.Length > MaxSecretLength)
            throw new ArgumentException($"-{parameterName} is {value.Length} characters long: more than a secret of this kind can be ({MaxSecretLength}). " +
                $"Check what was passed.", parameterName);
        IntPtr p = Marshal.SecureStringToGlobalAllocUnicode(value);
        try
        {
            for (int i = 0; i < value.Length; i++)
            {
                char c = (char)Marshal.ReadInt16(p, i * 2);
                if (char.IsControl(c) || IsInvisible(c) || ((i == 0 || i == value.Length - 1) && char.IsWhiteSpace(c)))
                    throw new ArgumentException($"-{parameterName} contains a control, invisible or leading/trailing blank character at position {i + 1}; " +
                        $"a copy-paste error is likely (a trailing newline from a file?). The value is not shown.", parameterName);
            }
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(p);
        }
    }

    /// <summary>Kind "secret" given as a plain string (an AppRole role_id): the same rules; the value is never shown.</summary>
    public static string Secret(string? value, string parameterName)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"-{parameterName} is empty.", parameterName);
        if (value.Length > MaxSecretLength)
            throw new ArgumentException($"-{parameterName} is {value.Length} characters long: more than a value of this kind can be. " +
                $"Check what was passed.", parameterName);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsControl(c) || IsInvisible(c) || ((i == 0 || i == value.Length - 1) && char.IsWhiteSpace(c)))
                throw new ArgumentException($"-{parameterName} contains a control, invisible or leading/trailing blank character at position {i + 1}; " +
                    $"a copy-paste error is likely. The value is not shown.", parameterName);
        }
        return value;
    }

    /// <summary>Longest duration accepted anywhere (100 years: longer than any CA should live).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(36525);

    /// <summary>Kind "duration": longer than zero and at most 100 years.</summary>
    public static TimeSpan Duration(TimeSpan value, string parameterName)
    {
        if (value <= TimeSpan.Zero)
            throw new ArgumentException($"-{parameterName} {value} is {(value < TimeSpan.Zero ? "negative" : "zero")}: a duration must be longer than zero. " +
                $"Give one such as '1h' or leave the parameter out for the default.", parameterName);
        if (value > MaxDuration)
            throw new ArgumentException($"-{parameterName} {value} is longer than 100 years. Give a duration such as '8760h'.", parameterName);
        return value;
    }

    // ---- shared ----

    /// <summary>
    /// The rules every kind shares: present, no control or invisible format characters, no leading or
    /// trailing blank, at most <paramref name="maxLength"/> characters.
    /// </summary>
    public static void CheckText(string? value, string parameterName, int maxLength, string example)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"-{parameterName} is empty. Give {example}.", parameterName);
        if (value.Length > maxLength)
            throw new ArgumentException($"-{parameterName} {Shown(value)} is longer than {maxLength} characters. Give {example}.", parameterName);
        foreach (char c in value)
        {
            if (char.IsControl(c))
                throw new ArgumentException($"-{parameterName} {Shown(value)} contains the control character {Escape(c)}; " +
                    $"remove it (a stray newline from a file or a here-string is likely). Give {example}.", parameterName);
            if (IsInvisible(c))
                throw new ArgumentException($"-{parameterName} {Shown(value)} contains the invisible character {Escape(c)} (a zero-width or text-direction " +
                    $"mark); retype the value.", parameterName);
        }
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
            throw new ArgumentException($"-{parameterName} {Shown(value)} starts or ends with a blank; remove it.", parameterName);
    }

    private static bool IsInvisible(char c) =>
        CharUnicodeInfo.GetUnicodeCategory(c)
            is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    /// <summary>
    /// A value as messages show it: quoted, control and invisible characters spelled out the way
    /// PowerShell writes them (`n, `r, `t, `0, \u{…}), cut to 80 characters with its length.
    /// </summary>
    public static string Shown(string? value)
    {
        if (value is null) return "(null)";
        var sb = new StringBuilder("'");
        int shown = 0;
        foreach (char c in value)
        {
            if (shown++ == 80)
            {
                sb.Append($"…' ({value.Length} characters)");
                return sb.ToString();
            }
            sb.Append(char.IsControl(c) || IsInvisible(c) ? Escape(c) : c.ToString());
        }
        return sb.Append('\'').ToString();
    }

    private static string Escape(char c) => c switch
    {
        '\n' => "`n",
        '\r' => "`r",
        '\t' => "`t",
        '\0' => "`0",
        _ => $"\\u{{{(int)c:X4}}}",
    };

    private static string Sanitize(string value)
    {
        var sb = new StringBuilder();
        foreach (char c in value.Trim())
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '-');
        string s = sb.ToString().Trim('.', '-');
        return s.Length == 0 ? "name" : s;
    }
}
