using System.Web;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Database;

/// <summary>The connection URL Vault's postgresql plugin gets, built from a plain URL without credentials.</summary>
public sealed record VaultConnectionUrl(string TemplatedUrl, string SslMode, bool ServerIdentityUnverified, string Host, int Port, string Database)
{
    private static readonly string[] SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>
    /// Inserts <c>{{username}}:{{password}}</c> into <paramref name="plainUrl"/>. An sslmode in the URL
    /// wins; when absent: verify-full with <paramref name="rootCertificateOnVault"/> (a path on the
    /// Vault server), else require, flagged as not verifying the server's identity.
    /// </summary>
    public static VaultConnectionUrl Build(string plainUrl, string? rootCertificateOnVault)
    {
        // Kind "database URL": postgresql://, no credentials (as user:password@ or password= in the query).
        Uri uri = InputValidator.DatabaseUrl(plainUrl, "ConnectionUrl");
        if (rootCertificateOnVault is not null) InputValidator.ReadPath(rootCertificateOnVault, "RootCertificate");
        if (!string.IsNullOrEmpty(uri.Fragment))
            throw new ArgumentException($"-ConnectionUrl {InputValidator.Shown(UrlRedaction.Redact(plainUrl))} has a '#' fragment; " +
                $"remove it.", "ConnectionUrl");

        var query = HttpUtility.ParseQueryString(uri.Query);
        string? sslMode = query["sslmode"];
        bool unverified = false;
        if (sslMode is not null)
        {
            if (Array.IndexOf(SslModes, sslMode) < 0)
                throw new ArgumentException($"sslmode {InputValidator.Shown(sslMode)} in -ConnectionUrl is not one of " +
                    $"{string.Join(", ", SslModes)}.", "ConnectionUrl");
            unverified = sslMode is "require" or "prefer" or "allow" or "disable";
        }
        else if (!string.IsNullOrEmpty(rootCertificateOnVault))
        {
            sslMode = "verify-full";
            query["sslmode"] = sslMode;
            query["sslrootcert"] = rootCertificateOnVault;
        }
        else
        {
            sslMode = "require";
            query["sslmode"] = sslMode;
            unverified = true;
        }

        int port = uri.IsDefaultPort || uri.Port <= 0 ? 26257 : uri.Port;
        string database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0) database = "defaultdb";
        string host = uri.Host.Contains(':') && !uri.Host.StartsWith('[') ? $"[{uri.Host}]" : uri.Host;
        string q = string.Join("&", query.AllKeys.Where(k => k is not null).Select(k => $"{k}={Uri.EscapeDataString(query[k]!)}"));
        string templated = $"postgresql://{{{{username}}}}:{{{{password}}}}@{host}:{port}/{Uri.EscapeDataString(database)}{(q.Length > 0 ? "?" + q : "")}";
        return new VaultConnectionUrl(templated, sslMode, unverified, uri.Host, port, database);
    }

    /// <summary>CockroachDB listens on 26257 and Cloud hosts end in cockroachlabs.cloud; PostgreSQL on 5432.</summary>
    public static bool LooksLikeCockroachDb(string host, int port) =>
        port == 26257 || host.EndsWith(".cockroachlabs.cloud", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads host and port back from a stored (templated) connection URL.</summary>
    public static (string Host, int Port)? TryParseHostPort(string? templatedUrl)
    {
        if (string.IsNullOrEmpty(templatedUrl)) return null;
        string cleaned = templatedUrl.Replace("{{username}}", "u").Replace("{{password}}", "p").Replace("{{name}}", "u");
        if (!Uri.TryCreate(cleaned, UriKind.Absolute, out Uri? uri)) return null;
        return (uri.Host, uri.IsDefaultPort || uri.Port <= 0 ? 26257 : uri.Port);
    }
}
