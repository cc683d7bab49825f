using System.Collections.Concurrent;
using CrdbVault.Sandbox.Vault.Auth;
using CrdbVault.Sandbox.Vault.Leases;
using CrdbVault.Sandbox.Vault.Policies;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Sys;
using CrdbVault.Sandbox.Vault.Tokens;

namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// The state of one Vault double, independent of HTTP: mounts, tokens, policies, leases. The HTTP
/// front end (<see cref="VaultRequestHandler"/>) and the sys engine both work on it.
/// </summary>
public sealed class VaultCore
{
    public VaultCore(SandboxOptions options, TimeProvider clock)
    {
        Options = options;
        Clock = clock;
        Leases = new LeaseManager(clock);
        Tokens = new TokenStore(clock);
        Policies = new PolicyStore();
        Services = new VaultServices { Clock = clock, Leases = Leases, Options = options, Outbound = Outbound };
        // Vault revokes the leases a token created when the token goes away.
        Tokens.OnRevoked = t => Leases.RevokeByTokenAsync(t.Accessor);
        RootToken = Tokens.CreateRoot();

        Add(new VaultMount { Path = "sys", Type = "system", Accessor = "system_" + VaultIds.RandomBase62(8).ToLowerInvariant(), Description = "system endpoints used for control, policy and debugging" },
            m => new SysEngine(this));
        Add(new VaultMount { Path = "auth/token", Type = "token", Accessor = "auth_token_" + VaultIds.RandomBase62(8).ToLowerInvariant(), Description = "token based credentials" },
            m => new TokenAuthEngine(this));
    }

    public SandboxOptions Options { get; }
    public TimeProvider Clock { get; }
    public MountTable Mounts { get; } = new();
    public TokenStore Tokens { get; }
    public PolicyStore Policies { get; }
    public LeaseManager Leases { get; }
    public VaultServices Services { get; }
    /// <summary>How auth methods reach identity providers: public issuer URLs mapped to loopback doubles.</summary>
    public OutboundHttp Outbound { get; } = new();
    public VaultToken RootToken { get; }
    public string ClusterName { get; } = "vault-cluster-" + VaultIds.RandomBase62(8).ToLowerInvariant();
    public string ClusterId { get; } = Guid.NewGuid().ToString();

    /// <summary>Enables a secrets engine at <paramref name="path"/> (sys/mounts/:path).</summary>
    public VaultMount EnableSecretsEngine(string path, string type, string description = "", TimeSpan defaultTtl = default, TimeSpan maxTtl = default)
    {
        path = NormalizePath(path);
        if (path.StartsWith("auth/", StringComparison.Ordinal) || path == "auth") throw new VaultInputException($"cannot mount under \"auth/\"");
        if (!EngineRegistry.Factories.TryGetValue(type, out EngineFactory? factory))
            throw new VaultInputException($"plugin not found in the catalog: {type}");
        var mount = new VaultMount
        {
            Path = path, Type = type, Description = description,
            DefaultLeaseTtl = defaultTtl, MaxLeaseTtl = maxTtl,
            Accessor = type + "_" + VaultIds.RandomBase62(8).ToLowerInvariant(),
        };
        return Add(mount, m => factory(m, Services));
    }

    /// <summary>Enables an auth method at auth/<paramref name="path"/> (sys/auth/:path).</summary>
    public VaultMount EnableAuthMethod(string path, string type, string description = "")
    {
        path = "auth/" + NormalizePath(path);
        if (!AuthMethodRegistry.Factories.TryGetValue(type, out AuthMethodFactory? factory))
            throw new VaultInputException($"plugin not found in the catalog: {type}");
        var mount = new VaultMount { Path = path, Type = type, Description = description, Accessor = "auth_" + type + "_" + VaultIds.RandomBase62(8).ToLowerInvariant() };
        return Add(mount, m => factory(m, Services, Tokens));
    }

    private VaultMount Add(VaultMount mount, Func<VaultMount, IVaultEngine> create)
    {
        mount.Engine = create(mount);
        if (Mounts.TryAdd(mount) is string conflict)
        {
            switch (mount.Engine)
            {
                case IAsyncDisposable a: _ = a.DisposeAsync().AsTask(); break;
                case IDisposable d: d.Dispose(); break;
            }
            throw new VaultInputException($"path is already in use at {conflict}/");
        }
        return mount;
    }

    /// <summary>Disables a mount: revokes its leases first (failing if they cannot be revoked), then drops it.</summary>
    public async Task DisableAsync(string path)
    {
        path = path.Trim('/');
        if (Mounts.Get(path) is not VaultMount mount) return;
        if (path is "sys" or "auth/token") throw new VaultInputException($"cannot unmount \"{path}/\"");
        await Leases.RevokePrefixAsync(path).ConfigureAwait(false);
        Mounts.Remove(path);
        switch (mount.Engine)
        {
            case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
            case IDisposable d: d.Dispose(); break;
        }
    }

    public static string NormalizePath(string path)
    {
        path = path.Trim().Trim('/');
        if (path.Length == 0) throw new VaultInputException("path cannot be empty");
        foreach (string segment in path.Split('/'))
            if (segment.Length == 0 || segment is "." or ".." || segment.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' or '*' or '+'))
                throw new VaultInputException($"invalid mount path \"{path}\"");
        return path;
    }
}

/// <summary>One received request (never its body): for tests to check what arrived.</summary>
public sealed record VaultRequestRecord(DateTimeOffset Time, string Method, string Path, string? Namespace, bool HadToken, int Status);

/// <summary>Bounded, thread-safe log of received requests.</summary>
public sealed class VaultRequestLog
{
    private const int Capacity = 20_000;
    private readonly ConcurrentQueue<VaultRequestRecord> _records = new();
    private long _total;

    /// <summary>Requests received since the server started; never reset or capped (the log itself is bounded).</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(VaultRequestRecord record)
    {
        Interlocked.Increment(ref _total);
        _records.Enqueue(record);
        while (_records.Count > Capacity && _records.TryDequeue(out _)) { }
    }

    public IReadOnlyList<VaultRequestRecord> Snapshot() => [.. _records];

    public void Clear() => _records.Clear();
}
