using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Certificates;

/// <summary>
/// A certificate already in a certs dir that needs no renewal. Only its public part is read into it;
/// the key stays in its file (it was only compared with the certificate).
/// </summary>
public sealed record CurrentCertificate(X509Certificate2 Certificate, CaInfo Ca, WrittenFiles Files)
{
    public string SerialNumber => CertificateChecks.FormatSerial(Certificate);
    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());
    public override string ToString() => $"{Certificate.Subject} serial {SerialNumber}";
}

/// <summary>
/// What a renewal check found: the set to keep (<see cref="Current"/>), or why a new one is needed;
/// <see cref="Reason"/> says either in a clause.
/// </summary>
public sealed record RenewalDecision(CurrentCertificate? Current, string Reason)
{
    public bool IsCurrent => Current is not null;
}

/// <summary>The end of a renewal run: the set kept, or the certificate issued in its place.</summary>
public sealed record RenewalOutcome(RenewalDecision Decision, IssueResult? Issued)
{
    public bool IsCurrent => Decision.IsCurrent;
}

/// <summary>
/// Certificates on a schedule (<c>-RenewWithin</c>, docs/certificates.md "Renewal on a schedule"): a run
/// keeps the set in the certs dir when its certificate is for the same principal (for a node: exactly
/// the same hosts), chains to the CA the mount serves NOW, passes the checks a new certificate must
/// pass, has its key beside it, and stays valid beyond now + the window. Otherwise a new certificate
/// replaces the set, as issuing with -Force would: a run on a schedule must be able to replace the
/// files it wrote last time, and a set that an interrupted run left mixed, or a file that is garbage,
/// is replaced rather than kept. A ca.crt that holds ANOTHER CA is the exception: it is shared by every
/// certificate in the folder and decides whom a node trusts, so replacing it is a CA rotation, which
/// -RenewWithin alone does not do (refused before Vault is asked; -Force does it).
/// Everything read from the folder is read within its budget (<see cref="InputBudgets"/>).
/// </summary>
public static class CertificateRenewal
{
    /// <summary>More certificates than a leaf and its intermediates: not a file this module (or cockroach cert) writes.</summary>
    public const int MaxCertificatesInFile = 8;

    /// <summary>The window: longer than zero, at most 100 years (the duration kind's rule).</summary>
    public static TimeSpan CheckWindow(TimeSpan renewWithin) => InputValidator.Duration(renewWithin, "RenewWithin");

    /// <summary>
    /// A renewal writes client.&lt;user&gt;.key.pk8 when asked to, or when the set already has one (a stale
    /// copy of the old key would make the set mixed).
    /// </summary>
    public static bool RenewsPkcs8(CertsDirectory dir, string user, bool pkcs8) => pkcs8 || File.Exists(dir.ClientPkcs8Path(user));

    /// <summary>Keep client.&lt;user&gt;.crt, or issue a new one? Reads the folder only; asks Vault nothing.</summary>
    public static RenewalDecision DecideClient(CertsDirectory dir, string user, bool pkcs8, CaInfo ca, TimeSpan renewWithin, DateTimeOffset now, bool force)
    {
        InputValidator.SqlUserName(user);
        CheckWindow(renewWithin);
        string pk8 = dir.ClientPkcs8Path(user);
        var files = new WrittenFiles(dir.ClientCertPath(user), dir.ClientKeyPath(user), File.Exists(pk8) ? pk8 : null, dir.CaPath, CaWritten: false);
        RenewalDecision decision = Decide(files, dir.CheckClientSet(user), ca, renewWithin, now,
            (leaf, intermediates) => CertificateChecks.VerifyClient(leaf, user, [ca.Certificate], intermediates));
        if (decision.IsCurrent && pkcs8 && files.Pkcs8Path is null)
            decision = new RenewalDecision(null, $"{Path.GetFileName(pk8)} is missing and -Pkcs8 asks for it");
        if (!decision.IsCurrent) RefuseForeignCa(dir, ca, force, $"New-CrdbClientCert -User {user} -CertsDir '{dir.FullPath}'");
        return decision;
    }

    /// <summary>
    /// Keep node.crt, or issue a new one? The hosts must be the certificate's exactly, as sets: any order,
    /// names in any letter case, addresses in any notation; a name is never an address.
    /// </summary>
    public static RenewalDecision DecideNode(CertsDirectory dir, IReadOnlyList<string> hosts, CaInfo ca, TimeSpan renewWithin, DateTimeOffset now, bool force)
    {
        (List<string> dns, List<System.Net.IPAddress> ips) = CertificateIssuance.SplitHosts(hosts);
        CheckWindow(renewWithin);
        var files = new WrittenFiles(dir.NodeCertPath, dir.NodeKeyPath, null, dir.CaPath, CaWritten: false);
        RenewalDecision decision = Decide(files, dir.CheckNodeSet(), ca, renewWithin, now,
            (leaf, intermediates) => CertificateChecks.VerifyNode(leaf, dns, ips, [ca.Certificate], intermediates));
        if (!decision.IsCurrent) RefuseForeignCa(dir, ca, force, $"New-CrdbNodeCert -CertsDir '{dir.FullPath}'");
        return decision;
    }

