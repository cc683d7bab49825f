namespace CrdbVault.Core.Vault;

// The session's background renewal: the timer is RenewalLoop; this is what it does at each tick and
// where the outcome goes (properties and notices, never a PowerShell stream).
public sealed partial class VaultSession
{
    /// <summary>
    /// Renews the token at about 2/3 of its TTL from now on, logging in again with <see cref="Auth"/> when it
    /// cannot be renewed. A token that never expires needs nothing. Idempotent; <see cref="StopBackgroundRenewal"/> ends it.
    /// </summary>
    public void StartBackgroundRenewal()
    {
        if (_renewal is not null || ExpiresAt is not DateTimeOffset expires) return;
        _renewal = new RenewalLoop(_clock, RenewInBackgroundAsync);
        _renewal.Start(expires - _clock.GetUtcNow());
    }

    /// <summary>Stops the background renewal (Disconnect-CrdbVault, a closed runspace). The token itself stays valid.</summary>
    public void StopBackgroundRenewal() => _renewal?.Stop();

    /// <summary>What the background learned since the last call (failures, an end it cannot prevent); each notice once.</summary>
    public IReadOnlyList<string> TakeNotices()
    {
        lock (_noticeGate)
        {
            string[] taken = [.. _notices];
            _notices.Clear();
            return taken;
        }
    }

    private void Notice(string text)
    {
        lock (_noticeGate)
        {
            if (!_notices.Contains(text, StringComparer.Ordinal)) _notices.Add(text);
        }
    }

    /// <summary>One tick: renew or log in again; returns the TTL left (the next tick is at ~2/3 of it), or null to stop.</summary>
    private async Task<TimeSpan?> RenewInBackgroundAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            DateTimeOffset now = _clock.GetUtcNow();
            if (!Renewable && !Auth.CanLogin)
            {
                Notice($"The Vault token from {DescribeSource()} cannot be renewed and ends at {ExpiresAt:u}; this connection cannot log in " +
                    $"again by itself, and leases issued under the token end with it. Connect again with a fresh token before then, " +
                    $"or connect with a login method (AppRole) that the module can repeat.");
                return null;
            }
            await RefreshAsync(ct).ConfigureAwait(false);
            RenewalError = null;
            now = _clock.GetUtcNow();
            if (!Auth.CanLogin && Token.KnownEnd is DateTimeOffset end && ExpiresAt is DateTimeOffset reached
                && reached >= end - TimeSpan.FromSeconds(1))
            {
                // A plain token reached its max TTL: no renewal can extend it, so say so ahead of the end and stop.
                Notice($"The Vault token from {DescribeSource()} ends at {end:u} ({Token.Reason}) and this connection cannot log in again " +
                    $"by itself: connect again with a fresh token before then.");
                return null;
            }
            return ExpiresAt is DateTimeOffset expires ? expires - now : null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            RenewalError = ex.Message;
            Notice($"Renewing the Vault token in the background failed: {ex.Message} It is tried again before the token ends " +
                $"({ExpiresAt:u}); Connection.RenewalError keeps the latest failure.");
            // Try again at about 2/3 of what is left, while something is left.
            TimeSpan left = ExpiresAt is DateTimeOffset e ? e - _clock.GetUtcNow() : TimeSpan.Zero;
            return left > RenewalLoop.MinimumDelay * 2 ? left : Auth.CanLogin ? RenewalLoop.MinimumDelay * 4 : null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
