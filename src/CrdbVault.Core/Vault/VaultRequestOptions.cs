namespace CrdbVault.Core.Vault;

/// <summary>How one request may be treated.</summary>
public sealed class VaultRequestOptions
{
    /// <summary>Safe to repeat: retried on 412/429/5xx≠501/connection errors.</summary>
    public bool Idempotent { get; init; }

    /// <summary>Send no token (logins).</summary>
    public bool Anonymous { get; init; }

    /// <summary>
    /// For calls that create something (credentials, certificates, data keys): what to tell the
    /// user when the outcome is unknown, e.g. "check leases under database/creds/app".
    /// </summary>
    public string? UnknownOutcomeHint { get; init; }

    public static readonly VaultRequestOptions Read = new() { Idempotent = true };
    public static readonly VaultRequestOptions IdempotentWrite = new() { Idempotent = true };
}
