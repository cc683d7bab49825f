using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace CrdbVault.Core.Certificates;

/// <summary>What kind of certificates a PKI mount serves CockroachDB with.</summary>
public enum CertificateKind { Client, Node }

/// <summary>The CA a PKI mount issues from (its default issuer).</summary>
public sealed record CaInfo(string MountPath, X509Certificate2 Certificate, string Pem, string? IssuerId)
{
    public string SerialNumber => CertificateChecks.FormatSerial(Certificate);
    public override string ToString() => $"{Certificate.Subject} ({MountPath})";
}

/// <summary>A certificate fresh from <c>pki/issue</c>. The private key is a SecureString holding PEM.</summary>
public sealed class IssuedCertificate
{
    public required string MountPath { get; init; }
    public required string Role { get; init; }
    public required X509Certificate2 Certificate { get; init; }
    public required string CertificatePem { get; init; }
    public required SecureString PrivateKeyPem { get; init; }
    public required string PrivateKeyType { get; init; }
    /// <summary>The issuing CA first, then its parents (as Vault's ca_chain).</summary>
    public required IReadOnlyList<X509Certificate2> CaChain { get; init; }
    public required string SerialNumber { get; init; }
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());
    public string? LeaseId { get; init; }
    public TimeSpan LeaseDuration { get; init; }
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The self-signed root of the chain (the trust anchor written to ca.crt).</summary>
    public X509Certificate2 Root => CaChain.LastOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData)) ?? CaChain[^1];

    public override string ToString() => $"{Certificate.Subject} serial {SerialNumber}"; // never the key
}

/// <summary>What to ask <c>pki/issue/&lt;role&gt;</c> for.</summary>
public sealed class PkiIssueRequest
{
    public required string CommonName { get; init; }
    public IReadOnlyList<string> AltNames { get; init; } = [];
    public IReadOnlyList<string> IpSans { get; init; } = [];
    public TimeSpan? Ttl { get; init; }
    /// <summary>Keep the CN out of the DNS SANs (client certificates: the CN alone names the user).</summary>
    public bool ExcludeCnFromSans { get; init; }
}

/// <summary>What Initialize found and did, for the cmdlet to report.</summary>
public sealed class CaSetupReport
{
    public bool MountEnabled { get; set; }
    public bool MountTuned { get; set; }
    public bool RootGenerated { get; set; }
    public List<string> RolesWritten { get; } = [];
    public bool PolicyWritten { get; set; }
    public List<string> Notes { get; } = [];
    public bool Changed => MountEnabled || MountTuned || RootGenerated || RolesWritten.Count > 0 || PolicyWritten;
}

/// <summary>A certificate Vault returned that must not be used for CockroachDB (wrong principals, usages or CA).</summary>
public sealed class CertificateRejectedException(string message) : Exception(message);
