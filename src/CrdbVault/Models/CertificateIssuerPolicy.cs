namespace CrdbVault;

/// <summary>
/// A Vault ACL policy that lets its holders issue client certificates for the named SQL users only
/// (Set-CrdbCertificateIssuerPolicy). Attach it to the identity (token role, AppRole, group) of
/// whoever issues for those users.
/// </summary>
public sealed class CertificateIssuerPolicy
{
    /// <summary>The policy's name in Vault (sys/policies/acl/&lt;PolicyName&gt;); named so it never binds to a -Name of a database cmdlet.</summary>
    public required string PolicyName { get; init; }
    /// <summary>The PKI mount it grants issuing on.</summary>
    public required string MountPath { get; init; }
    /// <summary>The PKI role it grants issuing on (not a database role: it never binds to -Role).</summary>
    public required string PkiRole { get; init; }
    /// <summary>The only common names (SQL users) the policy allows.</summary>
    public required string[] Users { get; init; }
    /// <summary>The policy text (HCL) as written to Vault.</summary>
    public required string Rules { get; init; }

    public override string ToString() => $"{PolicyName} ({MountPath}/issue/{PkiRole} for {string.Join(", ", Users)})";
}
