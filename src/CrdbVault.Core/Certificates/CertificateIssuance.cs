using System.Net;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Files;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Certificates;

/// <summary>Where a certificate set was written.</summary>
public sealed record WrittenFiles(string CertificatePath, string KeyPath, string? Pkcs8Path, string CaPath, bool CaWritten);

/// <summary>An issued, checked certificate and (when a certs dir was given) where it went.</summary>
public sealed record IssueResult(IssuedCertificate Certificate, CaInfo Ca, WrittenFiles? Files);

/// <summary>
/// Client and node certificates end to end: validate input, check the certs dir BEFORE asking Vault
/// (never issue a certificate that cannot be written), issue, check the certificate (principals, usages,
/// chain to the mount's CA), write all files or none. A certificate that fails a check or cannot be
/// written is revoked at once (best effort) so it does not linger valid.
/// </summary>
public static class CertificateIssuance
{
    public static async Task<IssueResult> IssueClientAsync(PkiEngine engine, string role, string user, TimeSpan? ttl, CertsDirectory? dir, bool pkcs8,
        bool force,
        CaInfo? knownCa, Action<string>? trace, CancellationToken ct, bool allowPrivilegedUser = false)
    {
        InputValidator.SqlUserName(user);
        CockroachPkiRoles.RefusePrivilegedUser(user, allowPrivilegedUser, "and the issuer policy denies it (an administrator's token may issue it).");
        InputValidator.PathSegment(role, "Role");
        CaInfo ca = knownCa ?? await ReadCaOrThrowAsync(engine, ct).ConfigureAwait(false);
        bool writeCa = false;
        if (dir is not null)
        {
            var targets = new List<string> { dir.ClientCertPath(user), dir.ClientKeyPath(user) };
            if (pkcs8) targets.Add(dir.ClientPkcs8Path(user));
            dir.RefuseInconsistentSet(dir.CheckClientSet(user), $"New-CrdbClientCert -User {user} -CertsDir '{dir.FullPath}'", force, trace);
            writeCa = PrepareCa(dir, ca, targets);
            dir.CheckWritable(targets, force);
            RemoveTemporaries(dir.ClientSetPaths(user), trace);
        }

        IssuedCertificate issued = await engine.IssueAsync(role, new PkiIssueRequest { CommonName = user, Ttl = ttl, ExcludeCnFromSans = true }, ct)
            .ConfigureAwait(false);
        trace?.Invoke($"Vault issued serial {issued.SerialNumber} for '{user}', valid until {issued.NotAfter:u}.");
        await CheckOrRevokeAsync(engine, issued, () =>
        {
            CertificateChecks.VerifyClient(issued.Certificate, user, [ca.Certificate], issued.CaChain.Where(c => !CertificateChecks.IsSelfSigned(c)).ToList());
            CertsDirectory.VerifyKeyMatches(issued);
        }, ct).ConfigureAwait(false);

        WrittenFiles? written = null;
        if (dir is not null)
        {
            IReadOnlyList<PendingFile> files = dir.ClientFiles(issued, user, pkcs8, ca.Certificate, writeCa);
            await WriteOrRevokeAsync(engine, issued, dir, files, force, ct).ConfigureAwait(false);
            written = new WrittenFiles(dir.ClientCertPath(user), dir.ClientKeyPath(user), pkcs8 ? dir.ClientPkcs8Path(user) : null, dir.CaPath, writeCa);
            trace?.Invoke($"Wrote {string.Join(", ", files.Select(f => Path.GetFileName(f.Path)))} to {dir.FullPath}.");
        }
        return Result(issued, ca, written);
    }

    public static async Task<IssueResult> IssueNodeAsync(PkiEngine engine, string role, IReadOnlyList<string> hosts, TimeSpan? ttl, CertsDirectory? dir,
        bool force,
        Action<string>? trace, CancellationToken ct)
    {
        InputValidator.PathSegment(role, "Role");
        (List<string> dns, List<IPAddress> ips) = SplitHosts(hosts);
        CaInfo ca = await ReadCaOrThrowAsync(engine, ct).ConfigureAwait(false);
        bool writeCa = false;
        if (dir is not null)
        {
            var targets = new List<string> { dir.NodeCertPath, dir.NodeKeyPath };
            dir.RefuseInconsistentSet(dir.CheckNodeSet(), $"New-CrdbNodeCert -CertsDir '{dir.FullPath}'", force, trace);
            writeCa = PrepareCa(dir, ca, targets);
            dir.CheckWritable(targets, force);
            RemoveTemporaries(dir.NodeSetPaths, trace);
        }
        IssuedCertificate issued = await engine.IssueAsync(role, new PkiIssueRequest
        {
            CommonName = "node",
            AltNames = dns,
            IpSans = ips.Select(i => i.ToString()).ToList(),
            Ttl = ttl,
        }, ct).ConfigureAwait(false);
        trace?.Invoke($"Vault issued node certificate serial {issued.SerialNumber} for {string.Join(", ", hosts)}, valid until {issued.NotAfter:u}.");
        await CheckOrRevokeAsync(engine, issued, () =>
        {
            CertificateChecks.VerifyNode(issued.Certificate, dns, ips, [ca.Certificate], issued.CaChain.Where(c => !CertificateChecks.IsSelfSigned(c))
                .ToList());
            CertsDirectory.VerifyKeyMatches(issued);
        }, ct).ConfigureAwait(false);
        WrittenFiles? written = null;
        if (dir is not null)
        {
            IReadOnlyList<PendingFile> files = dir.NodeFiles(issued, ca.Certificate, writeCa);
            await WriteOrRevokeAsync(engine, issued, dir, files, force, ct).ConfigureAwait(false);
            written = new WrittenFiles(dir.NodeCertPath, dir.NodeKeyPath, null, dir.CaPath, writeCa);
            trace?.Invoke($"Wrote {string.Join(", ", files.Select(f => Path.GetFileName(f.Path)))} to {dir.FullPath}.");
        }
        return Result(issued, ca, written);
    }

