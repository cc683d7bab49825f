using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines;

/// <summary>
/// Vault's transit engine (docs/vault-notes.md#transit) with real AES-GCM: symmetric keys with versions
/// (aes256-gcm96, aes128-gcm96), rotate, config, datakey plaintext/wrapped, encrypt, decrypt.
/// Ciphertext is <c>vault:v&lt;version&gt;:base64(nonce ‖ ciphertext ‖ tag)</c> with a random 96-bit
/// nonce, as Vault writes it. Error texts follow Vault's keysutil/transit paths.
/// </summary>
public sealed class TransitEngine : IVaultEngine
{
    private static readonly string[] SupportedTypes = ["aes256-gcm96", "aes128-gcm96"];
    private readonly object _gate = new();
    private readonly Dictionary<string, TransitKey> _keys = new(StringComparer.Ordinal);
    private readonly VaultServices _services;

    public TransitEngine(VaultMount mount, VaultServices services)
    {
        Mount = mount;
        _services = services;
    }

    public string Type => "transit";
    public VaultMount Mount { get; }

    public Task<VaultReply> HandleAsync(VaultRequest request)
    {
        try
        {
            return Task.FromResult(Handle(request));
        }
        catch (TransitInputException ex)
        {
            return Task.FromResult(VaultReply.BadRequest(ex.Message));
        }
    }

    private VaultReply Handle(VaultRequest request)
    {
        string[] parts = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        lock (_gate)
        {
            return parts switch
            {
                ["keys"] when request.IsList => VaultReply.Keys(_keys.Keys.Order(StringComparer.Ordinal)),
                ["keys", string name] => KeyPath(request, name),
                ["keys", string name, "rotate"] when request.IsWrite => Rotate(name),
                ["keys", string name, "config"] when request.IsWrite => Configure(request, name),
                ["datakey", string kind, string name] when request.IsWrite => DataKey(request, kind, name),
                ["encrypt", string name] when request.IsWrite => Encrypt(request, name),
                ["decrypt", string name] when request.IsWrite => Decrypt(request, name),
                ["keys", ..] or ["datakey", ..] or ["encrypt", _] or ["decrypt", _] => VaultReply.UnsupportedOperation(),
                _ => VaultReply.UnsupportedPath(),
            };
        }
    }

    // ---- keys/:name ----------------------------------------------------------------------------

    private VaultReply KeyPath(VaultRequest request, string name)
    {
        if (request.IsRead) return _keys.TryGetValue(name, out TransitKey? k) ? VaultReply.Ok(Describe(k)) : VaultReply.NotFound();
        if (request.IsDelete)
        {
            if (!_keys.TryGetValue(name, out TransitKey? k)) return VaultReply.NoContent();
            if (!k.DeletionAllowed) return VaultReply.BadRequest($"error deleting policy {name}: deletion is not allowed for this policy");
            _keys.Remove(name);
            return VaultReply.NoContent();
        }
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();

        string type = Str(request.Body, "type") ?? "aes256-gcm96";
        if (!SupportedTypes.Contains(type))
            return VaultReply.BadRequest($"unknown key type: {type}");
        if (Bool(request.Body, "convergent_encryption") && !Bool(request.Body, "derived"))
            return VaultReply.BadRequest("convergent encryption requires derivation to be enabled, so context is required");
        if (_keys.TryGetValue(name, out TransitKey? existing))
            return new VaultReply { Data = Describe(existing), Warnings = [$"key {name} already existed"] };
        var key = new TransitKey(name, type, _services.Clock.GetUtcNow())
        {
            Exportable = Bool(request.Body, "exportable"),
            AllowPlaintextBackup = Bool(request.Body, "allow_plaintext_backup"),
        };
        _keys[name] = key;
        return VaultReply.Ok(Describe(key));
    }

    private VaultReply Rotate(string name)
    {
        if (!_keys.TryGetValue(name, out TransitKey? key)) return VaultReply.BadRequest("key not found");
        key.Rotate(_services.Clock.GetUtcNow());
        return VaultReply.Ok(Describe(key));
    }

