using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Cloud;

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

    internal static ClientCaCertStatus From(ClientCaCertInfo info)
    {
        var certificates = new X509Certificate2Collection();
        if (!string.IsNullOrWhiteSpace(info.X509PemCert))
        {
            try
            {
                certificates.ImportFromPem(info.X509PemCert);
            }
            catch (CryptographicException)
            {
                // Shown as Pem only; the Cloud accepted it, so it is the Cloud's to explain.
            }
        }
        return new ClientCaCertStatus
        {
            ClusterId = info.ClusterId,
            Status = info.Status.Value,
            Certificates = [.. certificates.Cast<X509Certificate2>()],
            Pem = info.X509PemCert ?? "",
        };
    }

    public override string ToString() => $"{ClusterId}: {Status}{(Subject is null ? "" : " " + Subject)}";
}
