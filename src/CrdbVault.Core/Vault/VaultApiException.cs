using System.Net;

namespace CrdbVault.Core.Vault;

/// <summary>What kind of failure a Vault call met; the cmdlets map it to an ErrorRecord id and category.</summary>
public enum VaultErrorKind
{
    /// <summary>Vault answered with an error we have no more specific kind for.</summary>
    Other,
    /// <summary>403 with 'invalid token': the token is wrong, expired or revoked.</summary>
    InvalidToken,
    /// <summary>403 without 'invalid token': the token's policies lack a capability on the path.</summary>
    PermissionDenied,
    /// <summary>404: the path, mount or object does not exist (or the token may not know).</summary>
    NotFound,
    /// <summary>400/405/409 and friends: Vault rejected what we sent.</summary>
    InvalidRequest,
    /// <summary>429: a rate-limit or lease-count quota.</summary>
    RateLimited,
    /// <summary>503 sealed / standby, 500, 502.</summary>
    ServerError,
    /// <summary>No connection could be made (refused, DNS, TLS).</summary>
    ConnectionFailed,
    /// <summary>The request did not finish within the client timeout.</summary>
    Timeout,
}

/// <summary>An error answered by Vault or met on the way to it. Never carries a secret.</summary>
public sealed class VaultApiException : Exception
{
    public VaultApiException(string message, VaultErrorKind kind, string path, int status = 0,
        IReadOnlyList<string>? errors = null, bool mayHaveExecuted = false, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Path = path;
        Status = status;
        Errors = errors ?? [];
        MayHaveExecuted = mayHaveExecuted;
    }

    /// <summary>HTTP status, 0 when no answer arrived.</summary>
    public int Status { get; }

    /// <summary>The <c>errors</c> array Vault sent.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The API path, relative to <c>/v1/</c>.</summary>
    public string Path { get; }

    public VaultErrorKind Kind { get; }

    /// <summary>True when a non-idempotent request may have taken effect although we saw no success.</summary>
    public bool MayHaveExecuted { get; }

    public HttpStatusCode? StatusCode => Status == 0 ? null : (HttpStatusCode)Status;

    /// <summary>
    /// True when Vault refused the request (400) with an error containing one of
    /// <paramref name="phrases"/>: how Vault says "no such role", "no such lease", "key not found".
    /// </summary>
    public bool IsRefusal(params string[] phrases) => Status == 400 && Mentions(phrases);

    /// <summary>True when one of Vault's errors contains one of <paramref name="phrases"/> (any letter case).</summary>
    public bool Mentions(params string[] phrases) => Errors.Any(e => phrases.Any(p => e.Contains(p, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The same answer told as "not found", with a message that says what to do instead.</summary>
    public VaultApiException AsNotFound(string message, string? path = null) =>
        new(message, VaultErrorKind.NotFound, path ?? Path, Status, Errors);
}
