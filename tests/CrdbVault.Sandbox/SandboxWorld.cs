using CrdbVault.Sandbox.Cloud;
using CrdbVault.Sandbox.Postgres;
using CrdbVault.Sandbox.Vault;

namespace CrdbVault.Sandbox;

/// <summary>
/// Everything the tests and the demo talk to: a throwaway PostgreSQL, the Vault double (and the
/// Cloud API double). One world is shared per test run; every server is concurrent-safe.
/// </summary>
public sealed class SandboxWorld : IAsyncDisposable
{
    private SandboxWorld(SandboxOptions options, PostgresLauncher postgres, VaultServer vault, CloudApiDouble cloud)
    {
        Options = options;
        Postgres = postgres;
        Vault = vault;
        Cloud = cloud;
        // One Advanced AWS cluster in three regions for the client-CA and CMEK scenarios and the demo.
        Cloud.AddCluster(CloudClusterId, "sandbox", "AWS", "ADVANCED", "us-east-1", "us-west-2", "eu-west-1");
    }

    public SandboxOptions Options { get; }
    public PostgresLauncher Postgres { get; }
    public VaultServer Vault { get; }

    /// <summary>VAULT_ADDR of the double.</summary>
    public string VaultAddress => Vault.Address;
    /// <summary>The double's root token.</summary>
    public string RootToken => Vault.RootToken;

    /// <summary>The CockroachDB Cloud API double.</summary>
    public CloudApiDouble Cloud { get; }
    /// <summary>COCKROACH_SERVER of the double (http on loopback).</summary>
    public string CloudAddress => Cloud.BaseAddress.ToString();
    /// <summary>COCKROACH_API_KEY: the double's admin service account key.</summary>
    public string CloudApiKey => Cloud.ApiKey;
    /// <summary>The seeded cluster (AWS, ADVANCED, us-east-1 / us-west-2 / eu-west-1).</summary>
    public string CloudClusterId { get; } = "6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f";

    public static async Task<SandboxWorld> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        // PostgreSQL and the Vault double start in parallel: together they take about as long as initdb.
        Task<PostgresLauncher> postgres = PostgresLauncher.StartAsync(options.Postgres, ct);
        Task<VaultServer> vault = VaultServer.StartAsync(options, ct: ct);
        Task<CloudApiDouble> cloud = CloudApiDouble.StartAsync(new CloudDoubleOptions { Faults = options.Faults }, ct);
        try
        {
            await Task.WhenAll(postgres, vault, cloud).ConfigureAwait(false);
        }
        catch
        {
            if (postgres.IsCompletedSuccessfully) await postgres.Result.DisposeAsync().ConfigureAwait(false);
            if (vault.IsCompletedSuccessfully) await vault.Result.DisposeAsync().ConfigureAwait(false);
            if (cloud.IsCompletedSuccessfully) await cloud.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new SandboxWorld(options, postgres.Result, vault.Result, cloud.Result);
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync().ConfigureAwait(false);
        await Vault.DisposeAsync().ConfigureAwait(false);
        await Postgres.DisposeAsync().ConfigureAwait(false);
    }
}
