namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// A secrets engine of the Vault double, mounted at any path (sys/mounts with its <see cref="Type"/>).
/// Engines follow the documented API including its quirks (see the reference notes) and do the
/// real work behind it: real PostgreSQL roles, real X.509, real AES-GCM.
/// </summary>
public interface IVaultEngine
{
    /// <summary>The mount type ("database", "pki", "transit", "keymgmt").</summary>
    string Type { get; }

    /// <summary>Handles a request whose token already passed the ACL check for its path.</summary>
    Task<VaultReply> HandleAsync(VaultRequest request);
}

/// <summary>Creates an engine for a new mount. Registered in <see cref="EngineRegistry"/>.</summary>
public delegate IVaultEngine EngineFactory(VaultMount mount, VaultServices services);
