using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault.Leases;

/// <summary>
/// Vault's expiration manager in small: leases with real expiry (a sweeper revokes them through the
/// engine's callback), renewal capped by the max TTL, revocation by id, prefix or owning token.
/// A failed revocation keeps the lease and reports the error; expired leases are retried.
/// </summary>
public sealed class LeaseManager(TimeProvider clock) : ILeaseManager
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(2);
    private const int ParallelRevocations = 8;

    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);

    public string Create(string prefix, TimeSpan ttl, TimeSpan maxTtl, bool renewable,
        Func<CancellationToken, Task> revoke, Func<DateTimeOffset, CancellationToken, Task>? renew = null)
    {
        prefix = prefix.Trim('/');
        DateTimeOffset now = clock.GetUtcNow();
        if (maxTtl <= TimeSpan.Zero) maxTtl = TokenStore.SystemMaxTtl;
        if (ttl <= TimeSpan.Zero || ttl > maxTtl) ttl = maxTtl;
        var lease = new Lease
        {
            Id = prefix + "/" + VaultIds.RandomBase62(24),
            IssueTime = now,
            ExpireTime = now + ttl,
            MaxExpireTime = now + maxTtl,
            Ttl = ttl,
            Renewable = renewable,
            TokenAccessor = RequestContext.Token?.Accessor,
            Revoke = revoke,
            Renew = renew,
        };
        _leases[lease.Id] = lease;
        return lease.Id;
    }

    public Lease? Get(string leaseId) => _leases.TryGetValue(leaseId, out Lease? l) ? l : null;

    public int Count => _leases.Count;

    /// <summary>Lease ids starting with a prefix (for tests).</summary>
    public IReadOnlyList<string> Ids(string prefix = "") => [.. _leases.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>sys/leases/lookup data: id, issue_time, expire_time, last_renewal, renewable, ttl.</summary>
    public JsonObject LookupData(string leaseId)
    {
        Lease lease = Get(leaseId) ?? throw new LeaseException(400, "invalid lease");
        return new JsonObject
        {
            ["id"] = lease.Id,
            ["issue_time"] = TokenStore.Rfc3339(lease.IssueTime),
            ["expire_time"] = TokenStore.Rfc3339(lease.ExpireTime),
            ["last_renewal"] = lease.LastRenewal is DateTimeOffset r ? TokenStore.Rfc3339(r) : null,
            ["renewable"] = lease.Renewable,
            ["ttl"] = VaultDurations.Seconds(Remaining(lease)),
        };
    }

    /// <summary>Immediate children under a prefix: lease-id suffixes, and "child/" for deeper prefixes.</summary>
    public IReadOnlyList<string> ListChildren(string prefix)
    {
        prefix = prefix.Trim('/');
        if (prefix.Length > 0) prefix += "/";
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string id in _leases.Keys)
        {
            if (!id.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string rest = id[prefix.Length..];
            int slash = rest.IndexOf('/');
            keys.Add(slash < 0 ? rest : rest[..(slash + 1)]);
        }
        return [.. keys];
    }

    /// <summary>Extends a lease, capped at its max TTL (with Vault's warning). Returns the new TTL.</summary>
    public async Task<(string LeaseId, TimeSpan Ttl, bool Renewable, List<string> Warnings)> RenewAsync(string leaseId, TimeSpan increment, CancellationToken ct)
    {
        Lease lease = Get(leaseId) ?? throw new LeaseException(400, "lease not found");
        if (lease.Revoking is not null) throw new LeaseException(400, "lease not found");
        if (!lease.Renewable) throw new LeaseException(400, "lease is not renewable");

        DateTimeOffset now = clock.GetUtcNow();
        TimeSpan requested = increment > TimeSpan.Zero ? increment : lease.Ttl;
        TimeSpan maxLeft = lease.MaxExpireTime - now;
        var warnings = new List<string>();
        TimeSpan ttl = requested;
        if (ttl > maxLeft)
        {
            ttl = maxLeft > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Floor(maxLeft.TotalSeconds)) : TimeSpan.Zero;
            warnings.Add($"TTL of \"{VaultDurations.GoString(requested)}\" exceeded the effective max_ttl of \"{VaultDurations.GoString(ttl)}\"; TTL value is capped accordingly");
        }
        DateTimeOffset expire = now + ttl;
        if (lease.Renew is { } renew)
        {
            try { await renew(expire, ct).ConfigureAwait(false); }
            catch (Exception ex) when (ex is not OperationCanceledException) { throw new LeaseException(500, "failed to renew entry: " + ex.Message); }
        }
        lock (lease)
        {
            lease.ExpireTime = expire;
            lease.LastRenewal = now;
        }
        return (lease.Id, ttl, lease.Renewable, warnings);
    }

    /// <summary>
    /// Revokes one lease through its engine callback. Unknown ids succeed (as in Vault). On failure the
    /// lease stays and <see cref="LeaseException"/> says why, unless <paramref name="force"/>.
    /// </summary>
    public async Task RevokeAsync(string leaseId, bool force = false)
    {
        if (Get(leaseId) is not Lease lease) return;
        TaskCompletionSource? mine = null;
        Task running;
        lock (lease)
        {
            if (lease.Revoking is null)
            {
                mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                lease.Revoking = mine.Task;
            }
            running = lease.Revoking;
        }
        if (mine is not null)
        {
            try
            {
                await lease.Revoke(CancellationToken.None).ConfigureAwait(false);
                _leases.TryRemove(lease.Id, out _);
                mine.SetResult();
            }
            catch (Exception ex)
            {
                if (force)
                {
                    // revoke-force: forget the lease even though the backend may keep the user.
                    _leases.TryRemove(lease.Id, out _);
                    mine.SetResult();
                }
                else
                {
                    lock (lease)
                    {
                        lease.LastRevokeError = ex.Message;
                        lease.NextExpiryAttempt = clock.GetUtcNow() + RetryAfterFailure;
                        lease.Revoking = null;
                    }
                    mine.SetException(new LeaseException(400, "failed to revoke entry: " + ex.Message));
                }
            }
        }
        await running.ConfigureAwait(false);
    }

    /// <summary>Revokes all leases under a prefix (Vault appends the trailing slash). Throws with the first failure.</summary>
    public Task RevokePrefixAsync(string prefix, bool force = false)
    {
        // Vault's revoke-prefix walks the leases one at a time (revokePrefixCommon); concurrent
        // REVOKE ... ON DATABASE statements would also trip PostgreSQL's "tuple concurrently updated".
        return RevokeManyAsync(IdsUnder(prefix), force, "failed to revoke prefix: ", parallelism: 1);
    }

    /// <summary>
    /// Vault's asynchronous revoke (sync=false): the lease is marked expired now, so the expiry
    /// machinery owns it (and retries on failure); revocation also starts at once so it is prompt.
    /// </summary>
    public void RevokeLater(IEnumerable<string> leaseIds)
    {
        var ids = new List<string>();
        DateTimeOffset now = clock.GetUtcNow();
        foreach (string id in leaseIds)
        {
            if (Get(id) is not Lease lease) continue;
            lock (lease) if (lease.ExpireTime > now) lease.ExpireTime = now;
            ids.Add(id);
        }
        if (ids.Count == 0) return;
        _ = Task.Run(async () =>
        {
            try { await RevokeManyAsync(ids, false, "").ConfigureAwait(false); }
            catch (LeaseException) { /* kept with LastRevokeError; the sweeper retries */ }
        });
    }

    /// <summary>Lease ids under <c>prefix/</c>.</summary>
    public List<string> IdsUnder(string prefix)
    {
        prefix = prefix.Trim('/');
        if (prefix.Length > 0) prefix += "/";
        return [.. _leases.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))];
    }

    /// <summary>Revokes the leases a token created (when the token is revoked or expires).</summary>
    public Task RevokeByTokenAsync(string accessor) =>
        RevokeManyAsync(_leases.Values.Where(l => l.TokenAccessor == accessor).Select(l => l.Id).ToList(), false, "failed to revoke token leases: ");

    private async Task RevokeManyAsync(List<string> ids, bool force, string context, int parallelism = ParallelRevocations)
    {
        var errors = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (id, _) =>
        {
            try { await RevokeAsync(id, force).ConfigureAwait(false); }
            catch (LeaseException ex) { errors.Add(ex.Message); }
        }).ConfigureAwait(false);
        if (!errors.IsEmpty) throw new LeaseException(400, context + errors.First());
    }

    /// <summary>Revokes every lease whose time is up; failures are retried on a later sweep.</summary>
    public async Task SweepExpiredAsync()
    {
        DateTimeOffset now = clock.GetUtcNow();
        var due = _leases.Values.Where(l => l.ExpireTime <= now && l.Revoking is null && l.NextExpiryAttempt <= now).Select(l => l.Id).ToList();
        if (due.Count == 0) return;
        try { await RevokeManyAsync(due, false, "").ConfigureAwait(false); }
        catch (LeaseException) { /* kept with LastRevokeError; retried later */ }
    }

    private TimeSpan Remaining(Lease lease)
    {
        TimeSpan left = lease.ExpireTime - clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
