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
public sealed class NewCrdbNodeCertCommand : CertificateCmdlet
{
    /// <summary>Host names and IP addresses clients use to reach the node, e.g. db1.internal,10.0.0.5,localhost.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.Host)]
    public string[] Hosts { get; set; } = [];

    /// <summary>The PKI role (default node).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PkiRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Role { get; set; } = "node";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        string mount = Core.Validation.InputValidator.MountPath(MountPath);
        Checked(() => CertificateIssuance.SplitHosts(Hosts), "InvalidNodeCertArgument", string.Join(",", Hosts));
        CertsDirectory? dir = ResolveCertsDir("InvalidNodeCertArgument");
        if (!ShouldProcess($"{mount}/issue/{Role}", $"Issue a node certificate for " +
            $"{string.Join(", ", Hosts)}{(dir is null ? "" : " into " + dir.FullPath)}")) return;
        var engine = new PkiEngine(vault.Client, mount);
        bool issued = TryIssue(dir, dir?.NodeSetPaths ?? [],
            ct => CertificateIssuance.IssueNodeAsync(engine, Role, Hosts, Ttl, dir, Force, VerboseSink.Write, ct),
            string.Join(",", Hosts), out IssueResult result);
        if (issued) WriteObject(NodeCertificate.From(result, Hosts, Role));
    }
}
