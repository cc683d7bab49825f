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
        Console.Error.WriteLine("usage: CrdbVault.Sandbox <command>\n" + ServeCommand.Usage + """
              demo                  run the module's demo against a fresh sandbox
            """);
        return 2;
}
