using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Cloud;

namespace CrdbVault.Infrastructure;

/// <summary>Builds the PowerShell-facing Cloud output objects from Core's answers.</summary>
internal static class CloudViews
{
    public static ClientCaCertStatus ClientCa(ClientCaCertInfo info)
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

    public static CmekStatus Cmek(CmekClusterInfo info) => new()
    {
        ClusterId = info.ClusterId,
        Status = info.Status.Value,
        Configured = info.IsConfigured,
        Regions = [.. info.RegionInfos.Select(r => Region(info.ClusterId, r))],
    };

    private static CmekRegionStatus Region(string clusterId, CmekRegionInfo r)
    {
        var newestFirst = r.KeyInfos.OrderByDescending(k => k.CreatedAt ?? DateTimeOffset.MinValue).ToList();
        CmekKeyInfo? key = newestFirst.FirstOrDefault(k => k.Status == r.Status) ?? newestFirst.FirstOrDefault();
        return new CmekRegionStatus
        {
            ClusterId = clusterId,
            Region = r.Region,
            Status = r.Status.Value,
            KeyType = key?.Spec?.Type.Value,
            Uri = key?.Spec?.Uri,
            UserMessage = r.UserMessage,
            UpdatedAt = key?.UpdatedAt ?? key?.CreatedAt,
            KeyHistory = [.. r.KeyInfos.Select(k => $"{k.Status} {k.Spec?.Uri}")],
        };
    }

    public static CmekKeySpec KeySpec(CmekRegionSpec spec) =>
        new() { Region = spec.Region, Type = spec.KeySpec.Type.Value, Uri = spec.KeySpec.Uri, AuthPrincipal = spec.KeySpec.AuthPrincipal };

    /// <summary>"2 of 3 regions ENABLED: us-east-1 ENABLED, …" for a progress bar.</summary>
    public static string CmekSummary(CmekClusterInfo? info, string target)
    {
        if (info is null || info.RegionInfos.Count == 0) return info?.Status.Value is { Length: > 0 } s ? s : "waiting for the Cloud";
        int done = info.RegionInfos.Count(r => r.Status.Value == target);
        return $"{done} of {info.RegionInfos.Count} regions {target}";
    }
}
