using System.Security.Cryptography.X509Certificates;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>A CA certificate of the mount (generated or imported) and, when known, its key.</summary>
internal sealed class PkiIssuer
{
    public required string Id { get; init; }
    public string Name { get; set; } = "";
    public required X509Certificate2 Certificate { get; init; }
    public PkiKey? Key { get; set; }
    public string SerialNumber => PkiCertificates.Format(Certificate.SerialNumberBytes.Span);

    /// <summary>CRL number, incremented at every rebuild.</summary>
    public long CrlNumber { get; set; }
    public byte[]? CrlDer { get; set; }
}

/// <summary>A certificate the mount issued and stored (no_store=false).</summary>
internal sealed class PkiStoredCert
{
    public required string Serial { get; init; }
    public required X509Certificate2 Certificate { get; init; }
    public required string IssuerId { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? LeaseId { get; set; }
}
