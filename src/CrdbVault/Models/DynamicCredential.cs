using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Database;

namespace CrdbVault;

/// <summary>
/// A short-lived SQL user from Vault. The password is a SecureString (and inside Credential);
/// nothing here prints it. Pipe it to Revoke-CrdbLease, Update-CrdbLease, Test-CrdbConnection or
/// Get-CrdbConnectionString.
/// </summary>
public sealed class DynamicCredential
{
    public required string Role { get; init; }
    public required string MountPath { get; init; }
    public required string UserName { get; init; }
    public required SecureString Password { get; init; }
    public required PSCredential Credential { get; init; }
    /// <summary>The lease that revokes the user; null when Vault gave none (then drop the user by hand).</summary>
    public required string? LeaseId { get; init; }
    public required TimeSpan LeaseDuration { get; init; }
    public required bool Renewable { get; init; }
    public required DateTimeOffset IssuedAt { get; init; }
    /// <summary>When the lease ends and Vault drops the user; null without a lease.</summary>
    public required DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>A freshly issued user (Core registered the password for CI masking when it was issued).</summary>
    internal static DynamicCredential From(IssuedCredential issued) => new()
    {
        Role = issued.Role,
        MountPath = issued.MountPath,
        UserName = issued.UserName,
        Password = issued.Password,
        Credential = new PSCredential(issued.UserName, issued.Password),
        LeaseId = issued.LeaseId,
        LeaseDuration = issued.LeaseDuration,
        Renewable = issued.Renewable,
        IssuedAt = issued.IssuedAt,
        ExpiresAt = issued.ExpiresAt,
    };

    public override string ToString() => LeaseId is null ? $"{UserName} (no lease)" : $"{UserName} (lease {LeaseId}, expires {ExpiresAt:u})";
}
