using System.Text.Json.Serialization;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Database;

// The answers of the database secrets engine, one record each (read with VaultJson).

/// <summary>
/// <c>&lt;mount&gt;/config/:name</c>. Vault's docs show the plugin's settings at the top level; real
/// servers nest them under <c>connection_details</c>: both are read, the nested one first.
/// </summary>
internal sealed record DatabaseConfigData(
    string? PluginName,
    string? ConnectionUrl,
    string? Username,
    IReadOnlyList<string>? AllowedRoles,
    string? UsernameTemplate,
    bool? VerifyConnection,
    DatabaseConnectionDetails? ConnectionDetails);

/// <summary>The plugin's settings under <c>connection_details</c> (the password is never returned).</summary>
internal sealed record DatabaseConnectionDetails(string? ConnectionUrl, string? Username, string? UsernameTemplate, bool? VerifyConnection);

/// <summary><c>&lt;mount&gt;/roles/:name</c>. Statements come as a list, or (older Vaults) as one string.</summary>
internal sealed record DatabaseRoleData(
    string? DbName,
    [property: JsonConverter(typeof(VaultStatementsConverter))] IReadOnlyList<string>? CreationStatements,
    [property: JsonConverter(typeof(VaultStatementsConverter))] IReadOnlyList<string>? RevocationStatements,
    [property: JsonConverter(typeof(VaultStatementsConverter))] IReadOnlyList<string>? RenewStatements,
    TimeSpan DefaultTtl,
    TimeSpan MaxTtl);

/// <summary><c>&lt;mount&gt;/creds/:role</c> and <c>&lt;mount&gt;/static-creds/:role</c>: the user and its password.</summary>
/// <remarks>
/// Static credentials add their rotation: <c>rotation_period</c> (seconds, or a duration string in
/// older docs) or <c>rotation_schedule</c> with <c>rotation_window</c>; <c>ttl</c> is the time left.
/// </remarks>
internal sealed record CredentialData(
    string? Username,
    string? Password,
    TimeSpan? Ttl,
    DateTimeOffset? LastVaultRotation,
    TimeSpan RotationPeriod,
    string? RotationSchedule,
    TimeSpan RotationWindow);

/// <summary><c>&lt;mount&gt;/static-roles/:name</c>, in either of its documented rotation shapes.</summary>
internal sealed record StaticRoleData(
    string? DbName,
    string? Username,
    TimeSpan RotationPeriod,
    string? RotationSchedule,
    TimeSpan RotationWindow,
    [property: JsonConverter(typeof(VaultStatementsConverter))] IReadOnlyList<string>? RotationStatements,
    string? CredentialType);
