using CrdbVault.Core.Database;

namespace CrdbVault;

/// <summary>A dynamic-credential role (database/roles/&lt;Name&gt;).</summary>
public sealed class VaultDatabaseRole
{
    public required string Name { get; init; }
    public required string ConnectionName { get; init; }
    public required string MountPath { get; init; }
    public string[] CreationStatements { get; init; } = [];
    public string[] RevocationStatements { get; init; } = [];
    public string[] RenewStatements { get; init; } = [];
    public TimeSpan DefaultTtl { get; init; }
    public TimeSpan MaxTtl { get; init; }

    /// <summary>Lets New-CrdbDynamicCredential bind -Role from this object.</summary>
    public string Role => Name;

    internal static VaultDatabaseRole From(DatabaseRoleInfo info) => new()
    {
        Name = info.Name,
        ConnectionName = info.ConnectionName,
        MountPath = info.MountPath,
        CreationStatements = [.. info.CreationStatements],
        RevocationStatements = [.. info.RevocationStatements],
        RenewStatements = [.. info.RenewStatements],
        DefaultTtl = info.DefaultTtl,
        MaxTtl = info.MaxTtl,
    };

    public override string ToString() => $"{MountPath}/roles/{Name}";
}
