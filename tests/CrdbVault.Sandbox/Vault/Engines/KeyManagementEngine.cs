using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines;

/// <summary>
/// Vault Enterprise's Key Management engine (docs/vault-notes.md#key-management-enterprise-hcp): Vault-side keys with versions (real
/// key material; asymmetric keys return their real public key), KMS providers (awskms, gcpckms,
/// azurekeyvault; credentials are write-only), and distribution to a provider. Reading a
/// distributed key returns the provider-side name <c>&lt;key&gt;-&lt;unix timestamp&gt;</c>, the purpose as
/// a comma string and <c>versions</c> (Vault version → provider version id), as the API docs show.
/// No cloud is called: the "provider side" is simulated here. Provider version ids follow each
/// cloud's shape (an inference, see docs/vault-notes.md#key-management-enterprise-hcp): AWS a KMS key id (Vault imports every version
/// into a new KMS key), GCP the crypto key version number, Azure a 32-hex key version.
/// </summary>
public sealed class KeyManagementEngine : IVaultEngine
{
    private static readonly string[] KeyTypes = ["aes256-gcm96", "rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"];
    private static readonly string[] Providers = ["azurekeyvault", "awskms", "gcpckms"];
    private static readonly string[] Purposes = ["encrypt", "decrypt", "sign", "verify", "wrap", "unwrap"];

    private readonly object _gate = new();
    private readonly Dictionary<string, ManagedKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KmsProvider> _kms = new(StringComparer.Ordinal);
    private readonly VaultServices _services;

    public KeyManagementEngine(VaultMount mount, VaultServices services)
    {
        Mount = mount;
        _services = services;
    }

    public string Type => "keymgmt";
    public VaultMount Mount { get; }

