using System.Text;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Certificates;

/// <summary>A certificate or policy for a protected principal (root) was asked for without -AllowPrivilegedUser.</summary>
public sealed class PrivilegedUserException(string message) : InvalidOperationException(message);

/// <summary>
/// PKI role bodies and the issuer ACL policy that make Vault PKI safe for CockroachDB
/// (docs/certificates.md, docs/cockroachdb-notes.md#certificates).
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
    /// <summary>
    /// Refuses a client certificate (or a policy allowing one) for a principal in <see cref="AlwaysProtected"/>
    /// unless the caller says it means it. Core does this itself, so a runbook using Core gets the same refusal.
    /// </summary>
    public static void RefusePrivilegedUser(string user, bool allowPrivilegedUser, string consequence)
    {
        if (!allowPrivilegedUser && AlwaysProtected.Contains(user))
            throw new PrivilegedUserException($"-User {user}: a client certificate for '{user}' logs in as CockroachDB's superuser, " +
                $"{consequence} Pass -AllowPrivilegedUser if you really mean it.");
    }

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
    /// Principals no issuer may get a client certificate for, whatever else is protected: root
    /// (CockroachDB's superuser) and node (a client certificate for node acts as any node).
    /// </summary>
    public static readonly IReadOnlyList<string> AlwaysProtected = ["root", "node"];

    /// <summary>
    /// The most spellings a policy denies per protected name. Each letter counts 2 (two cases), i and k
    /// count 3, anything else 1, and the product may be at most this: 8 letters without i or k, but 5
    /// when all are i or k, and 6 letters with 5 of them i or k are already too many (3^5 x 2 = 486).
    /// </summary>
    public const int MaxSpellings = 256;

    /// <summary>
    /// The ACL policy for whoever issues client certificates: issue on the client role, but never
    /// with SAN parameters, and never with a common_name that CockroachDB would read as a protected
    /// principal (<see cref="AlwaysProtected"/> plus <paramref name="protectedUsers"/>). Vault compares
    /// parameter values exactly while CockroachDB lower-cases a certificate's CN, so every spelling is
    /// denied (<see cref="Spellings"/>: 32 values for root and node). Also allows revoke-with-key.
    /// </summary>
    public static string IssuerPolicy(string mountPath, string clientRole, IEnumerable<string>? protectedUsers = null)
    {
        mountPath = InputValidator.MountPath(mountPath);
        InputValidator.PathSegment(clientRole, "ClientRole");
        IReadOnlyList<string> names = ProtectedNames(protectedUsers);
        var sb = new StringBuilder();
        sb.Append("# Written by CrdbVault (Initialize-CrdbCertificateAuthority). CockroachDB logs a client certificate in as its CN\n");
        sb.Append("# AND as every DNS SAN, so issuers may not request SANs of any kind, nor a CN that CockroachDB reads as\n");
        sb.Append($"# {string.Join(", ", names)} (Vault matches values exactly and CockroachDB lower-cases the CN: every spelling is listed).\n");
        sb.Append($"path \"{mountPath}/issue/{clientRole}\" {{\n");
        sb.Append("  capabilities = [\"create\", \"update\"]\n");
        AppendDenied(sb, names.SelectMany(n => Spellings(n, MaxSpellings)).ToList());
        sb.Append("}\n");
        AppendRevokeWithKey(sb, mountPath);
        return sb.ToString();
    }

    /// <summary>
    /// A per-user issuer policy: common_name may only be one of <paramref name="users"/> (exactly as
    /// written, lower case), no SANs, plus revoke-with-key. Protected users (root) are refused unless
    /// <paramref name="allowPrivilegedUser"/>; node never (it is no SQL user).
    /// </summary>
    public static string PinnedIssuerPolicy(string mountPath, string clientRole, IReadOnlyList<string> users, bool allowPrivilegedUser = false)
    {
        mountPath = InputValidator.MountPath(mountPath);
        InputValidator.PathSegment(clientRole, "Role");
        if (users.Count == 0) throw new ArgumentException("-User is empty. Give the SQL users this policy may issue client certificates for, e.g. " +
            "-User app_reader, app_writer.", "User");
        foreach (string user in users)
        {
            InputValidator.SqlUserName(user);
            RefusePrivilegedUser(user, allowPrivilegedUser, "so the policy would hand that to whoever holds it.");
        }
        var sb = new StringBuilder();
        sb.Append($"# Written by CrdbVault (Set-CrdbCertificateIssuerPolicy): client certificates for {string.Join(", ", users)} only, no SANs.\n");
        sb.Append($"path \"{mountPath}/issue/{clientRole}\" {{\n");
        sb.Append("  capabilities = [\"create\", \"update\"]\n");
        sb.Append("  allowed_parameters = {\n");
        sb.Append($"    \"common_name\" = [{string.Join(", ", users.Distinct(StringComparer.Ordinal).Select(u => $"\"{u}\""))}]\n");
        foreach (string p in new[] { "ttl", "format", "private_key_format", "exclude_cn_from_sans" }) sb.Append($"    \"{p}\" = []\n");
        sb.Append("  }\n");
        AppendDenied(sb, []);
        sb.Append("}\n");
        AppendRevokeWithKey(sb, mountPath);
        return sb.ToString();
    }

    private static void AppendDenied(StringBuilder sb, IReadOnlyList<string> commonNames)
    {
        sb.Append("  denied_parameters = {\n");
        foreach (string p in new[] { "alt_names", "ip_sans", "uri_sans", "other_sans" }) sb.Append($"    \"{p}\" = []\n");
        if (commonNames.Count > 0)
        {
            sb.Append("    \"common_name\" = [\n");
            sb.Append(string.Join(",\n", commonNames.Select(cn => $"      \"{cn}\""))).Append('\n');
            sb.Append("    ]\n");
        }
        sb.Append("  }\n");
    }

    private static void AppendRevokeWithKey(StringBuilder sb, string mountPath)
    {
        sb.Append("# A certificate the module cannot use is revoked at once; revoke-with-key needs its private key,\n");
        sb.Append("# so an issuer can revoke only what it holds (pki/revoke would allow any serial).\n");
        sb.Append($"path \"{mountPath}/revoke-with-key\" {{\n");
        sb.Append("  capabilities = [\"update\"]\n");
        sb.Append("}\n");
    }

    /// <summary>root, node and the given names, validated, lower case, each once.</summary>
    public static IReadOnlyList<string> ProtectedNames(IEnumerable<string>? extra)
    {
        var names = new List<string>(AlwaysProtected);
        foreach (string raw in extra ?? [])
        {
            string name = ValidateProtectedUser(raw);
            if (!names.Contains(name)) names.Add(name);
        }
        return names;
    }

    private static readonly System.Text.RegularExpressions.Regex ProtectedPattern = new(@"^[a-z0-9_][a-z0-9_.\-]*$",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>A name to protect: a CockroachDB user name in any letter case (folded), with at most <see cref="MaxSpellings"/> spellings.</summary>
    public static string ValidateProtectedUser(string? value)
    {
        string name = (value ?? "").Trim().ToLowerInvariant();
        if (name.Length == 0 || Encoding.UTF8.GetByteCount(name) > 63 || !ProtectedPattern.IsMatch(name))
            throw new ArgumentException($"-ProtectedUser '{value}' is not a CockroachDB user name: use letters, digits and '_', '.', '-' only, " +
                $"at most 63 bytes.", "ProtectedUser");
        Spellings(name, MaxSpellings);
        return name;
    }

    /// <summary>
    /// Every spelling CockroachDB reads as <paramref name="name"/>: it lower-cases a CN with Go's
    /// unicode.ToLower, so each letter may come in either case, and k and i also as U+212A (KELVIN
    /// SIGN) and U+0130 (LATIN CAPITAL LETTER I WITH DOT ABOVE), which Go lower-cases to k and i.
    /// Throws when there would be more than <paramref name="limit"/> (a policy cannot list them all).
    /// </summary>
    public static IReadOnlyList<string> Spellings(string name, int limit = int.MaxValue)
    {
        long count = 1;
        foreach (char c in name) count *= Alternatives(c).Length;
        if (count > limit)
            throw new ArgumentException(
                $"-ProtectedUser '{name}' has {count} spellings CockroachDB reads as the same user; a policy can deny at most {limit} per name. " +
                    $"Each letter comes in 2 spellings and i and k in 3 (also U+0130 and the Kelvin sign); digits, '_', '.' and '-' in 1; " +
                    $"the product may be at most {limit}: 8 letters without i or k, fewer with them (kkkkk is 243, kkkkka 486). " +
                "Protect it another way: give issuers per-user pinned policies (Set-CrdbCertificateIssuerPolicy -Name <policy> -User <their users>) " +
                    "instead of the issuer policy, so they can name no other user.",
                "ProtectedUser");
        IEnumerable<string> acc = [""];
        foreach (char c in name)
        {
            char[] options = Alternatives(c);
            acc = acc.SelectMany(prefix => options.Select(o => prefix + o));
        }
        return acc.ToList();
    }

    private static char[] Alternatives(char c) => c switch
    {
        'k' => ['k', 'K', '\u212A'],
        'i' => ['i', 'I', '\u0130'],
        >= 'a' and <= 'z' => [c, char.ToUpperInvariant(c)],
        _ => [c],
    };

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
