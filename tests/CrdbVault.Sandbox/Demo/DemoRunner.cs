namespace CrdbVault.Sandbox.Demo;

/// <summary>The README's main job: connect, set up a role, issue a credential, log in, revoke. Written by the lead.</summary>
public static class DemoRunner
{
    public static Task<int> RunAsync(SandboxWorld world)
    {
        _ = world;
        Console.Error.WriteLine("demo: the cmdlets are not built yet");
        return Task.FromResult(1);
    }
}
