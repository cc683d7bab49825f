using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CrdbVault.Core.Files;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Certificates;

/// <summary>The certificate and key files of one user (or the node) in a certs dir do not belong together.</summary>
public sealed class CertificateSetInconsistentException(string message) : IOException(message);

/// <summary>
/// A CockroachDB certs directory (docs/cockroachdb-notes.md#certificates): <c>ca.crt</c>, <c>client.&lt;user&gt;.crt</c>,
/// <c>client.&lt;user&gt;.key</c> (0600), <c>client.&lt;user&gt;.key.pk8</c> (PKCS#8 DER, for Java),
/// <c>node.crt</c>/<c>node.key</c>. Each file is replaced by one rename; the files of a set go in the
/// order ca.crt, key, PKCS#8 key, certificate, so a write that dies midway leaves a key that does not
/// match its certificate (or has none), which <see cref="CheckClientSet"/> / <see cref="CheckNodeSet"/> report.
/// </summary>
public sealed class CertsDirectory
{
    public CertsDirectory(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("-CertsDir is empty. Give a folder such as '~/.cockroach-certs'.", "CertsDir");
        FullPath = System.IO.Path.GetFullPath(ExpandHome(path.Trim()));
    }

    public string FullPath { get; }
    public string CaPath => Combine("ca.crt");
    public string NodeCertPath => Combine("node.crt");
    public string NodeKeyPath => Combine("node.key");
    public string ClientCertPath(string user) => Combine($"client.{InputValidator.SqlUserName(user)}.crt");
    public string ClientKeyPath(string user) => Combine($"client.{InputValidator.SqlUserName(user)}.key");
    public string ClientPkcs8Path(string user) => Combine($"client.{InputValidator.SqlUserName(user)}.key.pk8");

    private string Combine(string name) => System.IO.Path.Combine(FullPath, name);

    /// <summary>'~' and '~/...' become the home folder (PowerShell does this for provider paths, but not for every caller).</summary>
    public static string ExpandHome(string path)
    {
        if (path == "~") return Home();
        if (path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
            return System.IO.Path.Combine(Home(), path[2..]);
        return path;
    }

    private static string Home() =>
        Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) is { Length: > 0 } h ? h : Environment.GetEnvironmentVariable("HOME") ?? "/";

