namespace CrdbVault.Core.Vault;

/// <summary>
/// What is known about the end of ONE Vault token (one accessor). Vault revokes every lease a token
/// created when that token ends, and a later login does not adopt them, so a lease issued under this
/// token dies at <see cref="KnownEnd"/> at the latest (docs/vault-notes.md, "Leases die with their token").
/// Credentials keep a reference to the lifetime of the token that issued them, so an end learned later
/// (a renewal that came back capped) shows on them too.
/// </summary>
public sealed class TokenLifetime(string? accessor)
{
    private readonly object _gate = new();
    private DateTimeOffset? _knownEnd;
    private string? _reason;

    public string? Accessor { get; } = accessor;

    /// <summary>When the token ends for certain; null while Vault has not told (a renewable token without explicit_max_ttl).</summary>
    public DateTimeOffset? KnownEnd
    {
        get { lock (_gate) return _knownEnd; }
    }

    /// <summary>How the end became known: "not renewable", "explicit_max_ttl", "a renewal capped at the max TTL".</summary>
    public string? Reason
    {
        get { lock (_gate) return _reason; }
    }

    /// <summary>Records an end; the earliest one learned wins (an end never moves later once known).</summary>
    internal void Learn(DateTimeOffset end, string reason)
    {
        lock (_gate)
        {
            if (_knownEnd is DateTimeOffset known && known <= end) return;
            _knownEnd = end;
            _reason = reason;
        }
    }

    public override string ToString() => $"token {Accessor} ends {(KnownEnd is DateTimeOffset e ? e.ToString("u") : "unknown")}";
}
