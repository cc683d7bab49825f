namespace CrdbVault.Sandbox.Vault;

/// <summary>A mounted secrets engine.</summary>
public sealed class VaultMount
{
    /// <summary>Mount path without slashes at either end ("database", "team/database").</summary>
    public required string Path { get; init; }
    public required string Type { get; init; }
    public string Description { get; set; } = "";
    /// <summary>Like Vault's mount accessors ("database_1a2b3c4d").</summary>
    public string Accessor { get; init; } = "";
    public string Uuid { get; init; } = Guid.NewGuid().ToString();
    /// <summary>Auth mounts live under "auth/" in the same table; secrets engines elsewhere.</summary>
    public bool IsAuth => Path.StartsWith("auth/", StringComparison.Ordinal);

    /// <summary>0 = the system default (768h, like Vault).</summary>
    public TimeSpan DefaultLeaseTtl { get; set; }
    public TimeSpan MaxLeaseTtl { get; set; }

    /// <summary>Set by the server once the engine is created.</summary>
    public IVaultEngine Engine { get; set; } = null!;

    public static readonly TimeSpan SystemDefaultTtl = TimeSpan.FromHours(768);

    public TimeSpan EffectiveDefaultTtl => DefaultLeaseTtl > TimeSpan.Zero ? DefaultLeaseTtl : SystemDefaultTtl;
    public TimeSpan EffectiveMaxTtl => MaxLeaseTtl > TimeSpan.Zero ? MaxLeaseTtl : SystemDefaultTtl;
}
