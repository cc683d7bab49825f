using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Secrets;

namespace CrdbVault;

/// <summary>
/// A CockroachDB client certificate from Vault PKI (CN = the SQL user). With -CertsDir the files are
/// written and PrivateKey is null; without it PrivateKey holds the PEM key as a SecureString (a plain
/// string only with -AsPlainText). Pipe it to Revoke-CrdbCertificate or Revoke-CrdbLease. Status says
/// whether it was issued now or (-RenewWithin) is the current one already in the certs dir.
/// </summary>
public sealed class ClientCertificate
{
    /// <summary>Issued, or Current: -RenewWithin kept the certificate in -CertsDir, nothing was issued or written.</summary>
    public required CertificateStatus Status { get; init; }
    public required string User { get; init; }
    public required string MountPath { get; init; }
    /// <summary>
    /// The PKI role that issued it (for a Current certificate: the role this run would have issued with).
    /// Named PkiRole, not Role, so that a certificate piped into New-CrdbDynamicCredential does not bind
    /// its PKI role to -Role (a database role).
    /// </summary>
    public required string PkiRole { get; init; }
    public required string SerialNumber { get; init; }
    public required DateTimeOffset NotAfter { get; init; }
    public required string Thumbprint { get; init; }
    public string? CertificatePath { get; init; }
    public string? KeyPath { get; init; }
    public string? Pkcs8Path { get; init; }
    public string? CaPath { get; init; }
    public required X509Certificate2 Certificate { get; init; }
    /// <summary>SecureString (PEM) without -CertsDir; string only with -AsPlainText; null when written to files.</summary>
    public object? PrivateKey { get; init; }
    public string? LeaseId { get; init; }

    /// <summary>
    /// The certificate as users see it: without a certs dir the key is a SecureString (Core registered it
    /// for CI masking), a plain string only when <paramref name="asPlainText"/>; with one, the paths.
    /// </summary>
    internal static ClientCertificate From(IssueResult result, string user, string pkiRole, bool asPlainText)
    {
        IssuedCertificate issued = result.Certificate;
        return new ClientCertificate
        {
            Status = CertificateStatus.Issued,
            User = user,
            MountPath = issued.MountPath,
            PkiRole = pkiRole,
            SerialNumber = issued.SerialNumber,
            NotAfter = issued.NotAfter,
            Thumbprint = issued.Certificate.Thumbprint,
            CertificatePath = result.Files?.CertificatePath,
            KeyPath = result.Files?.KeyPath,
            Pkcs8Path = result.Files?.Pkcs8Path,
            CaPath = result.Files?.CaPath,
            Certificate = issued.Certificate,
            PrivateKey = result.Files is not null ? null : asPlainText ? SecureStrings.Reveal(issued.PrivateKeyPem) : issued.PrivateKeyPem,
            LeaseId = issued.LeaseId,
        };
    }

    /// <summary>
    /// The certificate -RenewWithin kept: its public part and the paths of the set, never the key (it
    /// stays in its file); no lease is known for it.
    /// </summary>
    internal static ClientCertificate From(CurrentCertificate current, string user, string pkiRole) => new()
    {
        Status = CertificateStatus.Current,
        User = user,
        MountPath = current.Ca.MountPath,
        PkiRole = pkiRole,
        SerialNumber = current.SerialNumber,
        NotAfter = current.NotAfter,
        Thumbprint = current.Certificate.Thumbprint,
        CertificatePath = current.Files.CertificatePath,
        KeyPath = current.Files.KeyPath,
        Pkcs8Path = current.Files.Pkcs8Path,
        CaPath = current.Files.CaPath,
        Certificate = current.Certificate,
    };

    public override string ToString() => $"client.{User} (serial {SerialNumber}, expires {NotAfter:u})";
}
