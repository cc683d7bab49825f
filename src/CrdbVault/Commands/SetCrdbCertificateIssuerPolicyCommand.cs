using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Writes a Vault policy that lets its holders issue client certificates for the named SQL users only.</para>
/// <para type="description">Writes sys/policies/acl/&lt;Name&gt; granting create/update on
/// &lt;mount&gt;/issue/&lt;Role&gt; with allowed_parameters that pin common_name to -User (exactly as written;
/// Vault compares values exactly) and allow only ttl, format, private_key_format and
/// exclude_cn_from_sans besides it, denied_parameters for every SAN field, and update on
/// &lt;mount&gt;/revoke-with-key (so a certificate the module rejects is revoked with the issuer's own
/// token). A pipeline or team that holds only this policy can get certificates for its users and no
/// one else - not root, not node, not another team's user, in any letter case. Use it instead of the
/// mount-wide issuer policy Initialize-CrdbCertificateAuthority writes when issuers should be kept
/// apart, or to protect users whose names are too long for that policy's -ProtectedUser. root is
/// refused unless -AllowPrivilegedUser. Emits the policy (PolicyName, MountPath, PkiRole, Users, Rules).</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbCertificateIssuerPolicy", SupportsShouldProcess = true)]
[OutputType(typeof(CertificateIssuerPolicy))]
[InputErrorId("InvalidIssuerPolicyArgument")]
public sealed class SetCrdbCertificateIssuerPolicyCommand : VaultCmdlet
{
    /// <summary>The policy's name in Vault, e.g. team-payments-issuer (letters, digits, '_', '-', '.').</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>The SQL users the policy may issue client certificates for (lower case, as CockroachDB stores them).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("UserName")]
    [Input(InputKind.SqlUser)]
    public string[] User { get; set; } = [];

    /// <summary>The PKI mount (default cockroach_client_ca).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    /// <summary>The PKI role (default client, as Initialize-CrdbCertificateAuthority writes it).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PkiRoleCompleter))]
    [Input(InputKind.NameSegment)]
    public string Role { get; set; } = "client";

    /// <summary>Allow root among -User: whoever holds the policy can then log in as CockroachDB's superuser.</summary>
    [Parameter]
    public SwitchParameter AllowPrivilegedUser { get; set; }

    // Acts once, in EndProcessing: the connection is resolved there, after the checks that need none.
    protected override void ProcessCheckedRecord()
    {
    }

    protected override void EndProcessing()
    {
        string mount = InputValidator.MountPath(MountPath);
        string hcl;
        try
        {
            hcl = Checked(() => CockroachPkiRoles.PinnedIssuerPolicy(mount, Role, User, AllowPrivilegedUser), "InvalidIssuerPolicyArgument", Name);
        }
        catch (PrivilegedUserException ex)
        {
            ThrowMapped(ex, Name);
            return;
        }

        string target = $"sys/policies/acl/{Name}";
        if (!ShouldProcess(target, $"Write a policy that may issue client certificates from {mount}/issue/{Role} for {string.Join(", ", User)} only"))
            return;
        VaultClient client = ResolveSession().Client;
        var engine = new PkiEngine(client, mount);
        Run(ct => engine.WritePolicyAsync(Name, hcl, ct), target, null);
        WriteVerbose($"Wrote policy '{Name}': attach it to the identities that issue client certificates for {string.Join(", ", User)}.");
        WriteObject(new CertificateIssuerPolicy { PolicyName = Name, MountPath = mount, PkiRole = Role, Users = [.. User], Rules = hcl });
    }
}