    private VaultReply Configure(VaultRequest request, string name)
    {
        if (!_keys.TryGetValue(name, out TransitKey? key)) return VaultReply.BadRequest($"no existing key named {name} could be found");
        int minDecrypt = Int(request.Body, "min_decryption_version", key.MinDecryptionVersion);
        int minEncrypt = Int(request.Body, "min_encryption_version", key.MinEncryptionVersion);
        if (minDecrypt < 0 || minEncrypt < 0) return VaultReply.BadRequest("key versions cannot be negative");
        if (minDecrypt > key.LatestVersion)
            return VaultReply.BadRequest($"cannot set min decryption version of {minDecrypt}, latest key version is {key.LatestVersion}");
        if (minEncrypt > key.LatestVersion)
            return VaultReply.BadRequest($"cannot set min encryption version of {minEncrypt}, latest key version is {key.LatestVersion}");
        if (minEncrypt > 0 && minDecrypt > minEncrypt)
            return VaultReply.BadRequest("min decryption version should not be less then min available version");
        key.MinDecryptionVersion = minDecrypt == 0 ? 1 : minDecrypt;
        key.MinEncryptionVersion = minEncrypt;
        if (request.Body.ContainsKey("deletion_allowed")) key.DeletionAllowed = Bool(request.Body, "deletion_allowed");
        if (request.Body.ContainsKey("exportable"))
        {
            bool exportable = Bool(request.Body, "exportable");
            if (key.Exportable && !exportable) return VaultReply.BadRequest("cannot disable exportability on exportable key");
            key.Exportable = exportable;
        }
        if (request.Body.ContainsKey("allow_plaintext_backup"))
        {
            bool allow = Bool(request.Body, "allow_plaintext_backup");
            if (key.AllowPlaintextBackup && !allow) return VaultReply.BadRequest("cannot disable plaintext backup on a key that allows it");
            key.AllowPlaintextBackup = allow;
        }
        return VaultReply.Ok(Describe(key));
    }