    /// <summary>Temporaries an interrupted write left hold private keys: the next run removes them.</summary>
    private static void RemoveTemporaries(IEnumerable<string> paths, Action<string>? trace)
    {
        foreach (string temp in SecretFileWriter.RemoveTemporaries(paths).Temporaries)
            trace?.Invoke($"Removed '{temp}', a temporary file an interrupted write left behind.");
    }

    /// <summary>Host names become DNS SANs, addresses IP SANs; each is checked before any request.</summary>
    public static (List<string> Dns, List<IPAddress> Ips) SplitHosts(IReadOnlyList<string> hosts)
    {
        if (hosts.Count == 0) throw new ArgumentException("-Hosts is empty. Give the names and addresses clients use to reach the node, e.g. " +
            "-Hosts db1.internal,10.0.0.5,localhost.", "Hosts");
        var dns = new List<string>();
        var ips = new List<IPAddress>();
        foreach (string raw in hosts)
        {
            string h = InputValidator.Host(raw, "Hosts");
            if (IPAddress.TryParse(h.Trim('[', ']'), out IPAddress? ip)) { if (!ips.Contains(ip)) ips.Add(ip); continue; }
            if (!dns.Contains(h, StringComparer.OrdinalIgnoreCase)) dns.Add(h.ToLowerInvariant());
        }
        return (dns, ips);
    }

    /// <summary>The mount's CA; a mount without one is a NotFound error that says how to create it.</summary>
    public static async Task<CaInfo> ReadCaOrThrowAsync(PkiEngine engine, CancellationToken ct) =>
        await engine.ReadCaAsync(ct).ConfigureAwait(false)
        ?? throw new VaultApiException($"Mount '{engine.MountPath}' has no CA yet. " +
            $"Run Initialize-CrdbCertificateAuthority -MountPath '{engine.MountPath}' first.",
            VaultErrorKind.NotFound, $"{engine.MountPath}/ca/pem", 204);

    /// <summary>ca.crt is written when absent; kept when it already holds this CA; otherwise it is a target that needs -Force.</summary>
    private static bool PrepareCa(CertsDirectory dir, CaInfo ca, List<string> targets)
    {
        if (dir.CaFileHolds(ca.Certificate, out bool exists)) return false;
        if (exists) targets.Add(dir.CaPath); // another CA: replacing it needs -Force
        return true;
    }

    /// <summary>
    /// The result for the caller. A key that was not written to files is handed out with it, so it is
    /// registered for CI masking first, line by line (docs/ci-pipelines.md).
    /// </summary>
    private static IssueResult Result(IssuedCertificate issued, CaInfo ca, WrittenFiles? written)
    {
        if (written is null) CiMasking.Register(issued.PrivateKeyPem);
        return new IssueResult(issued, ca, written);
    }

    private static async Task CheckOrRevokeAsync(PkiEngine engine, IssuedCertificate issued, Action check, CancellationToken ct)
    {
        try
        {
            check();
        }
        catch (CertificateRejectedException ex)
        {
            string what = await TryRevokeAsync(engine, issued, ct).ConfigureAwait(false);
            throw new CertificateRejectedException($"{ex.Message} Nothing was written; {what} Fix the role (Initialize-CrdbCertificateAuthority rewrites it) " +
                $"and try again.");
        }
    }

    private static async Task WriteOrRevokeAsync(PkiEngine engine, IssuedCertificate issued, CertsDirectory dir, IReadOnlyList<PendingFile> files, bool force,
        CancellationToken ct)
    {
        try
        {
            dir.Write(files, force);
        }
        catch (PartialWriteException ex)
        {
            string what = await TryRevokeAsync(engine, issued, ct).ConfigureAwait(false);
            throw new IOException($"Writing the certificate files to '{dir.FullPath}' failed midway: {ex.Message} Also {what}", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string what = await TryRevokeAsync(engine, issued, ct).ConfigureAwait(false);
            throw new IOException($"Writing the certificate files to '{dir.FullPath}' failed ({ex.Message}); nothing was written and {what}", ex);
        }
    }

    /// <summary>With revoke-with-key: the issuer policy allows it (proof of possession), not pki/revoke.</summary>
    private static async Task<string> TryRevokeAsync(PkiEngine engine, IssuedCertificate issued, CancellationToken ct)
    {
        string serial = issued.SerialNumber;
        try
        {
            await engine.RevokeWithKeyAsync(serial, issued.PrivateKeyPem, ct).ConfigureAwait(false);
            return $"the certificate (serial {serial}) was revoked.";
        }
        catch (Exception ex) when (ex is VaultApiException or ArgumentException)
        {
            return $"revoking the certificate (serial {serial}) failed too ({ex.Message}): " +
                $"revoke it with Revoke-CrdbCertificate -SerialNumber {serial} -MountPath '{engine.MountPath}'.";
        }
    }
}
