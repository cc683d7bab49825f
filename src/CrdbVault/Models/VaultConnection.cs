using CrdbVault.Core.Vault;

namespace CrdbVault;

/// <summary>
/// A Vault connection as Connect-CrdbVault returns it. Shows where and as whom you are connected,
/// never the token. Pass it to any cmdlet's -Vault to use more than one Vault at a time.
/// </summary>
public sealed class VaultConnection
{
    internal VaultConnection(VaultSession session) => Session = session;

    internal VaultSession Session { get; }

    internal VaultClient Client => Session.Client;

    public Uri Address => Session.Address;
    public string? Namespace => Session.Namespace;

    /// <summary>token, approle, ...</summary>
    public string AuthMethod => Session.Auth.Name;
    public string? DisplayName => Session.DisplayName;
    public string[] Policies => [.. Session.Policies];
    public string? TokenAccessor => Session.Accessor;

    /// <summary>When the token expires (null: never); moves forward when the module renews it.</summary>
    public DateTimeOffset? ExpiresAt => Session.ExpiresAt;
    public bool Renewable => Session.Renewable;

    /// <summary>When the current token ends whatever is renewed (not renewable, explicit_max_ttl, or a capped renewal); null while unknown.</summary>
    public DateTimeOffset? TokenEndsAt => Session.Token.KnownEnd;

    /// <summary>When the module last renewed the token or logged in again (in the background or before a call); null before the first time.</summary>
    public DateTimeOffset? LastRenewal => Session.LastRenewal;

    /// <summary>Why the last background renewal failed; null when it worked. The next command that uses the connection also warns.</summary>
    public string? RenewalError => Session.RenewalError;

    /// <summary>True while the module renews the token in the background (until Disconnect-CrdbVault or the runspace closes).</summary>
    public bool RenewsInBackground => Session.RenewsInBackground;

    /// <summary>The lease ledger file (-LedgerPath, CRDBVAULT_LEDGER, or the CI default); null: leases are recorded in this session only.</summary>
    public string? LedgerPath => Session.Ledger.FilePath;

    public override string ToString() => $"{Address} ({AuthMethod}{(Namespace is null ? "" : ", namespace " + Namespace)})";
}
