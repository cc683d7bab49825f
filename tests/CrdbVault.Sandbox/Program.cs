// Entry point: `serve` (run the doubles for a shell or another process) and `demo` (the README's main job).
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Demo;

switch (args.FirstOrDefault())
{
    case "serve":
        return await ServeCommand.RunAsync(args[1..]);
    case "demo":
        await using (SandboxWorld world = await SandboxWorld.StartAsync())
            return await DemoRunner.RunAsync(world);
    default:
        Console.Error.WriteLine("""
            usage: CrdbVault.Sandbox <command>
              serve [--info-file FILE]  start PostgreSQL, the Vault, Cloud API and identity doubles; write {VAULT_ADDR, VAULT_TOKEN, COCKROACH_SERVER, COCKROACH_API_KEY, COCKROACH_CLUSTER_ID, POSTGRES_URL,
                                        SYSTEM_OIDCREQUESTURI, SYSTEM_ACCESSTOKEN, ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN, IDENTITY_ENDPOINT, IDENTITY_HEADER,
                                        CRDBVAULT_IMDS_ENDPOINT, SECRETLESS_LOGINS} as JSON to FILE (atomically) and stdout; stop on SIGTERM or Ctrl+C
              demo                      run the module's demo against a fresh sandbox
            """);
        return 2;
}
