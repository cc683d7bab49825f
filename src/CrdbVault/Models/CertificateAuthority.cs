using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Certificates;

namespace CrdbVault;

/// <summary>
/// The CA of a Vault PKI mount (its default issuer). Carries the PEM and the X509Certificate2 so it
/// can be piped on (e.g. to Set-CrdbClientCaCert for CockroachDB Cloud) or written to ca.crt.
/// </summary>
public sealed class CertificateAuthority
{
    public required string MountPath { get; init; }
    public required string CommonName { get; init; }
    public string? IssuerId { get; init; }
    /// <summary>
    /// The CA certificate's serial. CaSerialNumber, not SerialNumber: a CA piped into
    /// Revoke-CrdbCertificate or Revoke-CrdbLease must not bind as a certificate to revoke.
    /// </summary>
    public required string CaSerialNumber { get; init; }
    public required DateTimeOffset NotBefore { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required string Thumbprint { get; init; }
    public required string Pem { get; init; }
    public required X509Certificate2 Certificate { get; init; }

    internal static CertificateAuthority From(CaInfo ca) => new()
    {
        MountPath = ca.MountPath,
        CommonName = CertificateChecks.CommonName(ca.Certificate) ?? ca.Certificate.Subject,
        IssuerId = ca.IssuerId,
        CaSerialNumber = ca.SerialNumber,
        NotBefore = new DateTimeOffset(ca.Certificate.NotBefore.ToUniversalTime()),
        NotAfter = new DateTimeOffset(ca.Certificate.NotAfter.ToUniversalTime()),
        Thumbprint = ca.Certificate.Thumbprint,
        Pem = ca.Pem,
        Certificate = ca.Certificate,
    };

    public override string ToString() => $"{CommonName} ({MountPath}, serial {CaSerialNumber})";
}
