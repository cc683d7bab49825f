using System.Text;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Policies;

/// <summary>One job's least-privilege Vault policy, with the default mount and object names filled in.</summary>
public sealed record VaultPolicyDefinition(string Name, string Title, string Summary, string Hcl);

/// <summary>
/// The Vault ACL policy each job needs, and nothing beyond it: one source for the
/// about_CrdbVault_Policies help topic (whose policy blocks a test compares with these), for
/// Set-CrdbCertificateIssuerPolicy / Initialize-CrdbCertificateAuthority (the certificate issuer
/// policy is CockroachPkiRoles.IssuerPolicy) and for the tests that prove each policy against the
/// Vault double's policy engine: the job's calls succeed, one step beyond is denied.
/// </summary>
public static class VaultPolicies
{
    /// <summary>
    /// Setting up: enable and tune the database and PKI engines, write connections (with the privilege
    /// probe and root rotation) and roles, generate the CA, write issuer policies named after the PKI
    /// mount, issue node certificates, look up and revoke leases under the database mount.
    /// </summary>
    public static string AdminSetup(string databaseMount = "database", string pkiMount = "cockroach_client_ca")
    {
        string db = InputValidator.MountPath(databaseMount, "DatabaseMount");
        string pki = InputValidator.MountPath(pkiMount, "PkiMount");
        string policyPrefix = CockroachPkiRoles.DefaultPolicyName(pki)[..^"client-issuer".Length];
        var sb = new StringBuilder();
        sb.Append("# Engines: enable, read the type, raise the PKI mount's max TTL.\n");
        Path(sb, $"sys/mounts/{db}", "create", "read", "update");
        Path(sb, $"sys/mounts/{pki}", "create", "read", "update");
        Path(sb, $"sys/mounts/{pki}/tune", "read", "update");
        sb.Append("# Initialize-CrdbVaultDatabase, Set-/Get-/Remove-CrdbVaultRole (the privilege probe is a role too).\n");
        Path(sb, $"{db}/config", "list");
        Path(sb, $"{db}/config/*", "create", "read", "update", "list");
        Path(sb, $"{db}/roles", "list");
        Path(sb, $"{db}/roles/*", "create", "read", "update", "delete", "list");
        Path(sb, $"{db}/rotate-root/*", "update");
        Path(sb, $"{db}/creds/{PrivilegeProbe.RoleName}", "read");
        sb.Append("# Leases of this mount's credentials: look up, list and revoke (prefix operations need sudo).\n");
        Path(sb, "sys/leases/revoke", ["update"], allowed: [("lease_id", [$"{db}/creds/*", $"{pki}/issue/*"]), ("sync", [])]);
        Path(sb, $"sys/leases/lookup/{db}/creds/*", "list", "sudo");
        Path(sb, $"sys/leases/revoke-prefix/{db}/creds/*", "update", "sudo");
        sb.Append("# Initialize-CrdbCertificateAuthority, New-CrdbNodeCert, Revoke-CrdbCertificate.\n");
        Path(sb, $"{pki}/root/generate/internal", "update");
        Path(sb, $"{pki}/roles", "list");
        Path(sb, $"{pki}/roles/*", "create", "read", "update", "list");
        Path(sb, $"{pki}/issue/*", "create", "update");
        Path(sb, $"{pki}/revoke", "update");
        Path(sb, $"{pki}/revoke-with-key", "update");
        sb.Append("# Issuer policies, only under the mount's name (Set-CrdbCertificateIssuerPolicy -Name ").Append(policyPrefix).Append("<team>).\n");
        Path(sb, $"sys/policies/acl/{policyPrefix}*", "create", "read", "update");
        return sb.ToString();
    }

    /// <summary>A job that issues credentials from one role, renews them and revokes them (and nothing else).</summary>
    public static string CredentialIssuer(string databaseMount = "database", string role = "app")
    {
        string db = InputValidator.MountPath(databaseMount, "DatabaseMount");
        InputValidator.PathSegment(role, "Role");
        var sb = new StringBuilder();
        sb.Append($"# New-CrdbDynamicCredential -Role {role}; Update-CrdbLease and Get-CrdbLease -LeaseId use Vault's default policy.\n");
        Path(sb, $"{db}/creds/{role}", "read");
        sb.Append("# Revoke-CrdbLease, for this role's leases only.\n");
        Path(sb, "sys/leases/revoke", ["update"], allowed: [("lease_id", [$"{db}/creds/{role}/*"]), ("sync", [])]);
        return sb.ToString();
    }

    /// <summary>Whoever issues client certificates: <see cref="CockroachPkiRoles.IssuerPolicy"/> (what Initialize-CrdbCertificateAuthority writes).</summary>
    public static string CertificateIssuer(string pkiMount = "cockroach_client_ca", string role = "client", IEnumerable<string>? protectedUsers = null) =>
        CockroachPkiRoles.IssuerPolicy(pkiMount, role, protectedUsers);

