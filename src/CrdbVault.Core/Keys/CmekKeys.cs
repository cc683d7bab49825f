using System.Security;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Keys;

/// <summary>What New-CrdbCmekKey asks for.</summary>
public sealed class CmekKeyRequest
{
    /// <summary>The Vault keymgmt key name.</summary>
    public required string Name { get; init; }
    /// <summary>awskms, gcpckms or azurekeyvault.</summary>
    public required string Provider { get; init; }
    /// <summary>The KMS provider resource name in Vault (keymgmt/kms/&lt;KmsName&gt;).</summary>
    public required string KmsName { get; init; }
    /// <summary>Needed only when the KMS provider does not exist yet.</summary>
    public string? KeyCollection { get; init; }
    public string? Region { get; init; }
    public required string AuthPrincipal { get; init; }
    /// <summary>Vault key type; default aes256-gcm96 (AWS, GCP) or rsa-3072 (Azure).</summary>
    public string? KeyType { get; init; }
    public string Protection { get; init; } = "hsm";
    /// <summary>Provider credentials (write-only in Vault), revealed only for the request that sends them.</summary>
    public IReadOnlyDictionary<string, SecureString>? Credentials { get; init; }
    public string? AwsAccountId { get; init; }
    public string? AwsKeyId { get; init; }
    public bool AwsUseAlias { get; init; }
    public string? AzureKeyVersion { get; init; }
}

/// <summary>The spec for CockroachDB Cloud and what was done in Vault to get it.</summary>
public sealed record CmekKeyResult(
    CmekRegionSpec Spec,
    string KeyName,
    string KeyType,
    int KeyVersion,
    string KmsName,
    string Provider,
    string ProviderKeyName,
    IReadOnlyList<string> Purposes,
    bool KeyCreated,
    bool KmsCreated,
    bool Distributed,
    string? Note);

/// <summary>
/// Creates a CMEK key with Vault's Key Management engine and turns it into the
/// <see cref="CmekRegionSpec"/> CockroachDB Cloud needs: ensures the KMS provider, the key, and the
/// key's distribution (with the purposes CockroachDB uses), reads the provider-side name back and
/// builds the URI with <see cref="CmekUriBuilder"/>. Every step reuses what already exists, so a
/// second run returns the same spec.
/// </summary>
public sealed class CmekKeys
{
    private readonly KeymgmtEngine _keymgmt;
    private readonly Action<string>? _trace;

    public CmekKeys(VaultClient client, string mountPath = "keymgmt", Action<string>? trace = null)
    {
        _keymgmt = new KeymgmtEngine(client, mountPath);
        _trace = trace;
    }

    public KeymgmtEngine Keymgmt => _keymgmt;

    /// <summary>CockroachDB encrypts and decrypts data keys with the CMEK; on Azure (RSA) it wraps/unwraps them.</summary>
    public static IReadOnlyList<string> PurposesFor(string provider) => provider == "azurekeyvault"
        ? ["encrypt", "decrypt", "wrap", "unwrap"]
        : ["encrypt", "decrypt"];

    public static string DefaultKeyType(string provider) => provider == "azurekeyvault" ? "rsa-3072" : "aes256-gcm96";

    /// <summary>Checks everything that can be checked before a request; throws ArgumentException naming the parameter.</summary>
    public static void Validate(CmekKeyRequest r)
    {
        InputValidator.PathSegment(r.Name, "Name");
        InputValidator.PathSegment(r.KmsName, "KmsName");
        CmekKeyType type = CmekUriBuilder.TypeFor(r.Provider);
        string keyType = r.KeyType ?? DefaultKeyType(r.Provider);
        string? typeProblem = KeyTypeProblem(keyType, r.Provider);
        if (typeProblem is not null) throw new ArgumentException(typeProblem, "Type");
        if (r.Protection is not ("hsm" or "software"))
            throw new ArgumentException($"-Protection '{r.Protection}' is not hsm or software.", "Protection");
        if (CmekSpecRules.PrincipalProblem(type, r.AuthPrincipal) is string p) throw new ArgumentException(p, "AuthPrincipal");
        if (!string.IsNullOrWhiteSpace(r.Region) && CmekSpecRules.RegionProblem(type, r.Region) is string rp) throw new ArgumentException(rp, "Region");
        if (type == CmekKeyType.AwsKms && string.IsNullOrWhiteSpace(r.AwsAccountId))
            throw new CmekParameterRequiredException("Vault does not return the AWS account that holds the key, and CockroachDB Cloud needs the full key " +
                "ARN: add -AwsAccountId <12-digit account id> (aws sts get-caller-identity --query Account).", "AwsAccountId");
        if (type == CmekKeyType.AzureKeyVault && string.IsNullOrWhiteSpace(r.Region))
            throw new CmekParameterRequiredException("Vault does not know the cluster's Azure region: add -Region <region> (e.g. eastus).", "Region");
        if (r.KeyCollection is not null && string.IsNullOrWhiteSpace(r.KeyCollection))
            throw new ArgumentException("-KeyCollection is empty.", "KeyCollection");
        if (r.KeyCollection is not null) CheckUriInputs(r, r.KeyCollection);
    }

