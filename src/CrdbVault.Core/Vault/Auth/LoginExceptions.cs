namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// A secretless login could not get its external token (the job's OIDC token, a managed identity's
/// access token, a JWT file): the message names the variable or endpoint and the fix. Never carries
/// a token. ErrorRecord id: ExternalTokenUnavailable.
/// </summary>
public sealed class ExternalTokenUnavailableException(string message, string source, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The variable, endpoint or file that did not give a token (e.g. SYSTEM_ACCESSTOKEN).</summary>
    public string TokenSource { get; } = source;
}

/// <summary>
/// Vault refused a login (unknown role, a claim, audience or subject that the role does not allow, an
/// expired token, a wrong password): Vault's own words plus which bound of the role to check.
/// ErrorRecord id: VaultLoginRejected.
/// </summary>
public sealed class VaultLoginRejectedException(string message, string method, string path, int status, IReadOnlyList<string> errors,
    Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The auth method name ('azuredevops', 'jwt', ...).</summary>
    public string Method { get; } = method;

    /// <summary>The login path relative to /v1/, e.g. auth/jwt-github/login.</summary>
    public string Path { get; } = path;

    public int Status { get; } = status;

    /// <summary>What Vault said, made printable.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;
}
