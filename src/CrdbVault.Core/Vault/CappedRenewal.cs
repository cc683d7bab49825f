namespace CrdbVault.Core.Vault;

/// <summary>
/// Vault says in a renewal's warnings when it granted less than asked because a max TTL was reached:
/// <c>TTL of "1h0m0s" exceeded the effective max_ttl of "30m0s"; TTL value is capped accordingly</c> (periodic
/// tokens: <c>Period of "…" exceeded …</c>, casing varies by version). It is the only place a role's
/// token_max_ttl ever shows: lookup-self does not report it (docs/vault-notes.md, "Capped renewals").
/// </summary>
public static class CappedRenewal
{
    private const string Marker = "exceeded the effective max_ttl";

    /// <summary>True when one of the warnings says the granted TTL was capped.</summary>
    public static bool WasCapped(IReadOnlyList<string> warnings) =>
        warnings.Any(w => w.Contains(Marker, StringComparison.OrdinalIgnoreCase));
}
