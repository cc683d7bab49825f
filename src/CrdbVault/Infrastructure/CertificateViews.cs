using CrdbVault.Core.Certificates;

namespace CrdbVault.Infrastructure;

/// <summary>Builds the PS-facing certificate objects from Core records (keeps Core types out of public signatures).</summary>
internal static class CertificateViews
{
    internal static CertificateAuthority Authority(CaInfo ca) => new()
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
}

/// <summary>Completes PKI role names on the mount given by -MountPath.</summary>
public sealed class PkiRoleCompleter : LiveCompleter
{
    private protected override async Task<IEnumerable<string>> GetNames(VaultConnection c, System.Collections.IDictionary bound, CancellationToken ct) =>
        await new PkiEngine(c.Session.Client, Mount(bound, "cockroach_client_ca")).ListRolesAsync(ct).ConfigureAwait(false);
}
