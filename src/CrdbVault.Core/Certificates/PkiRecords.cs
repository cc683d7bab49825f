namespace CrdbVault.Core.Certificates;

// The answers of the PKI secrets engine, one record each (read with Vault.VaultJson).

/// <summary><c>pki/issuer/default/json</c>: the default issuer's id (Vault 1.11 and later).</summary>
internal sealed record IssuerData(string? IssuerId);

/// <summary><c>pki/root/generate/internal</c>: the new root (its key stays in Vault).</summary>
internal sealed record GeneratedRootData(string? Certificate, string? IssuerId);

/// <summary>
/// <c>pki/issue/:role</c>. The chain comes as <c>ca_chain</c>, or (older Vaults) only as
/// <c>issuing_ca</c>; both are read.
/// </summary>
internal sealed record IssuedCertificateData(
    string? Certificate,
    string? PrivateKey,
    string? PrivateKeyType,
    IReadOnlyList<string>? CaChain,
    string? IssuingCa,
    string? SerialNumber);

/// <summary><c>pki/revoke</c> and <c>pki/revoke-with-key</c>: when, in Unix seconds (a number or a quoted one).</summary>
internal sealed record RevocationData(long? RevocationTime);
