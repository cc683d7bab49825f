using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox;

/// <summary>
/// <c>serve [--info-file F]</c>: start the world, publish how to reach it (F written atomically, and
/// stdout), run until SIGTERM or Ctrl+C, then stop everything and remove temp dirs.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? infoFile = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--info-file" && i + 1 < args.Length) infoFile = args[++i];
            else { Console.Error.WriteLine($"serve: unknown argument '{args[i]}'"); return 2; }
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });

        await using SandboxWorld world = await SandboxWorld.StartAsync(ct: stop.Token).ConfigureAwait(false);
        // The info JSON exists to hand out these secrets (root token, admin password) to the caller.
        var info = new JsonObject
        {
            ["VAULT_ADDR"] = world.VaultAddress,
            ["VAULT_TOKEN"] = world.RootToken,
            ["COCKROACH_SERVER"] = world.CloudAddress,
            ["COCKROACH_API_KEY"] = world.CloudApiKey,
            ["COCKROACH_CLUSTER_ID"] = world.CloudClusterId,
            ["POSTGRES_URL"] = world.Postgres.AdminUrl,
        };
        if (world.Vault.CaCertificatePath is string ca) info["VAULT_CACERT"] = ca;
        // What a secretless job would find in its environment, and the Vault roles set up for it.
        info["SYSTEM_OIDCREQUESTURI"] = world.Identity.SystemOidcRequestUri;
        info["SYSTEM_ACCESSTOKEN"] = world.Identity.Facts.SystemAccessToken;
        info["ACTIONS_ID_TOKEN_REQUEST_URL"] = world.Identity.ActionsIdTokenRequestUrl;
        info["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = world.Identity.Facts.GitHubRequestToken;
        info["IDENTITY_ENDPOINT"] = world.Identity.ManagedIdentityEndpoint;
        info["IDENTITY_HEADER"] = world.Identity.Facts.IdentityHeader;
        info["CRDBVAULT_IMDS_ENDPOINT"] = world.Identity.ImdsEndpoint;
        info["SECRETLESS_LOGINS"] = world.Logins.Describe(world.Identity);
        string json = info.ToJsonString(Vault.VaultEnvelope.Json);
        if (infoFile is not null) WriteAtomically(infoFile, json);
        Console.Out.WriteLine(json);
        Console.Out.Flush();

        try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        if (infoFile is not null) File.Delete(infoFile);
        return 0;
    }

    private static void WriteAtomically(string path, string content)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp");
        File.WriteAllText(temp, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, full, overwrite: true);
    }
}