    /// <summary>
    /// The whole run for a runbook calling Core: read the mount's CA, decide, and issue into the folder
    /// when the set is not current (replacing it; see the class summary for ca.crt).
    /// </summary>
    public static async Task<RenewalOutcome> RenewClientAsync(PkiEngine engine, string role, string user, TimeSpan? ttl, CertsDirectory dir, bool pkcs8,
        TimeSpan renewWithin, bool force, Action<string>? trace, CancellationToken ct, bool allowPrivilegedUser = false, TimeProvider? clock = null)
    {
        CaInfo ca = await CertificateIssuance.ReadCaOrThrowAsync(engine, ct).ConfigureAwait(false);
        DateTimeOffset now = (clock ?? TimeProvider.System).GetUtcNow();
        RenewalDecision decision = DecideClient(dir, user, pkcs8, ca, renewWithin, now, force);
        trace?.Invoke(Explain(decision));
        if (decision.IsCurrent) return new RenewalOutcome(decision, null);
        IssueResult issued = await CertificateIssuance.IssueClientAsync(engine, role, user, ttl, dir, RenewsPkcs8(dir, user, pkcs8), force: true, ca, trace,
            ct, allowPrivilegedUser).ConfigureAwait(false);
        if (TooShortWarning(issued, renewWithin, now) is string warning) trace?.Invoke(warning);
        return new RenewalOutcome(decision, issued);
    }

    /// <summary>Like <see cref="RenewClientAsync"/> for node.crt.</summary>
    public static async Task<RenewalOutcome> RenewNodeAsync(PkiEngine engine, string role, IReadOnlyList<string> hosts, TimeSpan? ttl, CertsDirectory dir,
        TimeSpan renewWithin, bool force, Action<string>? trace, CancellationToken ct, TimeProvider? clock = null)
    {
        CaInfo ca = await CertificateIssuance.ReadCaOrThrowAsync(engine, ct).ConfigureAwait(false);
        DateTimeOffset now = (clock ?? TimeProvider.System).GetUtcNow();
        RenewalDecision decision = DecideNode(dir, hosts, ca, renewWithin, now, force);
        trace?.Invoke(Explain(decision));
        if (decision.IsCurrent) return new RenewalOutcome(decision, null);
        IssueResult issued = await CertificateIssuance.IssueNodeAsync(engine, role, hosts, ttl, dir, force: true, trace, ct).ConfigureAwait(false);
        if (TooShortWarning(issued, renewWithin, now) is string warning) trace?.Invoke(warning);
        return new RenewalOutcome(decision, issued);
    }

    /// <summary>The decision as a sentence for a log: kept, or renewed and why.</summary>
    public static string Explain(RenewalDecision decision) =>
        decision.IsCurrent ? $"Kept the certificate: {decision.Reason}. Nothing was issued or written." : $"Renewing the certificate: {decision.Reason}.";

    /// <summary>
    /// A certificate issued for no longer than the window is renewed again by the very next run: say so
    /// (the role's TTL or -Ttl is shorter than -RenewWithin).
    /// </summary>
    public static string? TooShortWarning(IssueResult issued, TimeSpan renewWithin, DateTimeOffset now) =>
        issued.Certificate.NotAfter > now + renewWithin ? null
            : $"The new certificate (serial {issued.Certificate.SerialNumber}) is valid until {issued.Certificate.NotAfter:u}, not beyond -RenewWithin " +
                $"{Describe(renewWithin)} from now, so the next run renews it again. Ask for a longer -Ttl (the role's max_ttl caps it) " +
                "or a shorter -RenewWithin.";

