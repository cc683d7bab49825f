namespace CrdbVault.Sandbox.Demo;

/// <summary>The README's main job: connect, set up a role, issue a credential, log in, renew, revoke.</summary>
public static class DemoRunner
{
    public static Task<int> RunAsync(SandboxWorld world) =>
        HostedDemo.RunAsync(world.VaultAddress, world.RootToken, world.Postgres.AdminConnectionString, world.Postgres.CaCertificatePath, FindModule());

    /// <summary>out/CrdbVault/CrdbVault.psd1 at the repository root (the sandbox's build builds the module first).</summary>
    private static string FindModule()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "CrdbVault.sln"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine(dir ?? Directory.GetCurrentDirectory(), "out", "CrdbVault", "CrdbVault.psd1");
    }
}