    /// <summary>
    /// Builds the key URI once with placeholders for what only Vault can tell (the provider-side name
    /// and version id), so that a key collection, account id, key id or version that can never give a
    /// valid URI is refused before the provider, the key or the distribution is created.
    /// </summary>
    private static void CheckUriInputs(CmekKeyRequest r, string keyCollection)
    {
        CmekKeyType type = CmekUriBuilder.TypeFor(r.Provider);
        string placeholderVersion = type == CmekKeyType.AzureKeyVault ? new string('0', 32) : "00000000-0000-4000-8000-000000000000";
        CmekUriResult uri;
        try
        {
            uri = CmekUriBuilder.Build(new CmekUriInputs
            {
                Provider = r.Provider,
                KeyCollection = keyCollection,
                ProviderKeyName = r.Name + "-1700000000",
                Versions = new Dictionary<int, string> { [1] = placeholderVersion },
                LatestVersion = 1,
                Region = r.Region,
                AwsAccountId = r.AwsAccountId,
                AwsKeyId = r.AwsKeyId,
                AwsUseAlias = r.AwsUseAlias,
                AzureKeyVersion = r.AzureKeyVersion,
            });
        }
        catch (CmekParameterRequiredException ex) when (ex.ParamName is "KeyCollection" or "AwsKeyId" or "AzureKeyVersion" || (ex.ParamName == "AwsAccountId"
            && !string.IsNullOrWhiteSpace(r.AwsAccountId)))
        {
            // A value that was given (or the provider holds) and is wrong, not one that is missing.
            throw new ArgumentException(ex.Message, ex.ParamName, ex);
        }
        if (!CmekSpecRules.TryCreate(uri.Region, uri.Type.Value, uri.Uri, r.AuthPrincipal, out _, out IReadOnlyList<CmekSpecProblem> problems))
            throw new ArgumentException(string.Join(" ", problems.Select(p => p.Message)), problems[0].Field);
    }

    /// <summary>Which key types a provider takes (docs/vault-notes.md#key-management-enterprise-hcp), narrowed to keys CockroachDB Cloud can use.</summary>
    public static string? KeyTypeProblem(string keyType, string provider) => provider switch
    {
        "awskms" when keyType != "aes256-gcm96" => $"-Type '{keyType}' cannot be distributed to AWS KMS: " +
            $"use aes256-gcm96 (AWS takes only symmetric keys from Vault).",
        "gcpckms" when keyType != "aes256-gcm96" => $"-Type '{keyType}': CockroachDB Cloud needs a symmetric encrypt/decrypt key in GCP KMS: use aes256-gcm96.",
        "azurekeyvault" when keyType is not ("rsa-2048" or "rsa-3072" or "rsa-4096") =>
            $"-Type '{keyType}' cannot be distributed to Azure Key Vault: use rsa-2048, rsa-3072 or rsa-4096 (Azure cannot take aes256-gcm96 keys from Vault).",
        _ => null,
    };

