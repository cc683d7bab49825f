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
    /// An endpoint URL from a variable: absolute http(s), no user info. Anything else is refused with
    /// the variable named (the value is shown only redacted).
    /// </summary>
    internal static Uri Endpoint(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host) || !string.IsNullOrEmpty(uri.UserInfo))
            throw new ExternalTokenUnavailableException(
                $"{name} is set but is not an http(s) address ({Validation.UrlRedaction.Redact(value)}); the job's environment is not what " +
                $"the platform sets. Unset it or fix it.", name);
        return uri;
    }
}
