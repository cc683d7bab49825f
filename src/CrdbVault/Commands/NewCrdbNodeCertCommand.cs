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
/// lets its holder act as any node: keep the node role for administrators. With -RenewWithin (for runs
/// on a schedule) a node.crt for exactly -Hosts (in any order and letter case) that chains to the mount's
/// CA, has its key and stays valid beyond now + the window is kept (Status Current, nothing issued or
/// written); otherwise a new set replaces it without -Force. CockroachDB reloads it on SIGHUP.</para>
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
        string target = string.Join(",", Hosts);
        RefuseRenewalWithoutCertsDir(dir, "InvalidNodeCertArgument", target);
        var engine = new PkiEngine(vault.Client, mount);
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        RenewalDecision? renewal = null;
        if (RenewWithin is TimeSpan window && dir is not null)
        {
            if (!TryRun(ct => CertificateIssuance.ReadCaOrThrowAsync(engine, ct), out CaInfo ca, mount)) return;
            if (!TryDecide(() => CertificateRenewal.DecideNode(dir, Hosts, ca, window, asked, Force), target, out renewal)) return;
            if (renewal.Current is CurrentCertificate current)
            {
                if (KeepCurrent(renewal)) WriteObject(NodeCertificate.From(current, Hosts, Role));
                return;
            }
        }
        string replacing = renewal is null ? "" : $", replacing the set there: {renewal.Reason}";
        if (!ShouldProcess($"{mount}/issue/{Role}", $"Issue a node certificate for " +
            $"{string.Join(", ", Hosts)}{(dir is null ? "" : " into " + dir.FullPath)}{replacing}")) return;
        bool force = Force || renewal is not null; // a run on a schedule replaces the set it keeps fresh
        bool issued = TryIssue(dir, dir?.NodeSetPaths ?? [],
            ct => CertificateIssuance.IssueNodeAsync(engine, Role, Hosts, Ttl, dir, force, VerboseSink.Write, ct),
            target, out IssueResult result);
        if (!issued) return;
        WarnIfTooShort(result, asked);
        WriteObject(NodeCertificate.From(result, Hosts, Role));
    }
}
