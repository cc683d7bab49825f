namespace CrdbVault.Sandbox.Vault;

/// <summary>Engine types the double can mount. Each engine adds one line here.</summary>
public static class EngineRegistry
{
    public static readonly IReadOnlyDictionary<string, EngineFactory> Factories = new Dictionary<string, EngineFactory>
    {
        ["database"] = (mount, services) => new Engines.DatabaseEngine(mount, services),
        ["pki"] = (mount, services) => new Engines.Pki.PkiEngine(mount, services),
        ["transit"] = (mount, services) => new Engines.TransitEngine(mount, services),
        ["keymgmt"] = (mount, services) => new Engines.KeyManagementEngine(mount, services),
    };
}
