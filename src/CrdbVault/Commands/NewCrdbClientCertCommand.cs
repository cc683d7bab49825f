using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Files;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Issues a CockroachDB client certificate for a SQL user from Vault PKI.</para>
/// <para type="description">Asks &lt;mount&gt;/issue/&lt;Role&gt; for a certificate with CN = -User and no SANs,
/// then checks it before using it: its principals (CN and every DNS SAN, which CockroachDB all accepts as
/// user names) must be exactly -User, its extended key usage clientAuth only, and it must chain to the
/// mount's CA; otherwise it is revoked and nothing is written. With -CertsDir it writes ca.crt,
/// client.&lt;user&gt;.crt and client.&lt;user&gt;.key (0600) - plus client.&lt;user&gt;.key.pk8 (PKCS#8 DER,
/// for Java) with -Pkcs8 - each file replaced by one rename, the certificate last, so a set that an
/// interrupted run left half-replaced is reported by the next run (CertificateSetInconsistent) - and
/// refuses to replace existing files without -Force; those checks run BEFORE Vault is asked, so no
/// certificate is issued that cannot be written.
/// The folder is created (0700) when only it is missing. COCKROACH_CERTS_DIR is not read implicitly:
/// pass -CertsDir $env:COCKROACH_CERTS_DIR. Without -CertsDir the key comes back as a SecureString in
/// PrivateKey (a plain string only with -AsPlainText). Never retried: each call creates a certificate.
/// With -RenewWithin (for runs on a schedule) a certificate already in -CertsDir for -User that chains to
/// the CA the mount serves now, has its key (0600, matching) and stays valid beyond now + the window is
/// kept: nothing is issued or written and it is emitted with Status Current (paths, NotAfter, serial;
/// never the key). Otherwise a new one replaces the set without -Force, since a scheduled run must be
/// able to replace what it wrote; a ca.crt of another CA still needs -Force (a CA rotation).</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbClientCert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ClientCertificate))]
[InputErrorId("InvalidClientCertArgument")]
public sealed class NewCrdbClientCertCommand : CertificateCmdlet
{
    private CaInfo? _ca;

    /// <summary>The CockroachDB SQL user (the certificate's CN), e.g. app_reader. Accepts pipeline input.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.SqlUser, PipelineProperty = nameof(User))]
    public string User { get; set; } = "";

    /// <summary>The PKI role (default client, as Initialize-CrdbCertificateAuthority writes it).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PkiRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Role { get; set; } = "client";

    /// <summary>Also write client.&lt;user&gt;.key.pk8 (unencrypted PKCS#8 DER) for Java clients. Needs -CertsDir.</summary>
    [Parameter]
    public SwitchParameter Pkcs8 { get; set; }

    /// <summary>Without -CertsDir: return the private key as a plain string (treat the output as a secret).</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <summary>
    /// Ask for a certificate for root (CockroachDB's superuser) anyway: without it -User root is refused
    /// before Vault is asked. The issuer policy still denies it; only a token with broader rights gets one.
    /// </summary>
    [Parameter]
    public SwitchParameter AllowPrivilegedUser { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        string mount = Core.Validation.InputValidator.MountPath(MountPath);
        CertsDirectory? dir = ResolveCertsDir("InvalidClientCertArgument");
        if (Pkcs8 && dir is null) ThrowInvalidArgument("-Pkcs8 writes client.<user>.key.pk8 and needs -CertsDir.", "InvalidClientCertArgument", User);
        if (AsPlainText && dir is not null) ThrowInvalidArgument("-AsPlainText applies only without -CertsDir (with it the key goes to " +
            "client.<user>.key).", "InvalidClientCertArgument", User);
        RefuseRenewalWithoutCertsDir(dir, "InvalidClientCertArgument", User);

        try
        {
            CockroachPkiRoles.RefusePrivilegedUser(User, AllowPrivilegedUser, "and the issuer policy denies it (an administrator's token may issue it).");
        }
        catch (PrivilegedUserException ex)
        {
            ThrowMapped(ex, User);
            return;
        }
        var engine = new PkiEngine(vault.Client, mount);
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        RenewalDecision? renewal = null;
        if (RenewWithin is TimeSpan window && dir is not null)
        {
            if (!TryReadCa(engine, mount)) return;
            CaInfo ca = _ca!;
            if (!TryDecide(() => CertificateRenewal.DecideClient(dir, User, Pkcs8, ca, window, asked, Force), User, out renewal)) return;
            if (renewal.Current is CurrentCertificate current)
            {
                if (KeepCurrent(renewal)) WriteObject(ClientCertificate.From(current, User, Role));
                return;
            }
        }
        string action = dir is null ? $"Issue a client certificate for SQL user '{User}'" : $"Issue a client certificate for SQL user '{User}' into " +
            $"{dir.FullPath}{(renewal is null ? "" : $", replacing the set there: {renewal.Reason}")}";
        if (!ShouldProcess($"{mount}/issue/{Role}", action)) return;
        if (!TryReadCa(engine, mount)) return;
        CaInfo knownCa = _ca!;
        bool pkcs8 = renewal is not null && dir is not null ? CertificateRenewal.RenewsPkcs8(dir, User, Pkcs8) : Pkcs8;
        bool force = Force || renewal is not null; // a run on a schedule replaces the set it keeps fresh
        bool issued = TryIssue(dir, dir?.ClientSetPaths(User) ?? [],
            ct => CertificateIssuance.IssueClientAsync(engine, Role, User, Ttl, dir, pkcs8, force, knownCa, VerboseSink.Write, ct, AllowPrivilegedUser),
            User, out IssueResult result);
        if (!issued) return;
        if (dir is not null && Directory.Exists(dir.FullPath) && SecretFileWriter.IsWorldReadable(dir.FullPath))
            WriteWarning($"'{dir.FullPath}' can be listed by other users. The key files are 0600, but consider: chmod 700 '{dir.FullPath}'");
        WarnIfTooShort(result, asked);
        WriteObject(ClientCertificate.From(result, User, Role, AsPlainText));
    }

    /// <summary>The mount's CA, read once per mount for the whole pipeline; false when it failed or there is none (reported).</summary>
    private bool TryReadCa(PkiEngine engine, string mount)
    {
        if (_ca is not null && _ca.MountPath == mount) return true;
        if (!TryRun(ct => engine.ReadCaAsync(ct), out CaInfo? ca, mount)) return false;
        if (ca is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"Mount '{mount}' has no CA yet. " +
                $"Run Initialize-CrdbCertificateAuthority -MountPath '{mount}' -CommonName 'Cockroach Client CA' first."),
                "CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, mount));
            return false;
        }
        _ca = ca;
        return true;
    }
}
