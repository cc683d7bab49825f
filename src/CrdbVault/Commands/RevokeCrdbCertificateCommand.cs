using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Revokes a certificate that Vault PKI issued.</para>
/// <para type="description">Posts the serial to &lt;mount&gt;/revoke; Vault adds it to the mount's CRL
/// (&lt;mount&gt;/crl/pem), which servers must be given to refuse it. -SerialNumber and -MountPath bind by
/// property name, so ClientCertificate and NodeCertificate objects pipe straight in; an X509Certificate2's
/// SerialNumber (bare hex) is accepted too. Colon- or hyphen-separated serials both work.</para>
/// </summary>
[Cmdlet(VerbsSecurity.Revoke, "CrdbCertificate", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
[InputErrorId("InvalidSerialNumber")]
public sealed class RevokeCrdbCertificateCommand : VaultCmdlet
{
    /// <summary>The serial, e.g. '1d:2f:...' as New-CrdbClientCert reports it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.SerialNumber)]
    public string SerialNumber { get; set; } = "";

    /// <summary>The PKI mount that issued it (default cockroach_client_ca).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        string serial = CertificateChecks.NormalizeSerial(SerialNumber);
        string mount = Core.Validation.InputValidator.MountPath(MountPath);
        if (!ShouldProcess($"certificate {serial} of {mount}/", "Revoke (it is listed in the mount's CRL from now on)")) return;
        var engine = new PkiEngine(vault.Client, mount);
        if (TryRun(ct => engine.RevokeAsync(serial, ct), out DateTimeOffset at, serial))
            WriteVerbose($"Revoked {serial} at {at:u}. Servers refuse it once they load the new CRL ({mount}/crl/pem).");
    }
}