    private static JsonObject Describe(TransitKey k)
    {
        var versions = new JsonObject();
        foreach ((int version, TransitKeyVersion v) in k.Versions)
            versions[version.ToString(System.Globalization.CultureInfo.InvariantCulture)] = v.Created.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["name"] = k.Name,
            ["type"] = k.Type,
            ["deletion_allowed"] = k.DeletionAllowed,
            ["derived"] = false,
            ["exportable"] = k.Exportable,
            ["allow_plaintext_backup"] = k.AllowPlaintextBackup,
            ["keys"] = versions,
            ["latest_version"] = k.LatestVersion,
            ["min_available_version"] = 0,
            ["min_decryption_version"] = k.MinDecryptionVersion,
            ["min_encryption_version"] = k.MinEncryptionVersion,
            ["supports_encryption"] = true,
            ["supports_decryption"] = true,
            ["supports_derivation"] = true,
            ["supports_signing"] = false,
            ["imported_key"] = false,
            ["auto_rotate_period"] = 0,
        };
    }

    // ---- datakey / encrypt / decrypt -----------------------------------------------------------

    private VaultReply DataKey(VaultRequest request, string kind, string name)
    {
        if (kind is not ("plaintext" or "wrapped"))
            return VaultReply.BadRequest("Invalid path, must be 'plaintext' or 'wrapped'");
        if (!_keys.TryGetValue(name, out TransitKey? key)) return VaultReply.BadRequest("encryption key not found");
        int bits = Int(request.Body, "bits", 256);
        int length = bits switch
        {
            128 => 16,
            256 => 32,
            512 => 64,
            _ => throw new TransitInputException("invalid bit length"),
        };
        int version = EncryptionVersion(key, Int(request.Body, "key_version", 0));
        byte[] dataKey = RandomNumberGenerator.GetBytes(length);
        try
        {
            var data = new JsonObject
            {
                ["ciphertext"] = Seal(key, version, dataKey),
                ["key_version"] = version,
            };
            if (kind == "plaintext") data["plaintext"] = Convert.ToBase64String(dataKey);
            return VaultReply.Ok(data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    private VaultReply Encrypt(VaultRequest request, string name)
    {
        // Vault upserts: encrypting with an unknown key name creates an aes256-gcm96 key.
        if (!_keys.TryGetValue(name, out TransitKey? key))
        {
            string type = Str(request.Body, "type") ?? "aes256-gcm96";
            if (!SupportedTypes.Contains(type)) return VaultReply.BadRequest($"unknown key type {type}");
            key = _keys[name] = new TransitKey(name, type, _services.Clock.GetUtcNow());
        }
        string? plaintext = Str(request.Body, "plaintext");
        if (plaintext is null) return VaultReply.BadRequest("missing plaintext to encrypt");
        byte[] plain;
        try { plain = Convert.FromBase64String(plaintext); }
        catch (FormatException) { return VaultReply.BadRequest("failed to base64-decode plaintext"); }
        int version = EncryptionVersion(key, Int(request.Body, "key_version", 0));
        return VaultReply.Ok(new JsonObject { ["ciphertext"] = Seal(key, version, plain), ["key_version"] = version });
    }

    private VaultReply Decrypt(VaultRequest request, string name)
    {
        if (!_keys.TryGetValue(name, out TransitKey? key)) return VaultReply.BadRequest("encryption key not found");
        string? value = Str(request.Body, "ciphertext");
        if (string.IsNullOrEmpty(value)) return VaultReply.BadRequest("missing ciphertext to decrypt");
        byte[] plain = Open(key, value);
        try
        {
            return VaultReply.Ok(new JsonObject { ["plaintext"] = Convert.ToBase64String(plain) });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private static int EncryptionVersion(TransitKey key, int requested)
    {
        if (requested == 0) return key.LatestVersion;
        if (requested < 0 || requested > key.LatestVersion) throw new TransitInputException("invalid key version");
        if (key.MinEncryptionVersion > 0 && requested < key.MinEncryptionVersion)
            throw new TransitInputException("cannot encrypt with a key version lower than the min encryption version");
        return requested;
    }

    private static string Seal(TransitKey key, int version, byte[] plaintext)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] output = new byte[12 + plaintext.Length + 16];
        nonce.CopyTo(output, 0);
        using var gcm = new AesGcm(key.Versions[version].Material, 16);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(12, plaintext.Length), output.AsSpan(12 + plaintext.Length, 16));
        return $"vault:v{version}:{Convert.ToBase64String(output)}";
    }

    /// <summary>Parses and opens a ciphertext with Vault's checks and messages (keysutil Policy.Decrypt).</summary>
    private static byte[] Open(TransitKey key, string value)
    {
        if (!value.StartsWith("vault:", StringComparison.Ordinal)) throw new TransitInputException("invalid ciphertext: no prefix");
        string rest = value.StartsWith("vault:v", StringComparison.Ordinal) ? value["vault:v".Length..] : value["vault:".Length..];
        string[] fields = rest.Split(':', 2);
        if (fields.Length != 2)
            throw new TransitInputException("invalid ciphertext: wrong number of fields");
        if (!int.TryParse(fields[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int version))
            throw new TransitInputException("invalid ciphertext: version number could not be decoded");
        if (version == 0) version = 1;
        if (version > key.LatestVersion) throw new TransitInputException("invalid ciphertext: version is too new");
        if (key.MinDecryptionVersion > 0 && version < key.MinDecryptionVersion)
            throw new TransitInputException("ciphertext or signature version is disallowed by policy (too old)");
        byte[] raw;
        try { raw = Convert.FromBase64String(fields[1]); }
        catch (FormatException) { throw new TransitInputException("invalid ciphertext: could not decode base64"); }
        if (raw.Length < 12 + 16) throw new TransitInputException("cipher: message authentication failed");
        byte[] plain = new byte[raw.Length - 28];
        try
        {
            using var gcm = new AesGcm(key.Versions[version].Material, 16);
            gcm.Decrypt(raw.AsSpan(0, 12), raw.AsSpan(12, plain.Length), raw.AsSpan(12 + plain.Length, 16), plain);
        }
        catch (CryptographicException)
        {
            throw new TransitInputException("cipher: message authentication failed");
        }
        return plain;
    }

    // ---- body helpers (Vault's framework accepts strings for numbers and booleans) ---------------

    private static string? Str(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonNode n => n.ToJsonString(),
    };

    private static int Int(JsonObject body, string name, int fallback) => body[name] switch
    {
        null => fallback,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => (int)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), out int i) => i,
        JsonNode n => throw new TransitInputException($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse as int"),
    };

    private static bool Bool(JsonObject body, string name) => body[name] switch
    {
        null => false,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && bool.TryParse(v.GetValue<string>(), out bool b) => b,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "1" or "t" => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is "0" or "f" or "" => false,
        JsonNode n => throw new TransitInputException($"error converting input {n.ToJsonString()} for field \"{name}\": cannot parse as bool"),
    };

    // ---- state ----------------------------------------------------------------------------------

    /// <summary>Test hook: the number of key versions a key has (0 when absent).</summary>
    public int LatestVersionOf(string name)
    {
        lock (_gate) return _keys.TryGetValue(name, out TransitKey? k) ? k.LatestVersion : 0;
    }

    private sealed class TransitKey
    {
        public TransitKey(string name, string type, DateTimeOffset now)
        {
            Name = name;
            Type = type;
            Rotate(now);
            MinDecryptionVersion = 1;
        }

        public string Name { get; }
        public string Type { get; }
        public SortedDictionary<int, TransitKeyVersion> Versions { get; } = [];
        public int LatestVersion => Versions.Count == 0 ? 0 : Versions.Keys.Max();
        public int MinDecryptionVersion { get; set; }
        public int MinEncryptionVersion { get; set; }
        public bool DeletionAllowed { get; set; }
        public bool Exportable { get; set; }
        public bool AllowPlaintextBackup { get; set; }

        public void Rotate(DateTimeOffset now) =>
            Versions[LatestVersion + 1] = new TransitKeyVersion(RandomNumberGenerator.GetBytes(Type == "aes128-gcm96" ? 16 : 32), now);
    }

    private sealed record TransitKeyVersion(byte[] Material, DateTimeOffset Created);

    private sealed class TransitInputException(string message) : Exception(message);
}
