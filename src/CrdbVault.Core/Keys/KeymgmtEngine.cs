using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Keys;

/// <summary>A Vault-side keymgmt key (no key material).</summary>
public sealed record KeymgmtKeyInfo(string Name, string Type, int LatestVersion, int MinEnabledVersion, bool DeletionAllowed, IReadOnlyList<int> Versions);

/// <summary>A KMS provider as Vault returns it (credentials are never returned).</summary>
public sealed record KmsProviderInfo(string Name, string Provider, string KeyCollection);

/// <summary>
/// A key distributed to a KMS provider: <see cref="ProviderKeyName"/> is the name in the cloud
/// (<c>&lt;key&gt;-&lt;unix timestamp&gt;</c>); <see cref="Versions"/> maps Vault key versions to the
/// provider's version ids (optional: older Vaults do not return it).
/// </summary>
public sealed record DistributedKeyInfo(string KmsName, string KeyName, string ProviderKeyName, IReadOnlyList<string> Purposes, string Protection,
    IReadOnlyDictionary<int, string> Versions);

/// <summary>
/// Vault Enterprise's Key Management engine (docs/vault-notes.md#key-management-enterprise-hcp): keys, KMS providers, distribution.
/// </summary>
public sealed class KeymgmtEngine
{
    public static readonly IReadOnlyList<string> Providers = ["awskms", "gcpckms", "azurekeyvault"];
    private readonly VaultClient _client;

    public KeymgmtEngine(VaultClient client, string mountPath = "keymgmt")
    {
        _client = client;
        MountPath = InputValidator.MountPath(mountPath);
    }

    public string MountPath { get; }

    public async Task<KeymgmtKeyInfo?> ReadKeyAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        VaultResponse? r = await Guard(() => _client.ReadAsync($"{MountPath}/key/{name}", ct)).ConfigureAwait(false);
        if (r is null) return null;
        KeymgmtKeyData? key = r.DataAs<KeymgmtKeyData>();
        List<int> versions = [.. (key?.Keys?.Keys ?? []).Order()];
        return new KeymgmtKeyInfo(key?.Name ?? name, key?.Type ?? "",
            key?.LatestVersion ?? (versions.Count == 0 ? 0 : versions[^1]),
            key?.MinEnabledVersion ?? 0, key?.DeletionAllowed ?? false, versions);
    }

    /// <summary>Creates a key; its type cannot change later.</summary>
    public Task CreateKeyAsync(string name, string type, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        return Guard(() => _client.WriteAsync($"{MountPath}/key/{name}", new Dictionary<string, object> { ["type"] = type },
            VaultRequestOptions.IdempotentWrite, ct));
    }

    /// <summary>Adds a key version in Vault and in every KMS the key was distributed to. Not retried.</summary>
    public Task RotateKeyAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Name");
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"The key may have been rotated: check latest_version with vault read {MountPath}/key/{name}.",
        };
        return Guard(() => _client.WriteAsync($"{MountPath}/key/{name}/rotate", null, options, ct));
    }

    public Task<IReadOnlyList<string>> ListKeysAsync(CancellationToken ct) => Guard(() => _client.ListAsync($"{MountPath}/key", ct));

    public async Task<KmsProviderInfo?> ReadKmsAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "KmsName");
        VaultResponse? r = await Guard(() => _client.ReadAsync($"{MountPath}/kms/{name}", ct)).ConfigureAwait(false);
        if (r is null) return null;
        KmsProviderData? kms = r.DataAs<KmsProviderData>();
        return new KmsProviderInfo(name, kms?.Provider ?? "", kms?.KeyCollection ?? "");
    }

    /// <summary>
    /// Creates (or, for an existing one, updates the credentials of) a KMS provider. Credentials are
    /// sent once and never read back; the caller reveals them only for this call.
    /// </summary>
    public Task WriteKmsAsync(string name, string provider, string keyCollection, IReadOnlyDictionary<string, string>? credentials, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "KmsName");
        var body = new Dictionary<string, object> { ["provider"] = provider, ["key_collection"] = keyCollection };
        if (credentials is { Count: > 0 }) body["credentials"] = credentials;
        return Guard(() => _client.WriteAsync($"{MountPath}/kms/{name}", body, VaultRequestOptions.IdempotentWrite, ct));
    }

    public Task<IReadOnlyList<string>> ListKmsKeysAsync(string kmsName, CancellationToken ct)
    {
        InputValidator.PathSegment(kmsName, "KmsName");
        return Guard(() => _client.ListAsync($"{MountPath}/kms/{kmsName}/key", ct));
    }

    /// <summary>
    /// Distributes the key to the provider (<c>purpose</c>, <c>protection</c>; both immutable). Not
    /// retried: a repeat would fail as "already distributed"; when the outcome is unknown, read it.
    /// </summary>
    public Task DistributeAsync(string kmsName, string keyName, IReadOnlyList<string> purposes, string protection, CancellationToken ct)
    {
        InputValidator.PathSegment(kmsName, "KmsName");
        InputValidator.PathSegment(keyName, "Name");
        string path = $"{MountPath}/kms/{kmsName}/key/{keyName}";
        var body = new Dictionary<string, object> { ["purpose"] = purposes.ToArray(), ["protection"] = protection };
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"The key may have been distributed: check with vault read {path} (New-CrdbCmekKey reuses a distribution it finds).",
        };
        return Guard(() => _client.WriteAsync(path, body, options, ct));
    }

    public async Task<DistributedKeyInfo?> ReadDistributionAsync(string kmsName, string keyName, CancellationToken ct)
    {
        InputValidator.PathSegment(kmsName, "KmsName");
        InputValidator.PathSegment(keyName, "Name");
        VaultResponse? r = await Guard(() => _client.ReadAsync($"{MountPath}/kms/{kmsName}/key/{keyName}", ct)).ConfigureAwait(false);
        if (r is null) return null;
        KeyDistributionData? distribution = r.DataAs<KeyDistributionData>();
        string? providerName = distribution?.Name;
        if (distribution is null || string.IsNullOrEmpty(providerName))
            throw new VaultApiException($"Vault answered {MountPath}/kms/{kmsName}/key/{keyName} without the provider-side key name " +
                $"('name').", VaultErrorKind.Other, $"{MountPath}/kms/{kmsName}/key/{keyName}", 200);
        return new DistributedKeyInfo(kmsName, keyName, providerName, distribution.Purpose ?? [], distribution.Protection ?? "",
            distribution.Versions ?? new SortedDictionary<int, string>());
    }

    private async Task<T> Guard<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        // No mount at all: Vault says "no handler for route"; another engine there: "unsupported path" or 405.
        catch (VaultApiException ex) when (ex.Status == 405 || ex.Status == 404 && ex.Mentions("unsupported path", "no handler for route"))
        {
            throw ex.AsNotFound($"Nothing answers at '{ex.Path}': is a Key Management secrets engine mounted at '{MountPath}/'? " +
                $"It needs Vault Enterprise or HCP Vault (ADP module): vault secrets enable -path={MountPath} keymgmt, or pass the right -MountPath.");
        }
    }

    private async Task Guard(Func<Task> call) => await Guard(async () => { await call().ConfigureAwait(false); return true; }).ConfigureAwait(false);
}
