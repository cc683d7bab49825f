using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets the CA certificate of a Vault PKI mount.</para>
/// <para type="description">Reads &lt;mount&gt;/ca/pem (the default issuer) and emits a CertificateAuthority with
/// its PEM and X509Certificate2: write .Pem to ca.crt, or pipe it on. A mount without a CA is an
/// ObjectNotFound error that says to run Initialize-CrdbCertificateAuthority.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbCertificateAuthority")]
[OutputType(typeof(CertificateAuthority))]
public sealed class GetCrdbCertificateAuthorityCommand : VaultCmdlet
{
    /// <summary>The PKI mount (default cockroach_client_ca).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        var engine = new PkiEngine(vault.Client, MountPath);
        if (!TryRun(ct => engine.ReadCaAsync(ct), out CaInfo? ca, MountPath)) return;
        if (ca is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"Mount '{engine.MountPath}' has no CA (no PKI engine there, or no root yet). " +
                $"Run Initialize-CrdbCertificateAuthority -MountPath '{engine.MountPath}' -CommonName 'Cockroach Client CA'."),
                "CertificateAuthorityNotFound", ErrorCategory.ObjectNotFound, MountPath));
            return;
        }
        WriteObject(CertificateAuthority.From(ca));
    }
}
