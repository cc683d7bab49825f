using System.Security.Cryptography.X509Certificates;

namespace CrdbVault;

/// <summary>
/// A cluster's client CA certificate as the Cloud reports it (Set-/Get-/Remove-CrdbClientCaCert).
/// Status is NOT_SET, PENDING (a change is in flight; the Cloud shows no PEM then), IS_SET or
/// FAILED. Certificate is the first CA of the bundle; Certificates has all of them.
/// </summary>
public sealed class ClientCaCertStatus
{
    public required string ClusterId { get; init; }
    public required string Status { get; init; }
    public X509Certificate2? Certificate => Certificates.Length > 0 ? Certificates[0] : null;
    public X509Certificate2[] Certificates { get; init; } = [];
    public string? Subject => Certificate?.Subject;
    public DateTime? NotAfter => Certificate?.NotAfter;
    public string? Thumbprint => Certificate?.Thumbprint;

    /// <summary>The PEM the Cloud holds (empty while PENDING or NOT_SET).</summary>
    public string Pem { get; init; } = "";

    public override string ToString() => $"{ClusterId}: {Status}{(Subject is null ? "" : " " + Subject)}";
}
