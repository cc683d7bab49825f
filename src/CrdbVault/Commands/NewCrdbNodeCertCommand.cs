using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Issues a CockroachDB node certificate from Vault PKI.</para>
/// <para type="description">Asks &lt;mount&gt;/issue/&lt;Role&gt; for CN 'node' with -Hosts as SANs (names as DNS
/// SANs, addresses as IP SANs), checks the certificate (CN node, exactly the requested hosts, serverAuth and
/// clientAuth, chains to the mount's CA) and, with -CertsDir, writes ca.crt, node.key (0600) and node.crt,
/// each replaced by one rename, node.crt last (no replacing without -Force; a half-replaced set is reported
/// as CertificateSetInconsistent; checked before Vault is asked). A node certificate
/// lets its holder act as any node: keep the node role for administrators.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbNodeCert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(NodeCertificate))]
[InputErrorId("InvalidNodeCertArgument")]
public sealed class NewCrdbNodeCertCommand : VaultCmdlet
{
    /// <summary>Host names and IP addresses clients use to reach the node, e.g. db1.internal,10.0.0.5,localhost.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.Host)]
    public string[] Hosts { get; set; } = [];

    /// <summary>The PKI mount (default cockroach_client_ca).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    /// <summary>The PKI role (default node).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PkiRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Role { get; set; } = "node";

    /// <summary>How long the certificate is valid: '720h', seconds, or a TimeSpan. Capped by the node role's max TTL.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Ttl { get; set; }

    /// <summary>The node's certs dir: node.crt, node.key and ca.crt are written there.</summary>
    [Parameter]
    [Input(InputKind.WritePath)]
    public string? CertsDir { get; set; }

    /// <summary>Replace existing node.crt/node.key (and a ca.crt of another CA).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessCheckedRecord()
    {
        string mount = Core.Validation.InputValidator.MountPath(MountPath);
        Checked(() => CertificateIssuance.SplitHosts(Hosts), "InvalidNodeCertArgument", string.Join(",", Hosts));
        CertsDirectory? dir = CertsDir is null ? null : new CertsDirectory(FileSystemPath(CertsDirectory.ExpandHome(CertsDir), nameof(CertsDir), "InvalidNodeCertArgument"));
        if (!ShouldProcess($"{mount}/issue/{Role}", $"Issue a node certificate for {string.Join(", ", Hosts)}{(dir is null ? "" : " into " + dir.FullPath)}")) return;
        var engine = new PkiEngine(Client, mount);
        if (dir is not null) LeftoverFiles.WarnAboutBackups(this, dir.NodeSetPaths);
        if (!TryRun(ct => CertificateIssuance.IssueNodeAsync(engine, Role, Hosts, Ttl, dir, Force, VerboseSink.Write, ct), out IssueResult result, string.Join(",", Hosts))) return;
        IssuedCertificate issued = result.Certificate;
        foreach (string w in issued.Warnings) WriteWarning($"Vault: {w}");
        WriteObject(new NodeCertificate
        {
            Hosts = Hosts,
            MountPath = mount,
            PkiRole = Role,
            SerialNumber = issued.SerialNumber,
            NotAfter = issued.NotAfter,
            Thumbprint = issued.Certificate.Thumbprint,
            CertificatePath = result.Files?.CertificatePath,
            KeyPath = result.Files?.KeyPath,
            CaPath = result.Files?.CaPath,
            Certificate = issued.Certificate,
            PrivateKey = dir is null ? issued.PrivateKeyPem : null,
        });
    }
}
