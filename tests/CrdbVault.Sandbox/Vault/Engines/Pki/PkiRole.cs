using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>
/// A PKI role (docs/vault-notes.md#pki-secrets-engine) with Vault's defaults. A POST replaces the whole role: fields
/// not sent get their defaults again, as in Vault.
/// </summary>
internal sealed class PkiRole
{
    public string IssuerRef { get; private init; } = "default";
    public TimeSpan Ttl { get; private init; }
    public TimeSpan MaxTtl { get; private init; }
    public bool AllowLocalhost { get; private init; } = true;
    public List<string> AllowedDomains { get; private init; } = [];
    public bool AllowBareDomains { get; private init; }
    public bool AllowSubdomains { get; private init; }
    public bool AllowGlobDomains { get; private init; }
    public bool AllowWildcardCertificates { get; private init; } = true;
    public bool AllowAnyName { get; private init; }
    public bool EnforceHostnames { get; private init; } = true;
    public bool AllowIpSans { get; private init; } = true;
    public List<string> AllowedUriSans { get; private init; } = [];
    public List<string> AllowedOtherSans { get; private init; } = [];
    public bool ServerFlag { get; private init; } = true;
    public bool ClientFlag { get; private init; } = true;
    public bool CodeSigningFlag { get; private init; }
    public bool EmailProtectionFlag { get; private init; }
    public string KeyType { get; private init; } = "rsa";
    public int KeyBits { get; private init; }
    public int SignatureBits { get; private init; }
    public List<string> KeyUsage { get; private init; } = ["DigitalSignature", "KeyAgreement", "KeyEncipherment"];
    public List<string> ExtKeyUsage { get; private init; } = [];
    public List<string> ExtKeyUsageOids { get; private init; } = [];
    public bool UseCsrCommonName { get; private init; } = true;
    public bool UseCsrSans { get; private init; } = true;
    public List<string> Ou { get; private init; } = [];
    public List<string> Organization { get; private init; } = [];
    public List<string> Country { get; private init; } = [];
    public List<string> Locality { get; private init; } = [];
    public List<string> Province { get; private init; } = [];
    public bool GenerateLease { get; private init; }
    public bool NoStore { get; private init; }
    public bool RequireCn { get; private init; } = true;
    public TimeSpan NotBeforeDuration { get; private init; } = TimeSpan.FromSeconds(30);
    public List<string> CnValidations { get; private init; } = ["email", "hostname"];

    private static readonly HashSet<string> KnownExtKeyUsages = new(StringComparer.OrdinalIgnoreCase)
    {
        "Any", "ServerAuth", "ClientAuth", "CodeSigning", "EmailProtection", "IPSECEndSystem", "IPSECTunnel",
        "IPSECUser", "TimeStamping", "OCSPSigning", "MicrosoftServerGatedCrypto", "NetscapeServerGatedCrypto",
        "MicrosoftCommercialCodeSigning", "MicrosoftKernelCodeSigning",
    };

    private static readonly HashSet<string> KnownKeyUsages = new(StringComparer.OrdinalIgnoreCase)
    {
        "DigitalSignature", "ContentCommitment", "KeyEncipherment", "DataEncipherment", "KeyAgreement",
        "CertSign", "CRLSign", "EncipherOnly", "DecipherOnly",
    };

