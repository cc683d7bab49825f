using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Leases;

/// <summary>What <see cref="LeaseRenewer"/> is doing.</summary>
public enum LeaseRenewalState { Renewing, MaxTtlReached, Failed, NotRenewable, Stopped }

/// <summary>
/// Keeps one lease alive in the background while a block of work runs (Use-CrdbDynamicCredential): renews at about
/// 2/3 of its TTL (<see cref="RenewalLoop"/>), asking for the lease's first TTL again each time; stops when Vault caps
/// a renewal (the role's max TTL is reached) or no longer knows the lease. Never writes anywhere: the state is a
/// property and what the user should hear is queued for <see cref="TakeNotices"/>, read when control returns.
/// </summary>
public sealed class LeaseRenewer : IDisposable
{
    private readonly LeaseApi _leases;
    private readonly string _leaseId;
    private readonly TimeSpan _increment;
    private readonly TimeProvider _clock;
    private readonly RenewalLoop _loop;
    private readonly object _gate = new();
    private readonly List<string> _notices = [];
    private LeaseRenewalState _state;

    public LeaseRenewer(LeaseApi leases, string leaseId, TimeSpan increment, bool renewable, TimeProvider? clock = null)
    {
        _leases = leases;
        _leaseId = LeaseApi.ValidateLeaseId(leaseId);
        _increment = increment;
        _clock = clock ?? TimeProvider.System;
        _loop = new RenewalLoop(_clock, RenewOnceAsync);
        _state = renewable && increment > TimeSpan.Zero ? LeaseRenewalState.Renewing : LeaseRenewalState.NotRenewable;
        if (_state == LeaseRenewalState.Renewing) _loop.Start(increment);
    }

    public LeaseRenewalState State
    {
        get { lock (_gate) return _state; }
        private set { lock (_gate) _state = value; }
    }

    /// <summary>How many renewals Vault granted.</summary>
    public int Renewals { get; private set; }

    /// <summary>What happened in the background since the last call (each notice once).</summary>
    public IReadOnlyList<string> TakeNotices()
    {
        lock (_gate)
        {
            string[] taken = [.. _notices];
            _notices.Clear();
            return taken;
        }
    }

    /// <summary>Stops renewing (the block ended); waits for a renewal in flight.</summary>
    public void Stop()
    {
        _loop.Stop();
        lock (_gate)
        {
            if (_state == LeaseRenewalState.Renewing) _state = LeaseRenewalState.Stopped;
        }
    }

    private void Notice(string text)
    {
        lock (_gate) _notices.Add(text);
    }

    private async Task<TimeSpan?> RenewOnceAsync(CancellationToken ct)
    {
        try
        {
            LeaseInfo renewed = await _leases.RenewAsync(_leaseId, _increment, ct).ConfigureAwait(false);
            Renewals++;
            State = LeaseRenewalState.Renewing;
            TimeSpan granted = renewed.LeaseDuration ?? renewed.Ttl;
            if (CappedRenewal.WasCapped(renewed.Warnings) || granted < _increment)
            {
                State = LeaseRenewalState.MaxTtlReached;
                Notice($"Lease {_leaseId} reached its role's max TTL: it ends at {renewed.ExpireTime:u} whatever is renewed " +
                    $"(Vault: {string.Join(" ", renewed.Warnings)}). Raise the role's max_ttl (Set-CrdbVaultRole -MaxTtl) for longer work.");
                return null;
            }
            return granted;
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.NotFound && !ct.IsCancellationRequested)
        {
            State = LeaseRenewalState.Failed;
            Notice($"Lease {_leaseId} is gone (Vault no longer knows it: it expired, was revoked, or ended with the token that issued it); " +
                $"its SQL user was dropped.");
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            State = LeaseRenewalState.Failed;
            Notice($"Renewing lease {_leaseId} failed: {ex.Message} It is tried again while the lease lasts.");
            return _increment / 3;
        }
    }

    public void Dispose() => _loop.Dispose();
}
