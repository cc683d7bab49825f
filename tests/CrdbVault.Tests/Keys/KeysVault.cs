using CrdbVault.Core.Vault;
using CrdbVault.Sandbox.Vault;
using SandboxKeymgmt = CrdbVault.Sandbox.Vault.Engines.KeyManagementEngine;
using SandboxTransit = CrdbVault.Sandbox.Vault.Engines.TransitEngine;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// A Vault double of its own with transit and keymgmt mounted, for the key tests: the sandbox's one
/// HTTP front (<see cref="VaultServer"/>, real engines, Vault's envelope) without PostgreSQL, so Core
/// and the cmdlets are tested over the wire and each test class sees only its own requests.
/// </summary>
public sealed class KeysVault : IDisposable
{
    private readonly VaultServer _server;

    private KeysVault(VaultServer server)
    {
        _server = server;
        server.EnableSecretsEngine("transit", "transit");
        server.EnableSecretsEngine("keymgmt", "keymgmt");
    }

    /// <summary>Starts one (a test class's constructor; a second or so on a loaded machine).</summary>
    public static KeysVault Start() => new(VaultServer.StartAsync().GetAwaiter().GetResult());

    public string Address => _server.Address;
    public string RootToken => _server.RootToken;
    public SandboxTransit Transit => (SandboxTransit)_server.Mounts.Get("transit")!.Engine;
    public SandboxKeymgmt Keymgmt => (SandboxKeymgmt)_server.Mounts.Get("keymgmt")!.Engine;

    /// <summary>"METHOD path" of every request after /v1/, in order (never bodies).</summary>
    public IEnumerable<string> Requests => _server.RequestLog.Snapshot().Select(r => $"{r.Method} {r.Path}");

    /// <summary>Requests other than the login check.</summary>
    public IEnumerable<string> EngineRequests => Requests.Where(r => !r.Contains("auth/token/", StringComparison.Ordinal));

    /// <summary>A Core client with the root token.</summary>
    public VaultClient CreateClient() =>
        new(new VaultClientOptions { Address = new Uri(Address), MaxAttempts = 1 }, new StaticToken(RootToken));

    public void Dispose() => _server.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private sealed class StaticToken(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }
}
