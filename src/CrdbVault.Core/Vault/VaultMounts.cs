using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault;

/// <summary><c>sys/mounts</c> as the engines need it: what is mounted where, and enabling an engine once.</summary>
public static class VaultMounts
{
    /// <summary>The type of the engine mounted at <paramref name="mountPath"/>, or null when none.</summary>
    public static async Task<string?> ReadTypeAsync(VaultClient client, string mountPath, CancellationToken ct)
    {
        try
        {
            VaultResponse? r = await client.ReadAsync($"sys/mounts/{InputValidator.MountPath(mountPath)}", ct).ConfigureAwait(false);
            return r?.DataAs<MountData>()?.Type;
        }
        catch (VaultApiException ex) when (ex.Status == 400)
        {
            return null; // Older Vaults answer 400 "no matching mount".
        }
    }

    /// <summary>
    /// Enables an engine of <paramref name="type"/> at the mount when none is there. Returns true when
    /// it enabled one; throws when the path holds an engine of another type (<paramref name="what"/>
    /// names the expected one in the message, e.g. "a PKI engine").
    /// </summary>
    public static async Task<bool> EnsureAsync(VaultClient client, string mountPath, string type, string what, string description, CancellationToken ct)
    {
        string? existing = await ReadTypeAsync(client, mountPath, ct).ConfigureAwait(false);
        if (existing == type) return false;
        if (existing is not null)
            throw new InvalidOperationException($"Vault already has a '{existing}' engine at '{mountPath}/', not {what}. " +
                $"Choose another -MountPath or disable that mount.");
        try
        {
            await client.WriteAsync($"sys/mounts/{mountPath}", new { type, description }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status is 400 or 409 && ex.Mentions("already in use", "existing mount"))
        {
            return false; // Someone enabled it meanwhile: fine.
        }
        return true;
    }

    /// <summary>The paths of every secrets engine the token may see (<c>sys/mounts</c>), without their trailing slash.</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(VaultClient client, CancellationToken ct)
    {
        VaultResponse? r = await client.ReadAsync("sys/mounts", ct).ConfigureAwait(false);
        if (r is null || r.Data.ValueKind != System.Text.Json.JsonValueKind.Object) return [];
        return [.. r.Data.EnumerateObject().Select(p => p.Name.TrimEnd('/')).Where(n => n.Length > 0)];
    }
}