    /// <summary>Builds a role from a write body, validating like Vault's path_roles.go.</summary>
    public static PkiRole FromBody(JsonObject b)
    {
        string keyType = (PkiFields.Str(b, "key_type") ?? "rsa").ToLowerInvariant();
        int keyBits = PkiFields.Int(b, "key_bits", 0);
        keyBits = PkiKeys.ValidateKeyTypeAndBits(keyType, keyBits, allowAny: true);

        var cnValidations = PkiFields.List(b, "cn_validations");
        if (!PkiFields.Has(b, "cn_validations")) cnValidations = ["email", "hostname"];
        foreach (string v in cnValidations)
            if (v is not ("email" or "hostname" or "disabled"))
                throw new PkiRequestException($"unknown cn_validations value: \"{v}\"");
        if (cnValidations.Contains("disabled") && cnValidations.Count > 1)
            throw new PkiRequestException("cannot specify other cn_validations when \"disabled\" is set");

        List<string> ekus = PkiFields.List(b, "ext_key_usage");
        foreach (string e in ekus)
            if (!KnownExtKeyUsages.Contains(e)) throw new PkiRequestException($"invalid ext_key_usage value: \"{e}\"");
        List<string> kus = PkiFields.Has(b, "key_usage") ? PkiFields.List(b, "key_usage") : ["DigitalSignature", "KeyAgreement", "KeyEncipherment"];
        foreach (string k in kus)
            if (!KnownKeyUsages.Contains(k)) throw new PkiRequestException($"invalid key_usage value: \"{k}\"");

        var role = new PkiRole
        {
            IssuerRef = PkiFields.Str(b, "issuer_ref") is { Length: > 0 } ir ? ir : "default",
            Ttl = PkiFields.Duration(b, "ttl"),
            MaxTtl = PkiFields.Duration(b, "max_ttl"),
            AllowLocalhost = PkiFields.Bool(b, "allow_localhost", true),
            AllowedDomains = PkiFields.List(b, "allowed_domains"),
            AllowBareDomains = PkiFields.Bool(b, "allow_bare_domains", false),
            AllowSubdomains = PkiFields.Bool(b, "allow_subdomains", false),
            AllowGlobDomains = PkiFields.Bool(b, "allow_glob_domains", false),
            AllowWildcardCertificates = PkiFields.Bool(b, "allow_wildcard_certificates", true),
            AllowAnyName = PkiFields.Bool(b, "allow_any_name", false),
            EnforceHostnames = PkiFields.Bool(b, "enforce_hostnames", true),
            AllowIpSans = PkiFields.Bool(b, "allow_ip_sans", true),
            AllowedUriSans = PkiFields.List(b, "allowed_uri_sans"),
            AllowedOtherSans = PkiFields.List(b, "allowed_other_sans"),
            ServerFlag = PkiFields.Bool(b, "server_flag", true),
            ClientFlag = PkiFields.Bool(b, "client_flag", true),
            CodeSigningFlag = PkiFields.Bool(b, "code_signing_flag", false),
            EmailProtectionFlag = PkiFields.Bool(b, "email_protection_flag", false),
            KeyType = keyType,
            KeyBits = keyBits,
            SignatureBits = PkiFields.Int(b, "signature_bits", 0),
            KeyUsage = kus,
            ExtKeyUsage = ekus,
            ExtKeyUsageOids = PkiFields.List(b, "ext_key_usage_oids"),
            UseCsrCommonName = PkiFields.Bool(b, "use_csr_common_name", true),
            UseCsrSans = PkiFields.Bool(b, "use_csr_sans", true),
            Ou = PkiFields.List(b, "ou"),
            Organization = PkiFields.List(b, "organization"),
            Country = PkiFields.List(b, "country"),
            Locality = PkiFields.List(b, "locality"),
            Province = PkiFields.List(b, "province"),
            GenerateLease = PkiFields.Bool(b, "generate_lease", false),
            NoStore = PkiFields.Bool(b, "no_store", false),
            RequireCn = PkiFields.Bool(b, "require_cn", true),
            NotBeforeDuration = PkiFields.Has(b, "not_before_duration") ? PkiFields.Duration(b, "not_before_duration") : TimeSpan.FromSeconds(30),
            CnValidations = cnValidations,
        };
        if (role.MaxTtl > TimeSpan.Zero && role.Ttl > role.MaxTtl)
            throw new PkiRequestException("\"ttl\" value must be less than \"max_ttl\" value");
        if (role.GenerateLease && role.NoStore)
            throw new PkiRequestException("\"generate_lease\" cannot be set to true while \"no_store\" is true");
        return role;
    }

    /// <summary>What GET roles/:name answers (TTLs as seconds, lists as arrays, like current Vault).</summary>
    public JsonObject ToJson() => new()
    {
        ["issuer_ref"] = IssuerRef,
        ["ttl"] = PkiFields.Seconds(Ttl),
        ["max_ttl"] = PkiFields.Seconds(MaxTtl),
        ["allow_localhost"] = AllowLocalhost,
        ["allowed_domains"] = PkiFields.Array(AllowedDomains),
        ["allowed_domains_template"] = false,
        ["allow_bare_domains"] = AllowBareDomains,
        ["allow_subdomains"] = AllowSubdomains,
        ["allow_glob_domains"] = AllowGlobDomains,
        ["allow_wildcard_certificates"] = AllowWildcardCertificates,
        ["allow_any_name"] = AllowAnyName,
        ["enforce_hostnames"] = EnforceHostnames,
        ["allow_ip_sans"] = AllowIpSans,
        ["allowed_uri_sans"] = PkiFields.Array(AllowedUriSans),
        ["allowed_uri_sans_template"] = false,
        ["allowed_other_sans"] = PkiFields.Array(AllowedOtherSans),
        ["allowed_serial_numbers"] = new JsonArray(),
        ["allowed_user_ids"] = new JsonArray(),
        ["server_flag"] = ServerFlag,
        ["client_flag"] = ClientFlag,
        ["code_signing_flag"] = CodeSigningFlag,
        ["email_protection_flag"] = EmailProtectionFlag,
        ["key_type"] = KeyType,
        ["key_bits"] = KeyBits,
        ["signature_bits"] = SignatureBits,
        ["use_pss"] = false,
        ["key_usage"] = PkiFields.Array(KeyUsage),
        ["ext_key_usage"] = PkiFields.Array(ExtKeyUsage),
        ["ext_key_usage_oids"] = PkiFields.Array(ExtKeyUsageOids),
        ["use_csr_common_name"] = UseCsrCommonName,
        ["use_csr_sans"] = UseCsrSans,
        ["ou"] = PkiFields.Array(Ou),
        ["organization"] = PkiFields.Array(Organization),
        ["country"] = PkiFields.Array(Country),
        ["locality"] = PkiFields.Array(Locality),
        ["province"] = PkiFields.Array(Province),
        ["street_address"] = new JsonArray(),
        ["postal_code"] = new JsonArray(),
        ["generate_lease"] = GenerateLease,
        ["no_store"] = NoStore,
        ["require_cn"] = RequireCn,
        ["policy_identifiers"] = new JsonArray(),
        ["basic_constraints_valid_for_non_ca"] = false,
        ["not_before_duration"] = PkiFields.Seconds(NotBeforeDuration),
        ["not_after"] = "",
        ["cn_validations"] = PkiFields.Array(CnValidations),
    };
}
