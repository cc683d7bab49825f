namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// The variables a CI job or an Azure host gives a secretless login (docs/settings.md lists them),
/// read at every login: a job's request token may be replaced, and nothing is cached across logins.
/// </summary>
internal static class JobEnvironment
{
    internal const string SystemOidcRequestUri = "SYSTEM_OIDCREQUESTURI";
    internal const string SystemAccessToken = "SYSTEM_ACCESSTOKEN";
    internal const string ActionsIdTokenRequestUrl = "ACTIONS_ID_TOKEN_REQUEST_URL";
    internal const string ActionsIdTokenRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    internal const string IdentityEndpoint = "IDENTITY_ENDPOINT";
    internal const string IdentityHeader = "IDENTITY_HEADER";

    /// <summary>The variable's value, or null when it is unset or blank.</summary>
    internal static string? Read(string name) =>
        Environment.GetEnvironmentVariable(name) is string v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    /// <summary>
    /// A secret the job sends as a header (SYSTEM_ACCESSTOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN, IDENTITY_HEADER), or null when
    /// unset. A line break in it would add headers of its choosing to the request (and split the value, so that an endpoint
    /// echoing part of it gets past the redaction of errors): anything but one plain token is refused before it is sent.
    /// </summary>
    internal static string? ReadSecret(string name)
    {
        if (Read(name) is not string value) return null;
        try
        {
            return Validation.InputValidator.Secret(value, name);
        }
        catch (ArgumentException)
        {
            throw new ExternalTokenUnavailableException($"{name} is not one token: it holds a line break, a control or invisible character, or is " +
                "too long (the value is not shown). The platform sets a single token; check what the step maps into it.", name);
        }
    }

    /// <summary>
    /// An endpoint URL from a variable: absolute http(s), no user info, a path that cannot name another
    /// host ('//host/…' is read as a new authority when resolved). Plain http only to this machine, or to
    /// a link-local address when <paramref name="linkLocalHttp"/> (Azure's own identity endpoints live
    /// there): every request carries a bearer token or IDENTITY_HEADER, which plain http to another
    /// machine would hand to anyone on the path. Anything else is refused with the variable named (the
    /// value is shown only redacted), before a byte is sent.
    /// </summary>
    internal static Uri Endpoint(string name, string value, bool linkLocalHttp = false)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo) || uri.AbsolutePath.StartsWith("//", StringComparison.Ordinal))
            throw new ExternalTokenUnavailableException(
                $"{name} is set but is not an http(s) address ({Validation.UrlRedaction.Redact(value)}); the job's environment is not what " +
                $"the platform sets. Unset it or fix it.", name);
        if (PlaintextTransport.ExposesSecrets(uri) && !(linkLocalHttp && IsLinkLocal(uri)))
            throw new ExternalTokenUnavailableException(
                $"{name} is plain http:// to another machine ({uri.GetLeftPart(UriPartial.Authority)}): the job's token would cross the network " +
                $"readable by anyone on the path, so it is not sent. The platform sets an https:// address" +
                (linkLocalHttp ? ", one on this machine or a link-local one." : " (or one on this machine).") + " Unset the variable or fix it.", name);
        return uri;
    }

    /// <summary>169.254.0.0/16 or fe80::/10: an address that never leaves the local link (not routed).</summary>
    private static bool IsLinkLocal(Uri uri) =>
        uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && System.Net.IPAddress.TryParse(uri.DnsSafeHost, out var ip)
        && (ip.IsIPv6LinkLocal || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes() is [169, 254, _, _]));
}
