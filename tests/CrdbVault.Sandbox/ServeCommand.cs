using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox;

/// <summary>
/// <c>serve [--info-file F] [--cloud-transition-seconds N] [--faults FILE]</c>: start the world,
/// prepare what the docs assume (<see cref="ServeSetup"/>), arm the faults, publish how to reach it
/// all (F written atomically, and stdout), run until SIGTERM or Ctrl+C, then stop everything and
/// remove temp dirs.
/// </summary>
public static class ServeCommand
{
    public const string Usage = """
          serve [--info-file FILE] [--cloud-transition-seconds N] [--faults FILE]
                                    start PostgreSQL (TLS only), the Vault, Cloud API and identity doubles, prepare what the docs
                                    assume (README.md, "What serve prepares"), write how to reach them as JSON to --info-file
                                    (atomically, 0600) and stdout; stop on SIGTERM or Ctrl+C.
                                    --cloud-transition-seconds N: Cloud changes stay PENDING / ENABLING / ... for N seconds (default 0.3)
                                    --faults FILE: status codes, delays and dropped connections to inject (README.md, "Faults by hand")
        """;

    /// <summary>What the command line asked for.</summary>
    public sealed record Settings(string? InfoFile, TimeSpan? CloudTransition, IReadOnlyList<Fault> Faults);

    public static async Task<int> RunAsync(string[] args)
    {
        Settings? settings;
        try { settings = Parse(args); }
        catch (FormatException ex)
        {
            Console.Error.WriteLine("serve: " + ex.Message);
            Console.Error.WriteLine("usage: CrdbVault.Sandbox\n" + Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        return await ServeAsync(settings, Console.Out, stop.Token).ConfigureAwait(false);
    }

    /// <summary>Reads the arguments; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static Settings Parse(IReadOnlyList<string> args)
    {
        string? infoFile = null;
        TimeSpan? transition = null;
        IReadOnlyList<Fault> faults = [];
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name is not ("--info-file" or "--cloud-transition-seconds" or "--faults")) throw new FormatException($"unknown argument '{name}'.");
            if (i + 1 >= args.Count) throw new FormatException($"{name} needs a value.");
            string value = args[++i];
            switch (name)
            {
                case "--info-file":
                    infoFile = value;
                    break;
                case "--cloud-transition-seconds":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds is < 0 or > 3600 || double.IsNaN(seconds))
                        throw new FormatException($"--cloud-transition-seconds: '{value}' is not a number of seconds from 0 to 3600.");
                    transition = TimeSpan.FromSeconds(seconds);
                    break;
                case "--faults":
                    faults = FaultFile.Load(value);
                    break;
            }
        }
        return new Settings(infoFile, transition, faults);
    }

    /// <summary>Runs until <paramref name="stop"/> fires; returns the exit code.</summary>
    public static async Task<int> ServeAsync(Settings settings, TextWriter output, CancellationToken stop)
    {
        var options = new SandboxOptions { CloudTransitionDelay = settings.CloudTransition };
        await using SandboxWorld world = await SandboxWorld.StartAsync(options, stop).ConfigureAwait(false);
        ServeSetup setup = await ServeSetup.ApplyAsync(world, stop).ConfigureAwait(false);
        // Armed only now: the set-up's own requests must not meet them.
        foreach (Fault fault in settings.Faults) options.Faults.Add(fault);

        // The info JSON exists to hand out these secrets (root token, admin password) to the caller.
        var info = new JsonObject
        {
            ["VAULT_ADDR"] = world.VaultAddress,
            ["VAULT_TOKEN"] = world.RootToken,
            ["VAULT_ROLE_ID"] = setup.RoleId,
            ["VAULT_SECRET_ID"] = setup.SecretId,
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
        if (settings.InfoFile is not null) WriteAtomically(settings.InfoFile, json);
        await output.WriteLineAsync(json).ConfigureAwait(false);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try { await Task.Delay(Timeout.Infinite, stop).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        if (settings.InfoFile is not null) File.Delete(settings.InfoFile);
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
