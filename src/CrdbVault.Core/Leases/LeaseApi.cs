using System.Text.Json;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Leases;

/// <summary>
/// <c>sys/leases</c> (docs/vault-notes.md#leases): lookup, list by prefix, renew, revoke, revoke-prefix.
/// Lease ids are opaque (HCP adds a namespace suffix); only characters that would change the
/// request's meaning are refused.
/// </summary>
public sealed class LeaseApi(VaultClient client)
{
    public async Task<LeaseInfo> LookupAsync(string leaseId, CancellationToken ct)
    {
        ValidateLeaseId(leaseId);
        VaultResponse? r;
        try
        {
            r = await client.WriteAsync("sys/leases/lookup", new { lease_id = leaseId }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("invalid lease"))
        {
            throw ex.AsNotFound($"Vault knows no lease '{leaseId}': it expired, was revoked, or the id is wrong.", "sys/leases/lookup");
        }
        if (r is null) throw new VaultApiException($"Vault knows no lease '{leaseId}'.", VaultErrorKind.NotFound, "sys/leases/lookup", 404);
        // Real servers envelope the lookup in data; the docs show it flat (with "renewable" at the top).
        return Parse(r.Data.ValueKind == JsonValueKind.Object ? r.Data : r.Raw, leaseId);
    }

    /// <summary>
    /// The ids of every lease under <paramref name="prefix"/> (LIST sys/leases/lookup/&lt;prefix&gt;/,
    /// which needs sudo), descending into sub-prefixes.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListAsync(string prefix, CancellationToken ct)
    {
        string root = NormalisePrefix(prefix);
        var ids = new List<string>();
        var pending = new Queue<string>();
        pending.Enqueue(root);
        while (pending.Count > 0)
        {
            string current = pending.Dequeue();
            foreach (string key in await client.ListAsync($"sys/leases/lookup/{current}", ct).ConfigureAwait(false))
            {
                // Keys come from Vault but become paths of the next requests: they get the same checks as user input.
                if (key.EndsWith('/')) pending.Enqueue(InputValidator.LeasePrefix(current + key, "Prefix"));
                else ids.Add(InputValidator.LeaseId(current + key));
            }
        }
        return ids;
    }

    /// <summary>Renews a lease. <paramref name="increment"/> null = the lease's own TTL again.</summary>
    public async Task<LeaseInfo> RenewAsync(string leaseId, TimeSpan? increment, CancellationToken ct)
    {
        ValidateLeaseId(leaseId);
        var body = new Dictionary<string, object> { ["lease_id"] = leaseId };
        if (increment is TimeSpan inc) body["increment"] = (long)Math.Ceiling(inc.TotalSeconds);
        DateTimeOffset asked = DateTimeOffset.UtcNow;
        VaultResponse? r;
        try
        {
            // Renewing twice is harmless, so this may be retried.
            r = await client.WriteAsync("sys/leases/renew", body, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("invalid lease"))
        {
            throw ex.AsNotFound($"Vault knows no lease '{leaseId}': it expired or was revoked. Issue a new credential instead.", "sys/leases/renew");
        }
        catch (VaultApiException ex) when (ex.IsRefusal("not renewable"))
        {
            throw new VaultApiException($"Lease '{leaseId}' is not renewable. " +
                $"Issue a new credential instead.", VaultErrorKind.InvalidRequest, "sys/leases/renew", ex.Status, ex.Errors);
        }
        if (r is null) throw new VaultApiException($"Vault returned nothing renewing '{leaseId}'.", VaultErrorKind.Other, "sys/leases/renew");
        TimeSpan granted = r.LeaseDuration;
        client.Ledger?.RecordRenewed(leaseId, asked + granted);
        return new LeaseInfo(r.LeaseId ?? leaseId, null, asked + granted, asked, r.Renewable, granted)
        {
            LeaseDuration = granted,
            Warnings = r.Warnings,
        };
    }

    /// <summary>Revokes one lease (its revocation statements drop the database user).</summary>
    public async Task RevokeAsync(string leaseId, bool sync, CancellationToken ct)
    {
        ValidateLeaseId(leaseId);
        await client.WriteAsync("sys/leases/revoke", new { lease_id = leaseId, sync }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        client.Ledger?.RecordEnded(leaseId, LeaseState.Revoked);
    }

    /// <summary>
    /// Ends a lease the module issued (Revoke-CrdbLease -Issued, the end of Use-CrdbDynamicCredential): a lease Vault
    /// no longer knows (expired, or gone with its token) is <see cref="LeaseState.AlreadyGone"/>, not an error; any
    /// other is revoked and waited for (sync), so its SQL user is dropped when this returns. The ledger records the outcome.
    /// </summary>
    public async Task<LeaseState> EndIssuedAsync(string leaseId, CancellationToken ct)
    {
        ValidateLeaseId(leaseId);
        // Vault answers a revocation of an unknown lease with success: only a lookup tells "gone" from "revoked".
        try
        {
            await LookupAsync(leaseId, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.NotFound)
        {
            client.Ledger?.RecordEnded(leaseId, LeaseState.AlreadyGone, fromFile: true);
            return LeaseState.AlreadyGone;
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.PermissionDenied)
        {
            // A policy without lookup (Vault's default policy has it): revoke all the same, and call it revoked.
        }
        await client.WriteAsync("sys/leases/revoke", new { lease_id = leaseId, sync = true }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        client.Ledger?.RecordEnded(leaseId, LeaseState.Revoked, fromFile: true);
        return LeaseState.Revoked;
    }

    /// <summary>Revokes every lease under a prefix (needs sudo on sys/leases/revoke-prefix).</summary>
    public async Task RevokePrefixAsync(string prefix, bool sync, CancellationToken ct)
    {
        string p = NormalisePrefix(prefix);
        await client.WriteAsync($"sys/leases/revoke-prefix/{p}", new { sync }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    /// <summary>Lease ids end up in URLs and bodies: the kind "lease id" validator refuses what would change their meaning.</summary>
    public static string ValidateLeaseId(string? leaseId, string parameterName = "LeaseId") => InputValidator.LeaseId(leaseId, parameterName);

    /// <summary>'database/creds/app' and 'database/creds/app/' mean the same prefix (kind "lease prefix").</summary>
    public static string NormalisePrefix(string? prefix) => InputValidator.LeasePrefix(prefix, "Prefix");

    /// <summary>
    /// The server answers an enveloped <c>data</c> with <c>last_renewal</c>; the docs show a flat body
    /// with <c>last_renewal_time</c>. Parse both.
    /// </summary>
    internal static LeaseInfo Parse(JsonElement data, string fallbackId)
    {
        LeaseLookupData lease = VaultJson.Read<LeaseLookupData>(data) ?? new LeaseLookupData(null, null, null, null, null, false, TimeSpan.Zero);
        return new LeaseInfo(lease.Id ?? fallbackId, lease.IssueTime, lease.ExpireTime, lease.LastRenewal ?? lease.LastRenewalTime, lease.Renewable, lease.Ttl);
    }
}

/// <summary><c>sys/leases/lookup</c> in both shapes: real servers write <c>last_renewal</c>, the docs <c>last_renewal_time</c>.</summary>
internal sealed record LeaseLookupData(
    string? Id,
    DateTimeOffset? IssueTime,
    DateTimeOffset? ExpireTime,
    DateTimeOffset? LastRenewal,
    DateTimeOffset? LastRenewalTime,
    bool Renewable,
    TimeSpan Ttl);