    /// <summary>
    /// Checks, before Vault is asked for anything, that the files can be written: the folder (or, when it does
    /// not exist yet, its parent) is a writable folder and none of <paramref name="targets"/> exists unless
    /// <paramref name="force"/>.
    /// </summary>
    public void CheckWritable(IEnumerable<string> targets, bool force)
    {
        if (File.Exists(FullPath))
            throw new IOException($"-CertsDir '{FullPath}' is a file, not a folder. Pass a folder (it is created when missing).");
        string probeDir = FullPath;
        if (!Directory.Exists(FullPath))
        {
            string? parent = System.IO.Path.GetDirectoryName(FullPath);
            if (parent is null || !Directory.Exists(parent))
                throw new DirectoryNotFoundException($"Neither the certs dir '{FullPath}' nor its parent exists. Create the parent folder first, " +
                    $"or pass another -CertsDir.");
            probeDir = parent;
        }
        string probe = System.IO.Path.Combine(probeDir, $".crdbvault-probe-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new UnauthorizedAccessException($"Cannot write to '{probeDir}' ({ex.Message}). Pass a -CertsDir you can write to, " +
                $"or fix the folder's permissions.");
        }
        if (!force)
        {
            var existing = targets.Where(File.Exists).ToList();
            if (existing.Count > 0)
                throw new IOException($"{string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")}. " +
                    $"Nothing was requested from Vault and nothing was written. Pass -Force to replace, or choose another -CertsDir.");
        }
    }

    /// <summary>True when ca.crt is absent or already holds <paramref name="ca"/> (after a rotation it may hold several CAs).</summary>
    public bool CaFileHolds(X509Certificate2 ca, out bool exists)
    {
        exists = File.Exists(CaPath);
        if (!exists) return false;
        var present = new X509Certificate2Collection();
        try { present.ImportFromPem(Validation.InputBudgets.ReadPemFile(CaPath)); }
        // Unreadable or oversized: another file, replaced only with -Force.
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException) { return false; }
        return present.Any(c => c.RawData.AsSpan().SequenceEqual(ca.RawData));
    }

    /// <summary>
    /// Whether ca.crt holds at least one certificate (read within its budget). An empty or unreadable
    /// ca.crt trusts nobody: CockroachDB fails on it, and it is no CA choice of anyone to keep.
    /// </summary>
    public bool CaFileHasCertificates()
    {
        var present = new X509Certificate2Collection();
        try { present.ImportFromPem(Validation.InputBudgets.ReadPemFile(CaPath)); }
        catch (Exception e) when (e is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException) { return false; }
        return present.Count > 0;
    }

    /// <summary>
    /// The files of a client certificate in the order they are placed: ca.crt when needed, key (0600),
    /// optional PKCS#8 DER key, certificate (+ intermediates) last.
    /// </summary>
    public IReadOnlyList<PendingFile> ClientFiles(IssuedCertificate issued, string user, bool pkcs8, X509Certificate2 ca, bool writeCa)
    {
        var files = new List<PendingFile>();
        if (writeCa) files.Add(new PendingFile(CaPath, Encoding.ASCII.GetBytes(Pem(ca)), Secret: false));
        files.Add(new PendingFile(ClientKeyPath(user), Encoding.ASCII.GetBytes(SecureStrings.Reveal(issued.PrivateKeyPem)), Secret: true));
        if (pkcs8) files.Add(new PendingFile(ClientPkcs8Path(user), Pkcs8Der(issued), Secret: true));
        files.Add(new PendingFile(ClientCertPath(user), Encoding.ASCII.GetBytes(CertificateFileText(issued)), Secret: false));
        return files;
    }

    /// <summary>The node set in the order it is placed: ca.crt when needed, node.key, node.crt last.</summary>
    public IReadOnlyList<PendingFile> NodeFiles(IssuedCertificate issued, X509Certificate2 ca, bool writeCa)
    {
        var files = new List<PendingFile>();
        if (writeCa) files.Add(new PendingFile(CaPath, Encoding.ASCII.GetBytes(Pem(ca)), Secret: false));
        files.Add(new PendingFile(NodeKeyPath, Encoding.ASCII.GetBytes(SecureStrings.Reveal(issued.PrivateKeyPem)), Secret: true));
        files.Add(new PendingFile(NodeCertPath, Encoding.ASCII.GetBytes(CertificateFileText(issued)), Secret: false));
        return files;
    }

    /// <summary>Every file a client set may consist of (for finding what an interrupted write left).</summary>
    public IReadOnlyList<string> ClientSetPaths(string user) => [CaPath, ClientKeyPath(user), ClientPkcs8Path(user), ClientCertPath(user)];

    /// <summary>Every file a node set may consist of.</summary>
    public IReadOnlyList<string> NodeSetPaths => [CaPath, NodeKeyPath, NodeCertPath];

    /// <summary>
    /// What does not belong together among <c>client.&lt;user&gt;.crt</c>, <c>.key</c> and <c>.key.pk8</c>
    /// (empty = consistent, or none there): one present without the other, a key that is not the
    /// certificate's, a PKCS#8 copy of another key. ca.crt is not judged: it may hold another CA on purpose.
    /// </summary>
    public IReadOnlyList<string> CheckClientSet(string user) => CheckPair(ClientCertPath(user), ClientKeyPath(user), ClientPkcs8Path(user));

    /// <summary>Like <see cref="CheckClientSet"/> for node.crt and node.key.</summary>
    public IReadOnlyList<string> CheckNodeSet() => CheckPair(NodeCertPath, NodeKeyPath, null);

    private static IReadOnlyList<string> CheckPair(string certPath, string keyPath, string? pkcs8Path)
    {
        var problems = new List<string>();
        string cert = System.IO.Path.GetFileName(certPath), key = System.IO.Path.GetFileName(keyPath);
        bool hasCert = File.Exists(certPath), hasKey = File.Exists(keyPath), hasPkcs8 = pkcs8Path is not null && File.Exists(pkcs8Path);
        if (hasKey && !hasCert) problems.Add($"{key} is there without {cert}");
        if (hasCert && !hasKey) problems.Add($"{cert} is there without {key}");
        if (hasPkcs8 && !hasKey) problems.Add($"{System.IO.Path.GetFileName(pkcs8Path)} is there without {key}");
        if (!hasCert || !hasKey) return problems;
        X509Certificate2 withKey;
        try
        {
            withKey = LoadPair(certPath, keyPath);
        }
        catch (FileTooLargeException ex)
        {
            problems.Add(ex.Message);
            return problems;
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problems.Add($"{key} is not the key of {cert}");
            return problems;
        }
        using (withKey)
        {
            if (hasPkcs8 && !Pkcs8Matches(withKey, pkcs8Path!))
                problems.Add($"{System.IO.Path.GetFileName(pkcs8Path)} holds another key than {key}");
        }
        return problems;
    }

    /// <summary>A file past its budget (<see cref="InputBudgets"/>): a hostile or foreign file, never parsed.</summary>
    private sealed class FileTooLargeException(string message) : Exception(message);

    /// <summary>
    /// The certificate (its first PEM certificate) with its key, both files read within their budgets
    /// (a huge file in a certs dir costs no memory) and the key's text zeroed after use.
    /// </summary>
    private static X509Certificate2 LoadPair(string certPath, string keyPath)
    {
        string certPem;
        byte[] keyBytes;
        try
        {
            certPem = InputBudgets.ReadPemFile(certPath);
            keyBytes = InputBudgets.ReadKeyFile(keyPath);
        }
        catch (ArgumentException ex)
        {
            throw new FileTooLargeException(ex.Message);
        }
        char[] keyPem = Encoding.ASCII.GetChars(keyBytes);
        try
        {
            return X509Certificate2.CreateFromPem(certPem, keyPem);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keyBytes);
            Array.Clear(keyPem);
        }
    }

    private static bool Pkcs8Matches(X509Certificate2 withKey, string pkcs8Path)
    {
        byte[] der;
        try { der = InputBudgets.ReadKeyFile(pkcs8Path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException) { return false; }
        try
        {
            using AsymmetricAlgorithm? expected = (AsymmetricAlgorithm?)withKey.GetRSAPublicKey() ?? withKey.GetECDsaPublicKey();
            if (expected is RSA rsa)
            {
                using var other = RSA.Create();
                other.ImportPkcs8PrivateKey(der, out _);
                return other.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(rsa.ExportSubjectPublicKeyInfo());
            }
            if (expected is ECDsa ec)
            {
                using var other = ECDsa.Create();
                other.ImportPkcs8PrivateKey(der, out _);
                return other.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(ec.ExportSubjectPublicKeyInfo());
            }
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(der);
        }
    }

    /// <summary>
    /// Before anything is asked of Vault: a set that does not belong together is refused unless
    /// <paramref name="force"/> replaces it (then the problems go to <paramref name="trace"/>).
    /// </summary>
    public void RefuseInconsistentSet(IReadOnlyList<string> problems, string command, bool force, Action<string>? trace)
    {
        if (problems.Count == 0) return;
        string what = $"The files in '{FullPath}' do not belong together: {string.Join("; ", problems)} (an interrupted write, or files copied in by hand).";
        if (!force)
            throw new CertificateSetInconsistentException($"{what} Nothing was requested from Vault and nothing was written. " +
                $"Run {command} -Force to write a complete new set.");
        trace?.Invoke($"{what} -Force replaces them.");
    }

    /// <summary>Creates the folder (0700, like cockroach cert) when missing, then writes the set all-or-nothing.</summary>
    public void Write(IReadOnlyCollection<PendingFile> files, bool force)
    {
        if (!Directory.Exists(FullPath))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(FullPath);
            else Directory.CreateDirectory(FullPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        SecretFileWriter.WriteAll(files, force);
    }

    /// <summary>The leaf followed by any intermediate CAs (never the self-signed root: that is ca.crt).</summary>
    public static string CertificateFileText(IssuedCertificate issued)
    {
        var sb = new StringBuilder(issued.CertificatePem.Trim()).Append('\n');
        foreach (X509Certificate2 c in issued.CaChain.Where(c => !CertificateChecks.IsSelfSigned(c))) sb.Append(Pem(c));
        return sb.ToString();
    }

    public static string Pem(X509Certificate2 c) => new string(PemEncoding.Write("CERTIFICATE", c.RawData)) + "\n";

    /// <summary>The key as unencrypted PKCS#8 DER (what <c>cockroach cert --also-generate-pkcs8-key</c> writes for Java).</summary>
    public static byte[] Pkcs8Der(IssuedCertificate issued)
    {
        using X509Certificate2 withKey = X509Certificate2.CreateFromPem(issued.CertificatePem, SecureStrings.Reveal(issued.PrivateKeyPem));
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)withKey.GetRSAPrivateKey() ?? withKey.GetECDsaPrivateKey()
            ?? throw new CertificateRejectedException("The private key is neither RSA nor ECDSA; CockroachDB accepts only those.");
        return key.ExportPkcs8PrivateKey();
    }

    /// <summary>Throws unless the private key belongs to the certificate (CockroachDB would fail at load time).</summary>
    public static void VerifyKeyMatches(IssuedCertificate issued)
    {
        try
        {
            using X509Certificate2 _ = X509Certificate2.CreateFromPem(issued.CertificatePem, SecureStrings.Reveal(issued.PrivateKeyPem));
        }
        catch (CryptographicException)
        {
            throw new CertificateRejectedException($"The private key Vault returned does not belong to certificate {issued.SerialNumber} (or is not PEM).");
        }
    }

    /// <summary>
    /// CockroachDB's key file check (docs/cockroachdb-notes.md#certificates): a regular file after following links, with no bits
    /// beyond 0700 (we do not grant its 0740 exception for root-owned keys). Throws with the chmod fix.
    /// </summary>
    public static void CheckKeyFile(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Key file '{path}' does not exist.", path);
        if (OperatingSystem.IsWindows() || IsTrue(Environment.GetEnvironmentVariable("COCKROACH_SKIP_KEY_PERMISSION_CHECK"))) return;
        var info = new FileInfo(path);
        FileSystemInfo target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (target is not FileInfo || (target.Attributes & FileAttributes.Directory) != 0)
            throw new IOException($"key file {path} is not a regular file.");
        UnixFileMode mode = File.GetUnixFileMode(target.FullName);
        const UnixFileMode beyondOwner = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if ((mode & beyondOwner) != 0)
            throw new UnauthorizedAccessException($"key file {path} has permissions {ModeString(mode)}, exceeds -rwx------; " +
                $"CockroachDB refuses such keys and so do we. Run: chmod 600 '{path}'");
    }

    private static bool IsTrue(string? v) => v is not null && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    public static string ModeString(UnixFileMode m)
    {
        char B(UnixFileMode f, char c) => (m & f) != 0 ? c : '-';
        return "-" + B(UnixFileMode.UserRead, 'r') + B(UnixFileMode.UserWrite, 'w') + B(UnixFileMode.UserExecute, 'x')
            + B(UnixFileMode.GroupRead, 'r') + B(UnixFileMode.GroupWrite, 'w') + B(UnixFileMode.GroupExecute, 'x')
            + B(UnixFileMode.OtherRead, 'r') + B(UnixFileMode.OtherWrite, 'w') + B(UnixFileMode.OtherExecute, 'x');
    }

    public override string ToString() => FullPath;
}
