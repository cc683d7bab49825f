using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;

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

    /// <summary>
    /// What was asked for, overlaid with what Vault holds now (<paramref name="info"/>, when it could be
    /// read). The URL is shown without credentials whatever Vault holds: another tool may have stored a
    /// password in it.
    /// </summary>
    internal static VaultDatabaseConnection From(DatabaseConnectionRequest request, DatabaseConnectionInfo? info, bool mountCreated, bool rootRotated) => new()
    {
        ConnectionName = request.Name,
        MountPath = request.MountPath,
        PluginName = info?.PluginName ?? DatabaseEngine.PluginName,
        ConnectionUrl = UrlRedaction.Redact(info?.ConnectionUrl ?? request.Url.TemplatedUrl),
        SslMode = request.Url.SslMode,
        Username = info?.Username ?? request.Username,
        AllowedRoles = [.. info?.AllowedRoles ?? request.AllowedRoles],
        UsernameTemplate = info?.UsernameTemplate ?? request.UsernameTemplate,
        MountCreated = mountCreated,
        RootRotated = rootRotated,
    };

    public override string ToString() => $"{MountPath}/config/{ConnectionName}";
}
