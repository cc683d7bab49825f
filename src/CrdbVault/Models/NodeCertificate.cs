using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Certificates;

namespace CrdbVault;

/// <summary>A CockroachDB node certificate (CN node, the hosts as SANs, serverAuth+clientAuth) from Vault PKI.</summary>
public sealed class NodeCertificate
{
    /// <summary>Issued, or Current: -RenewWithin kept the certificate in -CertsDir, nothing was issued or written.</summary>
    public required CertificateStatus Status { get; init; }
    public required string[] Hosts { get; init; }
    public required string MountPath { get; init; }
    /// <summary>
    /// The PKI role that issued it (for a Current certificate: the role this run would have issued with).
    /// PkiRole, not Role: it is no database role; see ClientCertificate.PkiRole.
    /// </summary>
    public required string PkiRole { get; init; }
    public required string SerialNumber { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required string Thumbprint { get; init; }
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }
    public string? CaPath { get; init; }
    public required X509Certificate2 Certificate { get; init; }
    /// <summary>SecureString (PEM) without -CertsDir; null when written to files.</summary>
    public object? PrivateKey { get; init; }

    /// <summary>The certificate as users see it: the key as a SecureString without a certs dir, else the paths.</summary>
    internal static NodeCertificate From(IssueResult result, string[] hosts, string pkiRole)
    {
        IssuedCertificate issued = result.Certificate;
        return new NodeCertificate
        {
            Status = CertificateStatus.Issued,
            Hosts = hosts,
            MountPath = issued.MountPath,
            PkiRole = pkiRole,
            SerialNumber = issued.SerialNumber,
            NotAfter = issued.NotAfter,
            Thumbprint = issued.Certificate.Thumbprint,
            CertificatePath = result.Files?.CertificatePath,
            KeyPath = result.Files?.KeyPath,
            CaPath = result.Files?.CaPath,
            Certificate = issued.Certificate,
            PrivateKey = result.Files is null ? issued.PrivateKeyPem : null,
        };
    }

    /// <summary>The certificate -RenewWithin kept: its public part and the paths, never the key (it stays in node.key).</summary>
    internal static NodeCertificate From(CurrentCertificate current, string[] hosts, string pkiRole) => new()
    {
        Status = CertificateStatus.Current,
        Hosts = hosts,
        MountPath = current.Ca.MountPath,
        PkiRole = pkiRole,
        SerialNumber = current.SerialNumber,
        NotAfter = current.NotAfter,
        Thumbprint = current.Certificate.Thumbprint,
        CertificatePath = current.Files.CertificatePath,
        KeyPath = current.Files.KeyPath,
        CaPath = current.Files.CaPath,
        Certificate = current.Certificate,
    };

    public override string ToString() => $"node (serial {SerialNumber}, expires {NotAfter:u})";
}