    /// <summary>Store keys through one transit key, and one CMEK key through keymgmt (create, distribute, read).</summary>
    public static string KeyOperator(string transitMount = "transit", string transitKey = "cockroach-ear",
        string keymgmtMount = "keymgmt", string kmsName = "aws-use1", string keyName = "crdb-cmek")
    {
        string transit = InputValidator.MountPath(transitMount, "TransitMount");
        string keymgmt = InputValidator.MountPath(keymgmtMount, "KeymgmtMount");
        InputValidator.PathSegment(transitKey, "TransitKey");
        InputValidator.PathSegment(kmsName, "KmsName");
        InputValidator.PathSegment(keyName, "Name");
        var sb = new StringBuilder();
        sb.Append("# New-CrdbStoreKey (data key, then the key file wrapped for its record) and Restore-CrdbStoreKey.\n");
        Path(sb, $"{transit}/datakey/plaintext/{transitKey}", "update");
        Path(sb, $"{transit}/encrypt/{transitKey}", "update");
        Path(sb, $"{transit}/decrypt/{transitKey}", "update");
        sb.Append("# Only to create the transit key when it is absent (else pass -NoCreateTransitKey and drop this).\n");
        Path(sb, $"{transit}/keys/{transitKey}", "create", "read", "update");
        sb.Append("# New-CrdbCmekKey: the KMS provider, the key, its distribution.\n");
        Path(sb, $"{keymgmt}/kms/{kmsName}", "create", "read", "update");
        Path(sb, $"{keymgmt}/key/{keyName}", "create", "read", "update");
        Path(sb, $"{keymgmt}/kms/{kmsName}/key/{keyName}", "create", "read", "update");
        return sb.ToString();
    }

    /// <summary>
    /// Someone who builds a cluster's CMEK spec from an existing, distributed keymgmt key and hands it to
    /// CockroachDB Cloud (New-CrdbCmekKey reads only, then Set-CrdbCmek): read, nothing else. The Cloud
    /// side needs a Cloud API key whose service account is Cluster Admin or Cluster Operator on the cluster.
    /// </summary>
    public static string CmekOperator(string keymgmtMount = "keymgmt", string kmsName = "aws-use1", string keyName = "crdb-cmek")
    {
        string keymgmt = InputValidator.MountPath(keymgmtMount, "KeymgmtMount");
        InputValidator.PathSegment(kmsName, "KmsName");
        InputValidator.PathSegment(keyName, "Name");
        var sb = new StringBuilder();
        sb.Append("# New-CrdbCmekKey for a key that exists and is distributed: it only reads these to build the spec.\n");
        Path(sb, $"{keymgmt}/kms/{kmsName}", "read");
        Path(sb, $"{keymgmt}/key/{keyName}", "read");
        Path(sb, $"{keymgmt}/kms/{kmsName}/key/{keyName}", "read");
        return sb.ToString();
    }

    /// <summary>
    /// Setting up secretless logins on one jwt mount (Initialize-CrdbVaultJwtAuth): see and enable the
    /// mount (enabling an auth method needs sudo), point it at its issuer, write its roles.
    /// </summary>
    public static string JwtAuthAdmin(string authMount = "jwt-azuredevops")
    {
        string mount = InputValidator.VaultPath(authMount, "AuthMount", "the auth mount such as 'jwt-azuredevops'");
        var sb = new StringBuilder();
        sb.Append("# Initialize-CrdbVaultJwtAuth: read and enable the mount, set its issuer, write roles (one mount per issuer).\n");
        Path(sb, $"sys/auth/{mount}", "create", "read", "update", "sudo");
        Path(sb, $"auth/{mount}/config", "create", "read", "update");
        Path(sb, $"auth/{mount}/role/*", "create", "read", "update");
        return sb.ToString();
    }

    /// <summary>Every job's policy with the default names, in the order of the help topic.</summary>
    public static IReadOnlyList<VaultPolicyDefinition> Defaults() =>
    [
        new("crdb-admin", "ADMIN SETUP", "Set up the database and PKI engines, roles, the CA and issuer policies.", AdminSetup()),
        new("crdb-app-credentials", "ISSUING DYNAMIC CREDENTIALS", "A job, " +
            "runbook or pipeline that issues SQL credentials from role app and revokes them.", CredentialIssuer()),
        new("cockroach_client_ca-client-issuer", "ISSUING CLIENT CERTIFICATES", "Whoever issues client certificates (written by " +
            "Initialize-CrdbCertificateAuthority).", CertificateIssuer()),
        new("crdb-key-operator", "KEY OPERATOR", "Store keys through transit and CMEK keys through keymgmt.", KeyOperator()),
        new("crdb-cmek-operator", "CLOUD CMEK OPERATOR", "Build a cluster's CMEK spec from an existing key and hand it to CockroachDB Cloud.", CmekOperator()),
        new("crdb-jwt-auth-admin", "SECRETLESS LOGIN SETUP", "Set up a jwt auth mount and its roles for pipelines (Initialize-CrdbVaultJwtAuth); " +
            "one policy per mount.", JwtAuthAdmin()),
    ];

    private static void Path(StringBuilder sb, string path, params string[] capabilities) => Path(sb, path, capabilities, allowed: null);

    private static void Path(StringBuilder sb, string path, string[] capabilities, (string Name, string[] Values)[]? allowed)
    {
        sb.Append($"path \"{path}\" {{\n");
        sb.Append($"  capabilities = [{string.Join(", ", capabilities.Select(c => $"\"{c}\""))}]\n");
        if (allowed is not null)
        {
            sb.Append("  allowed_parameters = {\n");
            foreach ((string name, string[] values) in allowed)
                sb.Append($"    \"{name}\" = [{string.Join(", ", values.Select(v => $"\"{v}\""))}]\n");
            sb.Append("  }\n");
        }
        sb.Append("}\n");
    }
}
