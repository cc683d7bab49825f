using System.Management.Automation;
using CrdbVault.Core.Certificates;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Sets up a Vault PKI mount as a CockroachDB certificate authority.</para>
/// <para type="description">Enables the PKI engine at -MountPath when absent and raises its max lease TTL to the
/// CA's TTL, generates an internal root (the key never leaves Vault) unless the mount already has an issuer,
/// which is then reused, and writes CockroachDB-safe roles: 'client' (clientAuth only, any SQL user name as CN,
/// no IP/URI/other SANs, no localhost) and 'node' (serverAuth+clientAuth, hosts as SANs). Because a role
/// cannot forbid DNS SANs while allowing any CN, and CockroachDB logs a client certificate in as its CN AND
/// every DNS SAN, it also writes an ACL policy for issuers that denies alt_names, ip_sans, uri_sans and
/// other_sans on the client role, and common_name root, node and -ProtectedUser in every letter case
/// (CockroachDB lower-cases a certificate's CN; Vault compares values exactly): give that policy (not
/// broader PKI rights) to whoever issues client certificates (per-user policies: Set-CrdbCertificateIssuerPolicy).
/// Idempotent: a second run changes nothing and says so (-Verbose); every change supports -WhatIf. Emits
/// the CertificateAuthority.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "CrdbCertificateAuthority", SupportsShouldProcess = true)]
[OutputType(typeof(CertificateAuthority))]
[InputErrorId("InvalidCertificateAuthorityArgument")]
public sealed class InitializeCrdbCertificateAuthorityCommand : VaultCmdlet
{
    /// <summary>The PKI mount (default cockroach_client_ca); nested paths such as team/pki are fine.</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "cockroach_client_ca";

    /// <summary>The CA's common name, e.g. 'Cockroach Client CA'. Ignored (with a warning) when the mount already has a CA.</summary>
    [Parameter(Mandatory = true)]
    [Input(InputKind.FreeText, MaxLength = 64)]
    public string CommonName { get; set; } = "";

    /// <summary>How long the CA is valid (default 87600h, ten years); the mount's max lease TTL is raised to match.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Ttl { get; set; }

    /// <summary>rsa (default) or ec; used for the CA and for the certificates the roles issue.</summary>
    [Parameter]
    [ValidateSet("rsa", "ec", IgnoreCase = true)]
    [Input(InputKind.Choice)]
    public string KeyType { get; set; } = "rsa";

    /// <summary>CA key size: rsa 2048/3072/4096, ec 256/384/521 (0 = the type's default).</summary>
    [Parameter]
    public int KeyBits { get; set; }

    /// <summary>Which roles to write: Client, Node or Both (default).</summary>
    [Parameter]
    [ValidateSet("Client", "Node", "Both", IgnoreCase = true)]
    [Input(InputKind.Choice)]
    public string Kind { get; set; } = "Both";

    /// <summary>Name of the client role (default client).</summary>
    [Parameter]
    [Input(InputKind.NameSegment)]
    public string ClientRole { get; set; } = "client";

    /// <summary>Name of the node role (default node).</summary>
    [Parameter]
    [Input(InputKind.NameSegment)]
    public string NodeRole { get; set; } = "node";

    /// <summary>Name of the ACL policy for client-certificate issuers (default '&lt;mount&gt;-client-issuer').</summary>
    [Parameter]
    [Input(InputKind.NameSegment)]
    public string? IssuerPolicyName { get; set; }

    /// <summary>Longest client certificate the role issues (default 720h); the default TTL is 24h.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? ClientMaxTtl { get; set; }

    /// <summary>Longest node certificate the role issues (default 8760h); the default TTL is 720h.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? NodeMaxTtl { get; set; }

    /// <summary>Give client certificates Vault leases (generate_lease): revoking the lease revokes the certificate.</summary>
    [Parameter]
    public SwitchParameter GenerateLease { get; set; }