    private static RenewalDecision Decide(WrittenFiles files, IReadOnlyList<string> setProblems, CaInfo ca, TimeSpan window, DateTimeOffset now,
        Action<X509Certificate2, IReadOnlyCollection<X509Certificate2>> verify)
    {
        string cert = Path.GetFileName(files.CertificatePath);
        if (!File.Exists(files.CertificatePath) && !File.Exists(files.KeyPath)) return Renew($"there is no {cert} yet");
        if (setProblems.Count > 0) return Renew($"the files do not belong together ({string.Join("; ", setProblems)})");
        if (!File.Exists(files.CaPath)) return Renew($"{Path.GetFileName(files.CaPath)} is missing");
        if (!new CertsDirectory(Path.GetDirectoryName(files.CaPath)!).CaFileHasCertificates())
            return Renew($"{Path.GetFileName(files.CaPath)} holds no certificate (empty or damaged), so nothing it would verify is trusted");
        try
        {
            CertsDirectory.CheckKeyFile(files.KeyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Renew($"CockroachDB would refuse the key: {ex.Message}");
        }
        if (!TryReadCertificates(files.CertificatePath, out List<X509Certificate2> certs, out string problem)) return Renew(problem);
        X509Certificate2 leaf = certs[0];
        string serial = CertificateChecks.FormatSerial(leaf);
        var notBefore = new DateTimeOffset(leaf.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        if (notBefore > now) return Renew($"{cert} (serial {serial}) is not valid before {notBefore:u}");
        if (notAfter <= now) return Renew($"{cert} (serial {serial}) expired at {notAfter:u}");
        try
        {
            verify(leaf, certs.Skip(1).ToList());
        }
        catch (CertificateRejectedException ex)
        {
            return Renew($"{cert} (serial {serial}) is not one this run would keep: {ex.Message}");
        }
        if (notAfter <= now + window)
            return Renew($"{cert} (serial {serial}) expires at {notAfter:u}, within -RenewWithin {Describe(window)}");
        return new RenewalDecision(new CurrentCertificate(leaf, ca, files),
            $"{cert} (serial {serial}) is valid until {notAfter:u}, beyond -RenewWithin {Describe(window)}, and chains to the CA of '{ca.MountPath}'");
    }

    private static RenewalDecision Renew(string reason) => new(null, reason);

    /// <summary>
    /// The certificate file's certificates, leaf first, within the PEM budget: only CERTIFICATE blocks, at
    /// most <see cref="MaxCertificatesInFile"/>. Anything else makes the file one to replace.
    /// </summary>
    private static bool TryReadCertificates(string path, out List<X509Certificate2> certs, out string problem)
    {
        string name = Path.GetFileName(path);
        certs = [];
        problem = "";
        string text;
        try
        {
            text = InputBudgets.ReadPemFile(path);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            problem = $"{name} cannot be read ({ex.Message})";
            return false;
        }
        var blocks = new List<byte[]>();
        ReadOnlySpan<char> rest = text;
        while (PemEncoding.TryFind(rest, out PemFields fields))
        {
            string label = rest[fields.Label].ToString();
            if (label != "CERTIFICATE")
            {
                problem = $"{name} holds a {InputValidator.Shown(label)} block besides certificates";
                return false;
            }
            if (blocks.Count == MaxCertificatesInFile)
            {
                problem = $"{name} holds more than {MaxCertificatesInFile} certificates (a certificate and its intermediate CAs are a few)";
                return false;
            }
            blocks.Add(Convert.FromBase64String(rest[fields.Base64Data].ToString())); // TryFind found it well-formed
            rest = rest[fields.Location.End..];
        }
        if (blocks.Count == 0)
        {
            problem = $"{name} holds no PEM certificate";
            return false;
        }
        try
        {
            foreach (byte[] der in blocks) certs.Add(new X509Certificate2(der));
        }
        catch (CryptographicException)
        {
            problem = $"{name} holds a certificate that cannot be parsed";
            return false;
        }
        return true;
    }

    /// <summary>A ca.crt of another CA is replaced only with -Force (checked only when a renewal would write).</summary>
    private static void RefuseForeignCa(CertsDirectory dir, CaInfo ca, bool force, string command)
    {
        // An empty or damaged ca.crt is no other CA: it is replaced like a missing one.
        if (force || dir.CaFileHolds(ca.Certificate, out bool exists) || !exists || !dir.CaFileHasCertificates()) return;
        throw new IOException($"'{dir.CaPath}' does not hold the CA that '{ca.MountPath}' issues from now ({ca.Certificate.Subject}), and renewing " +
            $"would replace it. ca.crt is shared by every certificate in the folder and decides whom a node trusts, so -RenewWithin does not replace " +
            $"it by itself: add the new CA to ca.crt first (new CA first, then the old; then SIGHUP the nodes), or run {command} -RenewWithin ... -Force " +
            $"to replace it with the mount's CA alone. Nothing was requested from Vault and nothing was written.");
    }

    /// <summary>'8h', '90m', '45s': the window as users type it.</summary>
    private static string Describe(TimeSpan t) =>
        t.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)t.TotalHours}h"
        : t.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)t.TotalMinutes}m"
        : $"{Math.Ceiling(t.TotalSeconds)}s";
}
