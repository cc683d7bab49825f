using System.Text;

namespace CrdbVault.Core.Policies;

/// <summary>
/// The text of the about_CrdbVault_Policies help topic, built from <see cref="VaultPolicies"/> so
/// the policies people copy from Get-Help are the ones the tests prove. The module ships the
/// rendered text as en-US/about_CrdbVault_Policies.help.txt (src/CrdbVault/en-US); a test fails
/// when the two differ (regenerate: CRDBVAULT_WRITE_POLICY_TOPIC=1 dotnet test --filter PolicyTopicTests).
/// </summary>
public static class PolicyTopic
{
    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("""
            TOPIC
                about_CrdbVault_Policies

            SHORT DESCRIPTION
                The Vault ACL policy each CrdbVault job needs, and nothing beyond it.

            LONG DESCRIPTION
                When Vault refuses a request because the token's policies do not allow it,
                CrdbVault says so (error id VaultPermissionDenied) and names the path. This
                topic lists, for each job, the policy that lets a token do that job through
                the module and no more: an admin who sets things up, a job that issues SQL
                credentials, whoever issues client certificates, a key operator, and a
                CockroachDB Cloud CMEK operator. Each policy here is proved by the module's
                tests against its Vault double: a token holding only that policy does the
                job, and the next step beyond it is denied.

                The policies use the default names: database mount "database" and role
                "app"; PKI mount "cockroach_client_ca" and role "client"; transit mount
                "transit" and key "cockroach-ear"; keymgmt mount "keymgmt", KMS provider
                "aws-use1" and key "crdb-cmek". Replace them with yours. To use one, save
                it to a file and give it to the identity that does the job, for example:

                    vault policy write crdb-app-credentials ./crdb-app-credentials.hcl
                    vault write auth/approle/role/reporting token_policies=crdb-app-credentials

                Vault's built-in "default" policy, which every token has unless created
                with -no-default-policy, already allows looking up and renewing the
                token itself and renewing and looking up leases (Update-CrdbLease,
                Get-CrdbLease -LeaseId). Listing or revoking leases by prefix needs sudo
                and belongs to the admin.
            """).Append("\n\n");
        foreach (VaultPolicyDefinition p in VaultPolicies.Defaults())
        {
            sb.Append(p.Title).Append('\n');
            foreach (string line in Wrap(p.Summary + " " + Notes(p.Name), 76)) sb.Append("    ").Append(line).Append('\n');
            sb.Append('\n');
            sb.Append("    Suggested policy name: ").Append(p.Name).Append("\n\n");
            foreach (string line in p.Hcl.TrimEnd('\n').Split('\n')) sb.Append("        ").Append(line).Append('\n');
            sb.Append('\n');
        }
        sb.Append("""
            SEE ALSO
                Initialize-CrdbVaultDatabase
                Initialize-CrdbCertificateAuthority
                Set-CrdbCertificateIssuerPolicy
                New-CrdbDynamicCredential
                New-CrdbClientCert
                New-CrdbStoreKey
                New-CrdbCmekKey
                https://developer.hashicorp.com/vault/docs/concepts/policies

            """);
        return sb.ToString().Replace("\r\n", "\n");
    }

    private static string Notes(string name) => name switch
    {
        "crdb-admin" =>
            "It enables and tunes the two engines, writes connections (the privilege probe issues and revokes one user through role " +
                "crdbvault-privilege-probe) and roles, generates the CA, issues node certificates, revokes certificates and leases of its mounts, " +
                "and writes issuer policies whose names start with the PKI mount's name (cockroach_client_ca-<team>). " +
                "It cannot issue application credentials, write other policies, enable other engines or create tokens. " +
                "The SQL user Vault connects as needs its own privileges: see the README's 'What Vault's SQL user needs'.",
        "crdb-app-credentials" =>
            "It reads database/creds/app and revokes leases under it, and cannot issue from another role, read the role's statements, " +
                "or revoke someone else's lease.",
        "cockroach_client_ca-client-issuer" =>
            "Initialize-CrdbCertificateAuthority writes it as <mount>-client-issuer. It may issue client certificates without SANs, " +
                "never for root or node in any letter case (Vault compares values exactly, CockroachDB lower-cases the CN; -ProtectedUser adds names), " +
                "and revoke a certificate it holds with revoke-with-key. It cannot issue node certificates or revoke other serials. To keep teams apart, " +
                "give each a per-user policy from Set-CrdbCertificateIssuerPolicy instead: it pins common_name to that team's users.",
        "crdb-key-operator" =>
            "It makes store keys from one transit key (data key, then the whole key file wrapped for the recovery record) and restores them, " +
                "creates that transit key when absent, and creates and distributes one CMEK key. " +
                "It cannot change the transit key's configuration (deletion_allowed), delete or export keys, rotate the CMEK key or use other keys.",
        "crdb-cmek-operator" =>
            "New-CrdbCmekKey only reads a key that exists and is distributed, so building the spec needs no write; " +
                "Set-CrdbCmek / Get-CrdbCmek / Revoke-CrdbCmek then use a CockroachDB Cloud API key whose service account is Cluster Admin or Cluster " +
                "Operator on the cluster (a Cloud role, not a Vault policy). It cannot create keys or change the KMS provider's credentials.",
        _ => "",
    };

    private static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
