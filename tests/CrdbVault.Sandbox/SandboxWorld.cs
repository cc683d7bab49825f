using CrdbVault.Sandbox.Cloud;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Sandbox.Postgres;
using CrdbVault.Sandbox.Vault;

namespace CrdbVault.Sandbox;

/// <summary>
/// Everything the tests and the demo talk to: a throwaway PostgreSQL, the Vault double, the
/// Cloud API double and the identity double (Azure DevOps, GitHub Actions, managed identity, with
/// the Vault side of each secretless login set up). One world is shared per test run; every server
/// is concurrent-safe.
/// </summary>
public sealed class SandboxWorld : IAsyncDisposable
{
    private SandboxWorld(SandboxOptions options, PostgresLauncher postgres, VaultServer vault, CloudApiDouble cloud,
        IdentityDouble identity, SecretlessLogins logins)
    {
        Options = options;
        Identity = identity;
        Logins = logins;
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
    /// <summary>The identity providers of secretless jobs (see <see cref="IdentityDouble"/>).</summary>
    public IdentityDouble Identity { get; }
    /// <summary>The Vault mounts, roles and users set up for each secretless login.</summary>
    public SecretlessLogins Logins { get; }

    /// <summary>The seeded cluster (AWS, ADVANCED, us-east-1 / us-west-2 / eu-west-1).</summary>
    public string CloudClusterId { get; } = "6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f";

    public static async Task<SandboxWorld> StartAsync(SandboxOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        // PostgreSQL and the Vault double start in parallel: together they take about as long as initdb.
        Task<PostgresLauncher> postgres = PostgresLauncher.StartAsync(options.Postgres, ct);
        Task<VaultServer> vault = VaultServer.StartAsync(options, ct: ct);
        var cloudOptions = options.CloudTransitionDelay is TimeSpan transition
            ? new CloudDoubleOptions { Faults = options.Faults, TransitionDelay = transition }
            : new CloudDoubleOptions { Faults = options.Faults };
        Task<CloudApiDouble> cloud = CloudApiDouble.StartAsync(cloudOptions, ct);
        Task<IdentityDouble> identity = IdentityDouble.StartAsync(ct: ct);
        try
        {
            await Task.WhenAll(postgres, vault, cloud, identity).ConfigureAwait(false);
            SecretlessLogins logins = await SecretlessLogins.ConfigureAsync(vault.Result, identity.Result, ct).ConfigureAwait(false);
            return new SandboxWorld(options, postgres.Result, vault.Result, cloud.Result, identity.Result, logins);
        }
        catch
        {
            if (postgres.IsCompletedSuccessfully) await postgres.Result.DisposeAsync().ConfigureAwait(false);
            if (vault.IsCompletedSuccessfully) await vault.Result.DisposeAsync().ConfigureAwait(false);
            if (cloud.IsCompletedSuccessfully) await cloud.Result.DisposeAsync().ConfigureAwait(false);
            if (identity.IsCompletedSuccessfully) await identity.Result.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Cloud.DisposeAsync().ConfigureAwait(false);
        await Vault.DisposeAsync().ConfigureAwait(false);
        await Identity.DisposeAsync().ConfigureAwait(false);
        await Postgres.DisposeAsync().ConfigureAwait(false);
    }
}
