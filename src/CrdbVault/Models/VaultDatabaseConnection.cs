namespace CrdbVault;

/// <summary>A database secrets engine connection (database/config/&lt;Name&gt;) as Initialize-CrdbVaultDatabase left it.</summary>
public sealed class VaultDatabaseConnection
{
    /// <summary>
    /// The connection's name (&lt;mount&gt;/config/&lt;ConnectionName&gt;). Named ConnectionName, not Name,
    /// so that a piped connection binds to -ConnectionName and never to a role's -Name (Remove-CrdbVaultRole).
    /// </summary>
    public required string ConnectionName { get; init; }
    public required string MountPath { get; init; }
    public required string PluginName { get; init; }

    /// <summary>The URL Vault connects with; it holds only {{username}}:{{password}} placeholders.</summary>
    public string? ConnectionUrl { get; init; }
    public string? SslMode { get; init; }
    public string? Username { get; init; }
    public string[] AllowedRoles { get; init; } = [];
    public string? UsernameTemplate { get; init; }
    public bool MountCreated { get; init; }
    public bool RootRotated { get; init; }

    public override string ToString() => $"{MountPath}/config/{ConnectionName}";
}