    public async Task<CmekKeyResult> CreateAsync(CmekKeyRequest r, CancellationToken ct)
    {
        Validate(r);
        string keyType = r.KeyType ?? DefaultKeyType(r.Provider);
        IReadOnlyList<string> purposes = PurposesFor(r.Provider);

        // 1. The KMS provider.
        bool kmsCreated = false;
        KmsProviderInfo? kms = await _keymgmt.ReadKmsAsync(r.KmsName, ct).ConfigureAwait(false);
        if (kms is null)
        {
            if (string.IsNullOrWhiteSpace(r.KeyCollection))
                throw new CmekParameterRequiredException(
                    $"KMS provider '{r.KmsName}' does not exist in {_keymgmt.MountPath}/ yet: add -KeyCollection ({KeyCollectionHint(r.Provider)}) " +
                        $"to create it.", "KeyCollection");
            await _keymgmt.WriteKmsAsync(r.KmsName, r.Provider, r.KeyCollection.Trim(), Reveal(r.Credentials), ct).ConfigureAwait(false);
            kmsCreated = true;
            _trace?.Invoke($"Created KMS provider {_keymgmt.MountPath}/kms/{r.KmsName} ({r.Provider}, key collection {r.KeyCollection.Trim()}).");
            kms = new KmsProviderInfo(r.KmsName, r.Provider, r.KeyCollection.Trim());
        }
        else
        {
            // What Vault holds must give a valid URI too: found now, not after the key is created.
            if (kms.Provider == r.Provider) CheckUriInputs(r, kms.KeyCollection);
            if (kms.Provider != r.Provider)
                throw new ArgumentException($"KMS provider '{r.KmsName}' is {kms.Provider}, not {r.Provider}; a provider's type cannot change. " +
                    $"Pass -Provider {kms.Provider}, or another -KmsName.", "Provider");
            if (!string.IsNullOrWhiteSpace(r.KeyCollection) && r.KeyCollection.Trim() != kms.KeyCollection)
                throw new ArgumentException($"KMS provider '{r.KmsName}' keeps keys in '{kms.KeyCollection}', not '{r.KeyCollection.Trim()}'; " +
                    $"the key collection cannot change. Leave out -KeyCollection, or use another -KmsName.", "KeyCollection");
            if (r.Credentials is { Count: > 0 })
            {
                await _keymgmt.WriteKmsAsync(r.KmsName, kms.Provider, kms.KeyCollection, Reveal(r.Credentials), ct).ConfigureAwait(false);
                _trace?.Invoke($"Updated the credentials of KMS provider {_keymgmt.MountPath}/kms/{r.KmsName}.");
            }
        }

        // 2. The key.
        bool keyCreated = false;
        KeymgmtKeyInfo? key = await _keymgmt.ReadKeyAsync(r.Name, ct).ConfigureAwait(false);
        if (key is null)
        {
            await _keymgmt.CreateKeyAsync(r.Name, keyType, ct).ConfigureAwait(false);
            keyCreated = true;
            _trace?.Invoke($"Created keymgmt key {_keymgmt.MountPath}/key/{r.Name} ({keyType}).");
            key = await _keymgmt.ReadKeyAsync(r.Name, ct).ConfigureAwait(false)
                ?? throw new VaultApiException($"Vault did not keep key {_keymgmt.MountPath}/key/{r.Name} after creating " +
                    $"it.", VaultErrorKind.Other, $"{_keymgmt.MountPath}/key/{r.Name}", 200);
        }
        else if (r.KeyType is not null && key.Type.Length > 0 && key.Type != r.KeyType)
        {
            throw new ArgumentException($"Key '{r.Name}' already exists as {key.Type}; a key's type cannot change. Leave out -Type, " +
                $"or choose another -Name.", "Type");
        }
        else if (key.Type.Length > 0 && KeyTypeProblem(key.Type, r.Provider) is string problem)
        {
            throw new ArgumentException($"Key '{r.Name}' already exists as {key.Type}, which does not fit {r.Provider}: " +
                $"{problem} Choose another -Name.", "Name");
        }

        // 3. The distribution.
        bool distributed = false;
        DistributedKeyInfo? dist = await _keymgmt.ReadDistributionAsync(r.KmsName, r.Name, ct).ConfigureAwait(false);
        if (dist is null)
        {
            await _keymgmt.DistributeAsync(r.KmsName, r.Name, purposes, r.Protection, ct).ConfigureAwait(false);
            distributed = true;
            _trace?.Invoke($"Distributed {r.Name} to {r.KmsName} (purpose {string.Join(",", purposes)}, protection {r.Protection}).");
            dist = await _keymgmt.ReadDistributionAsync(r.KmsName, r.Name, ct).ConfigureAwait(false)
                ?? throw new VaultApiException($"Vault does not show key '{r.Name}' in KMS provider '{r.KmsName}' after distributing " +
                    $"it.", VaultErrorKind.Other, $"{_keymgmt.MountPath}/kms/{r.KmsName}/key/{r.Name}", 200);
        }
        string? note = null;
        var missing = purposes.Where(p => dist.Purposes.Count > 0 && !dist.Purposes.Contains(p)).ToList();
        if (missing.Count > 0)
            note = $"The existing distribution of '{r.Name}' lacks purpose {string.Join(",", missing)} that CockroachDB uses; purposes cannot change: " +
                $"remove it from the provider (vault delete {_keymgmt.MountPath}/kms/{r.KmsName}/key/{r.Name}) and run again.";

        // 4. The URI and the spec.
        CmekUriResult uri = CmekUriBuilder.Build(new CmekUriInputs
        {
            Provider = r.Provider,
            KeyCollection = kms.KeyCollection,
            ProviderKeyName = dist.ProviderKeyName,
            Versions = dist.Versions,
            LatestVersion = key.LatestVersion,
            Region = r.Region,
            AwsAccountId = r.AwsAccountId,
            AwsKeyId = r.AwsKeyId,
            AwsUseAlias = r.AwsUseAlias,
            AzureKeyVersion = r.AzureKeyVersion,
        });
        CmekRegionSpec spec = CmekSpecRules.Create(uri.Region, uri.Type.Value, uri.Uri, r.AuthPrincipal);
        return new CmekKeyResult(spec, r.Name, key.Type.Length > 0 ? key.Type : keyType, key.LatestVersion, r.KmsName, r.Provider, dist.ProviderKeyName,
            dist.Purposes, keyCreated, kmsCreated, distributed, note is null ? uri.Note : note + (uri.Note is null ? "" : " " + uri.Note));
    }

    private static string KeyCollectionHint(string provider) => provider switch
    {
        "awskms" => "the AWS region, e.g. us-east-1",
        "gcpckms" => "the key ring, projects/<project>/locations/<location>/keyRings/<ring>",
        _ => "the Key Vault name",
    };

    private static Dictionary<string, string>? Reveal(IReadOnlyDictionary<string, SecureString>? credentials) =>
        credentials is null ? null : credentials.ToDictionary(kv => kv.Key, kv => SecureStrings.Reveal(kv.Value), StringComparer.Ordinal);
}
