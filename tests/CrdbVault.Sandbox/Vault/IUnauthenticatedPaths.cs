namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// Optional for engines: paths that need no token (logins, <c>pki/ca/pem</c>, <c>sys/health</c>).
/// A token sent on such a path is still resolved when valid, so the engine can use it.
/// </summary>
public interface IUnauthenticatedPaths
{
    /// <param name="method">GET, LIST, POST, PUT or DELETE.</param>
    /// <param name="path">Relative to the mount, no leading or trailing slash.</param>
    bool IsUnauthenticated(string method, string path);
}
