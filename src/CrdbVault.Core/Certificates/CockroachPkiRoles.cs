using System.Text;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Certificates;

/// <summary>
/// PKI role bodies and the issuer ACL policy that make Vault PKI safe for CockroachDB
/// (DESIGN.md §4, cockroachdb.md §3.3).
/// <list type="bullet">
/// <item>Client role: clientAuth only (server_flag=false), any CN (SQL users such as app_reader are not host names),
/// no IP/URI/other SANs, no localhost, CSR values never used, DigitalSignature+KeyEncipherment.</item>
/// <item>Node role: serverAuth+clientAuth, CN node, host names and IPs as SANs.</item>
/// <item>A role alone cannot forbid DNS SANs while allowing any CN, and CockroachDB accepts a client certificate
/// for every DNS SAN, so issuers get a policy that denies alt_names/ip_sans/uri_sans/other_sans.</item>
/// </list>
/// </summary>
public static class CockroachPkiRoles
{
    public static readonly IReadOnlyList<string> KeyUsage = ["DigitalSignature", "KeyEncipherment"];

    /// <summary>Body for <c>&lt;mount&gt;/roles/&lt;client role&gt;</c>.</summary>
    public static Dictionary<string, object> ClientRole(TimeSpan ttl, TimeSpan maxTtl, string keyType, int keyBits, bool generateLease) => new()
    {
        ["allow_any_name"] = true,
        ["enforce_hostnames"] = false,
        ["allow_localhost"] = false,
        ["allowed_domains"] = Array.Empty<string>(),
        ["allow_bare_domains"] = false,
        ["allow_subdomains"] = false,
        ["allow_glob_domains"] = false,
        ["allow_wildcard_certificates"] = false,
        ["allow_ip_sans"] = false,
        ["allowed_uri_sans"] = "",
        ["allowed_other_sans"] = "",
        ["server_flag"] = false,
        ["client_flag"] = true,
        ["code_signing_flag"] = false,
        ["email_protection_flag"] = false,
        // client_flag already yields clientAuth; listing it again here would duplicate the OID in Vault's certificates.
        ["ext_key_usage"] = Array.Empty<string>(),
        ["key_usage"] = KeyUsage,
        ["key_type"] = keyType,
        ["key_bits"] = keyBits,
        ["use_csr_common_name"] = false,
        ["use_csr_sans"] = false,
        ["require_cn"] = true,
        ["cn_validations"] = new[] { "hostname" }, // refuses e-mail-like CNs; SQL names never contain '@'
        ["ttl"] = VaultDuration.Format(ttl),
        ["max_ttl"] = VaultDuration.Format(maxTtl),
        ["generate_lease"] = generateLease,
        ["no_store"] = false,
    };

    /// <summary>Body for <c>&lt;mount&gt;/roles/&lt;node role&gt;</c>.</summary>
    public static Dictionary<string, object> NodeRole(TimeSpan ttl, TimeSpan maxTtl, string keyType, int keyBits) => new()
    {
        ["allow_any_name"] = true,
        ["enforce_hostnames"] = false,
        ["allow_localhost"] = true,
        ["allow_wildcard_certificates"] = true,
        ["allow_ip_sans"] = true,
        ["allowed_uri_sans"] = "",
        ["allowed_other_sans"] = "",
        ["server_flag"] = true,
        ["client_flag"] = true,
        ["code_signing_flag"] = false,
        ["email_protection_flag"] = false,
        ["ext_key_usage"] = Array.Empty<string>(),
        ["key_usage"] = KeyUsage,
        ["key_type"] = keyType,
        ["key_bits"] = keyBits,
        ["use_csr_common_name"] = false,
        ["use_csr_sans"] = false,
        ["require_cn"] = true,
        ["ttl"] = VaultDuration.Format(ttl),
        ["max_ttl"] = VaultDuration.Format(maxTtl),
        ["generate_lease"] = false,
        ["no_store"] = false,
    };

    /// <summary>
    /// The ACL policy for whoever issues client certificates: issue on the client role, but never with
    /// SAN parameters. With <paramref name="pinnedUser"/>, only that CN may be requested (a per-user policy).
    /// </summary>
    public static string IssuerPolicy(string mountPath, string clientRole, string? pinnedUser = null)
    {
        mountPath = InputValidator.MountPath(mountPath);
        InputValidator.PathSegment(clientRole, "ClientRole");
        if (pinnedUser is not null) InputValidator.SqlUserName(pinnedUser);
        var sb = new StringBuilder();
        sb.Append("# Written by CrdbVault (Initialize-CrdbCertificateAuthority). CockroachDB logs a client certificate in as its CN\n");
        sb.Append("# AND as every DNS SAN, so issuers may not request SANs of any kind.\n");
        sb.Append($"path \"{mountPath}/issue/{clientRole}\" {{\n");
        sb.Append("  capabilities = [\"create\", \"update\"]\n");
        if (pinnedUser is not null)
        {
            sb.Append("  allowed_parameters = {\n");
            sb.Append($"    \"common_name\" = [\"{pinnedUser}\"]\n");
            foreach (string p in new[] { "ttl", "format", "private_key_format", "exclude_cn_from_sans" }) sb.Append($"    \"{p}\" = []\n");
            sb.Append("  }\n");
        }
        sb.Append("  denied_parameters = {\n");
        foreach (string p in new[] { "alt_names", "ip_sans", "uri_sans", "other_sans" }) sb.Append($"    \"{p}\" = []\n");
        sb.Append("  }\n");
        sb.Append("}\n");
        sb.Append("# A certificate the module cannot use is revoked at once; revoke-with-key needs its private key,\n");
        sb.Append("# so an issuer can revoke only what it holds (pki/revoke would allow any serial).\n");
        sb.Append($"path \"{mountPath}/revoke-with-key\" {{\n");
        sb.Append("  capabilities = [\"update\"]\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>The default issuer policy name for a mount: "&lt;mount with / as -&gt;-client-issuer".</summary>
    public static string DefaultPolicyName(string mountPath) => InputValidator.MountPath(mountPath).Replace('/', '-') + "-client-issuer";

    /// <summary>
    /// The fields of a role read back from Vault that differ from what we would write (empty = the role is as we want it).
    /// Durations compare in seconds; lists ignore order and case.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, object> wanted, System.Text.Json.JsonElement actual)
    {
        var diffs = new List<string>();
        foreach ((string key, object value) in wanted)
        {
            if (!actual.TryGetProperty(key, out System.Text.Json.JsonElement got))
            {
                // Older Vaults lack some fields (cn_validations, allow_wildcard_certificates): not a difference we can fix.
                continue;
            }
            bool same = value switch
            {
                bool b => got.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False && got.GetBoolean() == b,
                int i => got.ValueKind == System.Text.Json.JsonValueKind.Number && got.GetInt32() == i,
                string s when key is "ttl" or "max_ttl" => VaultDuration.FromJson(got) == VaultDuration.Parse(s.TrimEnd('s') + "s"),
                string s => SameList(s.Length == 0 ? [] : [s], VaultResponse.StringList(got)),
                IEnumerable<string> list => SameList(list, VaultResponse.StringList(got)),
                _ => true,
            };
            if (!same) diffs.Add(key);
        }
        return diffs;
    }

    private static bool SameList(IEnumerable<string> a, IEnumerable<string> b) =>
        new HashSet<string>(a, StringComparer.OrdinalIgnoreCase).SetEquals(b.Where(x => x.Length > 0));
}