    public Task<VaultReply> HandleAsync(VaultRequest request)
    {
        string[] parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            lock (_gate)
            {
                return Task.FromResult(parts switch
                {
                    ["key"] when request.IsList => VaultReply.Keys(_keys.Keys.Order(StringComparer.Ordinal)),
                    ["key", string name] => KeyPath(request, name),
                    ["key", string name, "rotate"] when request.IsWrite => RotateKey(name),
                    ["key", string name, "kms"] when request.IsList => _keys.TryGetValue(name, out ManagedKey? k)
                        ? VaultReply.Keys(_kms.Values.Where(p => p.Distributions.ContainsKey(k.Name)).Select(p => p.Name).Order(StringComparer.Ordinal))
                        : VaultReply.NotFound(),
                    ["kms"] when request.IsList => VaultReply.Keys(_kms.Keys.Order(StringComparer.Ordinal)),
                    ["kms", string name] => KmsPath(request, name),
                    ["kms", string name, "key"] when request.IsList => _kms.TryGetValue(name, out KmsProvider? p)
                        ? VaultReply.Keys(p.Distributions.Keys.Order(StringComparer.Ordinal))
                        : VaultReply.NotFound(),
                    ["kms", string name, "key", string key] => DistributionPath(request, name, key),
                    ["key", ..] or ["kms", ..] => VaultReply.UnsupportedOperation(),
                    _ => VaultReply.UnsupportedPath(),
                });
            }
        }
        catch (KeymgmtInputException ex)
        {
            return Task.FromResult(VaultReply.BadRequest(ex.Message));
        }
    }

    // ---- key/:name -------------------------------------------------------------------------------

    private VaultReply KeyPath(VaultRequest request, string name)
    {
        if (request.IsRead) return _keys.TryGetValue(name, out ManagedKey? k) ? VaultReply.Ok(Describe(k)) : VaultReply.NotFound();
        if (request.IsDelete)
        {
            if (!_keys.TryGetValue(name, out ManagedKey? k)) return VaultReply.NoContent();
            if (_kms.Values.Any(p => p.Distributions.ContainsKey(name)))
                return VaultReply.BadRequest($"key \"{name}\" must be removed from all KMS providers before it can be deleted");
            if (!k.DeletionAllowed) return VaultReply.BadRequest($"deletion is not allowed for key \"{name}\"; set deletion_allowed to true first");
            _keys.Remove(name);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();

        if (_keys.TryGetValue(name, out ManagedKey? existing))
        {
            // An existing key is updated: only min_enabled_version and deletion_allowed can change.
            string? newType = Str(request.Body, "type");
            if (newType is not null && newType != existing.Type)
                return VaultReply.BadRequest($"key type cannot be changed after creation (key \"{name}\" is {existing.Type})");
            if (request.Body.ContainsKey("min_enabled_version"))
            {
                int min = Int(request.Body, "min_enabled_version", 0);
                if (min < 0 || min > existing.LatestVersion)
                    return VaultReply.BadRequest($"min_enabled_version must be between 0 and the latest version {existing.LatestVersion}");
                existing.MinEnabledVersion = min;
            }
            if (request.Body.ContainsKey("deletion_allowed")) existing.DeletionAllowed = Bool(request.Body, "deletion_allowed");
            return VaultReply.NoContent();
        }

        string type = Str(request.Body, "type") ?? "rsa-2048";
        if (!KeyTypes.Contains(type))
            return VaultReply.BadRequest($"unsupported key type \"{type}\"; supported types are {string.Join(", ", KeyTypes)}");
        var key = new ManagedKey(name, type);
        key.AddVersion(_services.Clock.GetUtcNow());
        _keys[name] = key;
        return VaultReply.NoContent();
    }

    private VaultReply RotateKey(string name)
    {
        if (!_keys.TryGetValue(name, out ManagedKey? key)) return VaultReply.BadRequest($"key \"{name}\" not found");
        int version = key.AddVersion(_services.Clock.GetUtcNow());
        // Rotation creates the new version in every KMS the key was distributed to and makes it current there.
        foreach (KmsProvider p in _kms.Values)
            if (p.Distributions.TryGetValue(name, out Distribution? d))
                d.Versions[version] = ProviderVersionId(p.Provider, version);
        return VaultReply.NoContent();
    }

    private static JsonObject Describe(ManagedKey k)
    {
        var versions = new JsonObject();
        foreach ((int v, KeyVersion kv) in k.Versions)
        {
            var entry = new JsonObject { ["creation_time"] = kv.Created.ToString("yyyy-MM-ddTHH:mm:ss.ffffffK", CultureInfo.InvariantCulture) };
            if (kv.PublicKeyPem is not null) entry["public_key"] = kv.PublicKeyPem;
            versions[v.ToString(CultureInfo.InvariantCulture)] = entry;
        }
        return new JsonObject
        {
            ["deletion_allowed"] = k.DeletionAllowed,
            ["keys"] = versions,
            ["latest_version"] = k.LatestVersion,
            ["min_enabled_version"] = k.MinEnabledVersion == 0 ? 1 : k.MinEnabledVersion,
            ["name"] = k.Name,
            ["type"] = k.Type,
        };
    }

    // ---- kms/:name --------------------------------------------------------------------------------

    private VaultReply KmsPath(VaultRequest request, string name)
    {
        if (request.IsRead)
        {
            if (!_kms.TryGetValue(name, out KmsProvider? p)) return VaultReply.NotFound();
            // Credentials are write-only: never returned.
            return VaultReply.Ok(new JsonObject { ["key_collection"] = p.KeyCollection, ["provider"] = p.Provider });
        }
        if (request.IsDelete)
        {
            if (!_kms.TryGetValue(name, out KmsProvider? p)) return VaultReply.NoContent();
            if (p.Distributions.Count > 0)
                return VaultReply.BadRequest($"cannot delete KMS provider \"{name}\": remove its {p.Distributions.Count} distributed key(s) first");
            _kms.Remove(name);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();

        string? provider = Str(request.Body, "provider");
        string? collection = Str(request.Body, "key_collection");
        Dictionary<string, string> credentials = Credentials(request.Body);
        if (_kms.TryGetValue(name, out KmsProvider? existing))
        {
            if (provider is not null && provider != existing.Provider)
                return VaultReply.BadRequest("provider cannot be changed after creation");
            if (collection is not null && collection != existing.KeyCollection)
                return VaultReply.BadRequest("key_collection cannot be changed after creation");
            foreach ((string k, string v) in credentials) existing.Credentials[k] = v;
            return VaultReply.NoContent();
        }
        if (string.IsNullOrEmpty(provider)) return VaultReply.BadRequest("missing required field \"provider\"");
        if (!Providers.Contains(provider))
            return VaultReply.BadRequest($"unsupported provider \"{provider}\"; supported providers are {string.Join(", ", Providers)}");
        if (string.IsNullOrEmpty(collection)) return VaultReply.BadRequest("missing required field \"key_collection\"");
        _kms[name] = new KmsProvider(name, provider, collection) { Credentials = credentials };
        return VaultReply.NoContent();
    }

    /// <summary>credentials as a map, or (as the docs' sample sends it) a list of "k=v" strings.</summary>
    private static Dictionary<string, string> Credentials(JsonObject body)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        switch (body["credentials"])
        {
            case null:
                break;
            case JsonObject o:
                foreach ((string k, JsonNode? v) in o) result[k] = v is JsonValue jv && jv.GetValueKind() == JsonValueKind.String ? jv.GetValue<string>() : v?.ToJsonString() ?? "";
                break;
            case JsonArray a:
                foreach (JsonNode? item in a)
                {
                    string s = item?.GetValue<string>() ?? "";
                    int eq = s.IndexOf('=');
                    if (eq <= 0) throw new KeymgmtInputException("error converting input for field \"credentials\": expected k=v strings");
                    result[s[..eq]] = s[(eq + 1)..];
                }
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                foreach (string s in v.GetValue<string>().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    int eq = s.IndexOf('=');
                    if (eq <= 0) throw new KeymgmtInputException("error converting input for field \"credentials\": expected k=v strings");
                    result[s[..eq]] = s[(eq + 1)..];
                }
                break;
            default:
                throw new KeymgmtInputException("error converting input for field \"credentials\": expected a map");
        }
        return result;
    }

    // ---- kms/:name/key/:key -------------------------------------------------------------------------

    private VaultReply DistributionPath(VaultRequest request, string kmsName, string keyName)
    {
        if (!_kms.TryGetValue(kmsName, out KmsProvider? kms))
            return request.IsRead ? VaultReply.NotFound() : VaultReply.BadRequest($"KMS provider \"{kmsName}\" not found");
        if (request.IsRead)
        {
            if (!kms.Distributions.TryGetValue(keyName, out Distribution? d)) return VaultReply.NotFound();
            var versions = new JsonObject();
            foreach ((int v, string id) in d.Versions) versions[v.ToString(CultureInfo.InvariantCulture)] = id;
            return VaultReply.Ok(new JsonObject
            {
                ["name"] = d.ProviderName,
                ["protection"] = d.Protection,
                ["purpose"] = string.Join(",", d.Purposes),
                ["versions"] = versions,
            });
        }
        if (request.IsDelete)
        {
            kms.Distributions.Remove(keyName);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();

        if (!_keys.TryGetValue(keyName, out ManagedKey? key)) return VaultReply.BadRequest($"key \"{keyName}\" not found");
        if (kms.Distributions.ContainsKey(keyName))
            return VaultReply.BadRequest($"key \"{keyName}\" is already distributed to KMS provider \"{kmsName}\"; purpose and protection cannot be changed");
        KmsProvider? other = _kms.Values.FirstOrDefault(p => p.Distributions.ContainsKey(keyName));
        if (other is not null)
            return VaultReply.BadRequest($"key \"{keyName}\" is already distributed to KMS provider \"{other.Name}\"; a key can be distributed to one KMS provider only");

        List<string> purposes = List(request.Body, "purpose");
        if (purposes.Count == 0) return VaultReply.BadRequest("missing required field \"purpose\"");
        foreach (string p in purposes)
            if (!Purposes.Contains(p)) return VaultReply.BadRequest($"unsupported purpose \"{p}\"; supported purposes are {string.Join(", ", Purposes)}");
        if (kms.Provider == "awskms" && purposes.Any(p => p is not ("encrypt" or "decrypt")))
            return VaultReply.BadRequest("the awskms provider supports only the encrypt and decrypt purposes");
        string protection = Str(request.Body, "protection") ?? "hsm";
        if (protection is not ("hsm" or "software"))
            return VaultReply.BadRequest($"unsupported protection \"{protection}\"; supported values are hsm, software");
        if (!Compatible(key.Type, kms.Provider))
            return VaultReply.BadRequest($"key type \"{key.Type}\" is not supported by the {kms.Provider} provider");

        long stamp = _services.Clock.GetUtcNow().ToUnixTimeSeconds();
        var distribution = new Distribution($"{keyName}-{stamp}", [.. purposes.Distinct()], protection);
        foreach (int v in key.Versions.Keys) distribution.Versions[v] = ProviderVersionId(kms.Provider, v);
        kms.Distributions[keyName] = distribution;
        return VaultReply.NoContent();
    }

    /// <summary>Which key types a provider takes (docs/vault-notes.md#key-management-enterprise-hcp).</summary>
    private static bool Compatible(string type, string provider) => provider switch
    {
        "awskms" => type == "aes256-gcm96",
        "azurekeyvault" => type.StartsWith("rsa-", StringComparison.Ordinal),
        "gcpckms" => type is "aes256-gcm96" or "ecdsa-p256" or "ecdsa-p384" || type.StartsWith("rsa-", StringComparison.Ordinal),
        _ => false,
    };

    private static string ProviderVersionId(string provider, int version) => provider switch
    {
        "awskms" => Guid.NewGuid().ToString(),
        "gcpckms" => version.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
    };

    // ---- body helpers -------------------------------------------------------------------------------

    private static string? Str(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonNode n => n.ToJsonString(),
    };

    private static List<string> List(JsonObject body, string name) => body[name] switch
    {
        null => [],
        JsonArray a => [.. a.Where(x => x is not null).Select(x => x!.GetValue<string>().Trim()).Where(s => s.Length > 0)],
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [.. v.GetValue<string>().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
        JsonNode n => throw new KeymgmtInputException($"error converting input {n.ToJsonString()} for field \"{name}\": expected a list"),
    };

    private static int Int(JsonObject body, string name, int fallback) => body[name] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => (int)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), out int i) => i,
        JsonNode n => throw new KeymgmtInputException($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse as int"),
    };

    private static bool Bool(JsonObject body, string name) => body[name] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>(), out bool b) => b,
        JsonNode n => throw new KeymgmtInputException($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse as bool"),
    };

    // ---- state ----------------------------------------------------------------------------------------

    /// <summary>Test hook: the credentials a provider holds (never returned over the API).</summary>
    public IReadOnlyDictionary<string, string> CredentialsOf(string kmsName)
    {
        lock (_gate) return _kms.TryGetValue(kmsName, out KmsProvider? p) ? new Dictionary<string, string>(p.Credentials) : new Dictionary<string, string>();
    }

    private sealed class ManagedKey(string name, string type)
    {
        public string Name { get; } = name;
        public string Type { get; } = type;
        public SortedDictionary<int, KeyVersion> Versions { get; } = [];
        public int LatestVersion => Versions.Count == 0 ? 0 : Versions.Keys.Max();
        public int MinEnabledVersion { get; set; }
        public bool DeletionAllowed { get; set; }

        public int AddVersion(DateTimeOffset now)
        {
            int version = LatestVersion + 1;
            Versions[version] = new KeyVersion(now, PublicKeyFor(Type));
            return version;
        }

        private static string? PublicKeyFor(string type)
        {
            if (type.StartsWith("rsa-", StringComparison.Ordinal))
            {
                using var rsa = RSA.Create(int.Parse(type["rsa-".Length..], CultureInfo.InvariantCulture));
                return rsa.ExportSubjectPublicKeyInfoPem();
            }
            if (type.StartsWith("ecdsa-", StringComparison.Ordinal))
            {
                ECCurve curve = type switch
                {
                    "ecdsa-p256" => ECCurve.NamedCurves.nistP256,
                    "ecdsa-p384" => ECCurve.NamedCurves.nistP384,
                    _ => ECCurve.NamedCurves.nistP521,
                };
                using var ec = ECDsa.Create(curve);
                return ec.ExportSubjectPublicKeyInfoPem();
            }
            return null; // symmetric: the material never leaves Vault
        }
    }

    private sealed record KeyVersion(DateTimeOffset Created, string? PublicKeyPem);

    private sealed class KmsProvider(string name, string provider, string keyCollection)
    {
        public string Name { get; } = name;
        public string Provider { get; } = provider;
        public string KeyCollection { get; } = keyCollection;
        public Dictionary<string, string> Credentials { get; init; } = [];
        public Dictionary<string, Distribution> Distributions { get; } = new(StringComparer.Ordinal);
    }

    private sealed class Distribution(string providerName, List<string> purposes, string protection)
    {
        public string ProviderName { get; } = providerName;
        public List<string> Purposes { get; } = purposes;
        public string Protection { get; } = protection;
        public SortedDictionary<int, string> Versions { get; } = [];
    }

    private sealed class KeymgmtInputException(string message) : Exception(message);
}
