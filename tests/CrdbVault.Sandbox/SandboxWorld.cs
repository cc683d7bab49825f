using CrdbVault.Sandbox.Postgres;
using CrdbVault.Sandbox.Vault;

namespace CrdbVault.Sandbox;

/// <summary>
/// Everything the tests and the demo talk to: a throwaway PostgreSQL, the Vault double (and the
/// Cloud API double). One world is shared per test run; every server is concurrent-safe.
/// </summary>
public sealed class SandboxWorld : IAsyncDisposable
{
    private SandboxWorld(SandboxOptions options, PostgresLauncher postgres, VaultServer vault)
    {
        Options = options;
        Postgres = postgres;
        Vault = vault;
    }

    public SandboxOptions Options { get; }
    public PostgresLauncher Postgres { get; }
    public VaultServer Vault { get; }

    /// <summary>VAULT_ADDR of the double.</summary>
    public string VaultAddress => Vault.Address;
    /// <summary>The double's root token.</summary>
    public string RootToken => Vault.RootToken;

    // ---- Cloud API double: another helper provides Cloud/CloudApiDouble.cs. ----
    // Start it in StartAsync next to the Vault double, expose it here (e.g. `public CloudApiDouble Cloud { get; }`
    // and `CloudAddress`), add it to the serve info JSON in Program.cs, and dispose it in DisposeAsync.

    public static async Task<SandboxWorld> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        // PostgreSQL and the Vault double start in parallel: together they take about as long as initdb.
        Task<PostgresLauncher> postgres = PostgresLauncher.StartAsync(options.Postgres, ct);
        Task<VaultServer> vault = VaultServer.StartAsync(options, ct: ct);
        try
        {
            await Task.WhenAll(postgres, vault).ConfigureAwait(false);
        }
        catch
        {
            if (postgres.IsCompletedSuccessfully) await postgres.Result.DisposeAsync().ConfigureAwait(false);
            if (vault.IsCompletedSuccessfully) await vault.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new SandboxWorld(options, postgres.Result, vault.Result);
    }

    public async ValueTask DisposeAsync()
    {
        await Vault.DisposeAsync().ConfigureAwait(false);
        await Postgres.DisposeAsync().ConfigureAwait(false);
    }
}
