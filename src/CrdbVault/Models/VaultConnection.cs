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

    public override string ToString() => $"{Address} ({AuthMethod}{(Namespace is null ? "" : ", namespace " + Namespace)})";
}
