using System.Security;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Vault.Auth;

namespace CrdbVault.Core.Vault;

/// <summary>
/// A logged-in Vault connection: the client, the token (kept as SecureString) and what
/// <c>auth/token/lookup-self</c> said about it. Renews a renewable token before it expires and logs
/// in again when the auth method can (AppRole, JWT); a runbook that runs for hours keeps working.
/// With <see cref="StartBackgroundRenewal"/> it does so at about 2/3 of the TTL even when no call is made
/// (<see cref="RenewalLoop"/>); what the background learns is kept here (<see cref="RenewalError"/>,
/// <see cref="LastRenewal"/>, <see cref="TakeNotices"/>) for the next command to show: it never writes anywhere.
/// </summary>
public sealed partial class VaultSession : IVaultTokenSource, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _clock;
    private readonly object _noticeGate = new();
    private readonly List<string> _notices = [];
    private SecureString _token;
    private RenewalLoop? _renewal;

    private VaultSession(VaultClient client, IVaultAuthMethod auth, SecureString token, TimeProvider clock)
    {
        Client = client;
        Auth = auth;
        _token = token;
        _clock = clock;
        client.Tokens = this;
        Ledger = new Leases.LeaseLedger(() => Token, clock);
        client.Ledger = Ledger;
    }

    public VaultClient Client { get; }
    public IVaultAuthMethod Auth { get; }
    public Uri Address => Client.Options.Address;
    public string? Namespace => Client.Options.Namespace;
    public string? Accessor { get; private set; }
    public string? DisplayName { get; private set; }
    public IReadOnlyList<string> Policies { get; private set; } = [];
    public bool Renewable { get; private set; }

    /// <summary>Null for a token without expiry (root, or ttl 0).</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>The TTL the token had when we last learned it; renewals aim for this again.</summary>
    public TimeSpan LastTtl { get; private set; }

    /// <summary>How many times the session renewed or logged in again (for verbose output and tests).</summary>
    public int Refreshes { get; private set; }

    /// <summary>The current token's known end (leases issued under it die then); replaced at each new login.</summary>
    public TokenLifetime Token { get; private set; } = new(null);

    /// <summary>When the token was last renewed or replaced by a new login; null before the first time.</summary>
    public DateTimeOffset? LastRenewal { get; private set; }

    /// <summary>Why the last background renewal failed (null after a success); kept until a renewal works.</summary>
    public string? RenewalError { get; private set; }

    /// <summary>Every lease issued through this session (and the ledger file when one is set).</summary>
    public Leases.LeaseLedger Ledger { get; }

    /// <summary>True while the background renewal is waiting or renewing.</summary>
    public bool RenewsInBackground => _renewal?.IsRunning == true;

    /// <summary>Logs in (or takes the given token) and verifies it with lookup-self.</summary>
    public static async Task<VaultSession> ConnectAsync(VaultClientOptions options, IVaultAuthMethod auth, CancellationToken ct, TimeProvider? clock = null)
    {
        var client = new VaultClient(options);
        try
        {
            SecureString token = auth is TokenAuth t ? t.Token : await LoginToken(client, auth, ct).ConfigureAwait(false);
            var session = new VaultSession(client, auth, token, clock ?? TimeProvider.System);
            await session.LookupSelfAsync(ct).ConfigureAwait(false);
            return session;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Re-reads the token's policies and TTL; expiry comes from <c>ttl</c> at receipt, not <c>expire_time</c>.</summary>
    public async Task LookupSelfAsync(CancellationToken ct)
    {
        DateTimeOffset asked = _clock.GetUtcNow();
        VaultResponse r;
        try
        {
            r = await Client.ReadAsync("auth/token/lookup-self", ct).ConfigureAwait(false)
                ?? throw new VaultApiException("Vault returned nothing for auth/token/lookup-self.", VaultErrorKind.Other, "auth/token/lookup-self");
        }
        catch (VaultApiException ex) when (ex.Status == 403)
        {
            throw new VaultApiException(
                $"Vault rejected the token from {DescribeSource()} (auth/token/lookup-self answered 403: " +
                    $"{string.Join("; ", ex.Errors.Select(e => e.Replace("\n", " ").Replace("\t", " ").Trim()))}). The token is wrong, expired or revoked: " +
                    $"get a new one (vault login) and connect again.",
                VaultErrorKind.InvalidToken, ex.Path, ex.Status, ex.Errors);
        }
        TokenLookupData token = r.DataAs<TokenLookupData>() ?? new TokenLookupData(null, null, null, null, false, TimeSpan.Zero);
        Accessor = token.Accessor;
        DisplayName = token.DisplayName;
        Policies = [.. (token.Policies ?? []).Concat(token.IdentityPolicies ?? []).Distinct(StringComparer.Ordinal)];
        Renewable = token.Renewable;
        TimeSpan ttl = token.Ttl;
        LastTtl = ttl;
        ExpiresAt = ttl > TimeSpan.Zero ? asked + ttl : null;
        if (Token.Accessor is null || Token.Accessor != token.Accessor) Token = new TokenLifetime(token.Accessor);
        if (!Renewable && ExpiresAt is DateTimeOffset end) Token.Learn(end, "the token is not renewable");
        if (token.ExplicitMaxTtl > TimeSpan.Zero && token.IssueTime is DateTimeOffset issued)
            Token.Learn(issued + token.ExplicitMaxTtl, "the token's explicit_max_ttl");
    }

    /// <inheritdoc />
    public async ValueTask<string?> GetTokenAsync(CancellationToken ct)
    {
        if (NeedsRefresh())
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (NeedsRefresh()) await RefreshAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }
        return SecureStrings.Reveal(_token);
    }

    /// <summary>Renew when less than a third of the TTL (at most 5 minutes' worth) is left.</summary>
    private bool NeedsRefresh()
    {
        if (ExpiresAt is not DateTimeOffset expires) return false;
        TimeSpan margin = TimeSpan.FromTicks(Math.Min(LastTtl.Ticks / 3, TimeSpan.FromMinutes(5).Ticks));
        return _clock.GetUtcNow() >= expires - margin;
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        bool expired = ExpiresAt is DateTimeOffset e && _clock.GetUtcNow() >= e;
        if (Renewable && !expired)
        {
            try
            {
                DateTimeOffset asked = _clock.GetUtcNow();
                VaultResponse? r = await Client.SendAsync(HttpMethod.Post, "auth/token/renew-self",
                    new Dictionary<string, string> { ["increment"] = VaultDuration.Format(LastTtl) },
                    new VaultRequestOptions { Idempotent = true }, ct, tokenOverride: SecureStrings.Reveal(_token)).ConfigureAwait(false);
                if (r?.Auth is VaultAuthInfo a && a.LeaseDuration > TimeSpan.Zero)
                {
                    // Vault may grant less than asked (max TTL): read what it gave.
                    ExpiresAt = asked + a.LeaseDuration;
                    Renewable = a.Renewable;
                    Refreshes++;
                    LastRenewal = asked;
                    // A capped grant is the only way a role's token_max_ttl shows: the token (and its leases) end then.
                    if (CappedRenewal.WasCapped(r.Warnings)) Token.Learn(asked + a.LeaseDuration, "a renewal capped at the max TTL (token_max_ttl)");
                    if (!a.Renewable) Token.Learn(asked + a.LeaseDuration, "the token is not renewable");
                    if (a.LeaseDuration > LastTtl / 3 || !Auth.CanLogin) return;
                }
            }
            catch (VaultApiException) when (Auth.CanLogin)
            {
                // Fall through to a fresh login.
            }
        }
        if (Auth.CanLogin)
        {
            DateTimeOffset at = _clock.GetUtcNow();
            // The old token is no longer renewed after this: it (and every lease it issued) ends at its current expiry.
            if (ExpiresAt is DateTimeOffset abandoned) Token.Learn(abandoned, "the session logged in again and no longer renews it");
            _token = await LoginToken(Client, Auth, ct).ConfigureAwait(false);
            await LookupSelfWithoutRefresh(ct).ConfigureAwait(false);
            Refreshes++;
            LastRenewal = at;
        }
    }

    private async Task LookupSelfWithoutRefresh(CancellationToken ct)
    {
        // lookup-self goes through GetTokenAsync, which would recurse while the gate is held.
        ExpiresAt = null;
        await LookupSelfAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Revokes the token (Disconnect-CrdbVault -Revoke).</summary>
    public async Task RevokeSelfAsync(CancellationToken ct) =>
        await Client.WriteAsync("auth/token/revoke-self", null, new VaultRequestOptions { Idempotent = true }, ct).ConfigureAwait(false);

    private static async Task<SecureString> LoginToken(VaultClient client, IVaultAuthMethod auth, CancellationToken ct)
    {
        VaultAuthInfo info = await auth.LoginAsync(client, ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(info.ClientTokenValue))
            throw new VaultApiException($"The {auth.Name} login returned no client token.", VaultErrorKind.Other, "auth");
        return SecureStrings.From(info.ClientTokenValue);
    }

    private string DescribeSource() => Auth is TokenAuth t ? t.Source : $"the {Auth.Name} login";

    public void Dispose()
    {
        _renewal?.Dispose();
        Client.Dispose();
        _token.Dispose();
        _gate.Dispose();
    }

    public override string ToString() => $"VaultSession {Address} ({Auth.Name}, accessor {Accessor})";
}