    /// <summary>
    /// SQL users no issuer may get a client certificate for, besides root and node (always protected).
    /// The issuer policy denies every letter-case spelling of each as common_name, so a name may have at
    /// most 256 spellings: 2 per letter, 3 per i or k, 1 per digit, '_', '.' or '-', multiplied (8 letters
    /// without i or k; kkkkk is 243, kkkkka 486 and refused). Protect such names with per-user pinned
    /// policies (Set-CrdbCertificateIssuerPolicy).
    /// </summary>
    [Parameter]
    [Input(InputKind.SqlUser)]
    public string[] ProtectedUser { get; set; } = [];

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        string mount = Core.Validation.InputValidator.MountPath(MountPath);
        CaSetupOptions options = Checked(() =>
        {
            TimeSpan clientMax = ClientMaxTtl ?? TimeSpan.FromHours(720);
            TimeSpan nodeMax = NodeMaxTtl ?? TimeSpan.FromHours(8760);
            var o = new CaSetupOptions
            {
                CommonName = CommonName,
                CaTtl = Ttl ?? TimeSpan.FromHours(87600),
                KeyType = KeyType.ToLowerInvariant(),
                KeyBits = KeyBits,
                Client = Kind is not ("Node" or "node" or "NODE"),
                Node = Kind is not ("Client" or "client" or "CLIENT"),
                ClientRole = ClientRole,
                NodeRole = NodeRole,
                ClientTtl = clientMax < TimeSpan.FromHours(24) ? clientMax : TimeSpan.FromHours(24),
                ClientMaxTtl = clientMax,
                NodeTtl = nodeMax < TimeSpan.FromHours(720) ? nodeMax : TimeSpan.FromHours(720),
                NodeMaxTtl = nodeMax,
                GenerateLease = GenerateLease,
                PolicyName = IssuerPolicyName,
                ProtectedUsers = ProtectedUser,
            };
            o.Validate();
            return o;
        }, "InvalidCertificateAuthorityArgument", MountPath);

        var engine = new PkiEngine(vault.Client, mount);
        CaSetupPlan plan = Run(ct => CertificateAuthoritySetup.PlanAsync(engine, options, ct), mount);
        if (plan.NothingToDo)
        {
            WriteVerbose($"'{mount}/' is already set up for CockroachDB (PKI engine, CA, roles {string.Join(", ", plan.Roles.Select(r => r.Name))}, " +
                $"policy '{plan.PolicyName}'): nothing changed.");
        }

        if (plan.NeedMount && ShouldProcess($"{mount}/", "Enable a PKI secrets engine"))
        {
            Run(ct => engine.EnsureMountAsync(ct), mount);
            WriteVerbose($"Enabled a PKI engine at '{mount}/'.");
        }
        if (plan.NeedTune && ShouldProcess($"{mount}/", $"Raise the max lease TTL from {plan.CurrentMaxTtl} to {options.CaTtl}"))
        {
            Run(ct => engine.TuneMaxLeaseTtlAsync(options.CaTtl, ct), mount);
            WriteVerbose($"Set the max lease TTL of '{mount}/' to {options.CaTtl}.");
        }

        CaInfo? ca = plan.ExistingCa;
        if (ca is not null)
        {
            string existingCn = CertificateChecks.CommonName(ca.Certificate) ?? ca.Certificate.Subject;
            if (!string.Equals(existingCn, CommonName, StringComparison.Ordinal))
                WriteWarning($"'{mount}/' already has a CA ('{existingCn}', serial {ca.SerialNumber}); " +
                    $"it is reused and -CommonName '{CommonName}' is ignored. Use another -MountPath for a new CA.");
            else
                WriteVerbose($"Reusing the existing CA '{existingCn}' (serial {ca.SerialNumber}).");
        }
        else if (ShouldProcess($"{mount}/", $"Generate an internal root CA '{CommonName}' ({options.KeyType}, valid {options.CaTtl})"))
        {
            (CaInfo generated, IReadOnlyList<string> warnings) = Run(ct =>
                engine.GenerateRootAsync(CommonName, options.CaTtl, options.KeyType, options.KeyBits, ct), mount);
            foreach (string w in warnings) WriteWarning($"Vault: {w}");
            WriteVerbose($"Generated root CA '{CommonName}' (serial {generated.SerialNumber}).");
            ca = generated;
        }

        foreach (RoleStep role in plan.Roles.Where(r => r.NeedsWrite))
        {
            if (role.Exists)
                WriteWarning($"Role '{mount}/roles/{role.Name}' is not CockroachDB-safe as it stands ({string.Join(", ", role.Differences)} differ); " +
                    $"it is rewritten.");
            if (ShouldProcess($"{mount}/roles/{role.Name}", $"Write the CockroachDB {role.Kind.ToString().ToLowerInvariant()} certificate role"))
            {
                Run(ct => engine.WriteRoleAsync(role.Name, role.Body, ct), role.Name);
                WriteVerbose($"Wrote role '{mount}/roles/{role.Name}' ({role.Kind}).");
            }
        }
        if (plan.PolicyNeedsWrite && plan.PolicyHcl is not null && ShouldProcess($"sys/policies/acl/{plan.PolicyName}", $"Write the ACL policy for " +
            $"client-certificate issuers (denies SAN parameters and common_name " +
            $"{string.Join(", ", CockroachPkiRoles.ProtectedNames(options.ProtectedUsers))} in every letter case)"))
        {
            Run(ct => engine.WritePolicyAsync(plan.PolicyName, plan.PolicyHcl, ct), plan.PolicyName);
            WriteVerbose($"Wrote policy '{plan.PolicyName}': attach it to the identities that issue client certificates.");
        }
        if (ca is not null) WriteObject(CertificateAuthority.From(ca));
    }
}
