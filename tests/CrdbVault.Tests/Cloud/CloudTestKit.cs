using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Secrets;
using CrdbVault.Sandbox.Cloud;

namespace CrdbVault.Tests.Cloud;

/// <summary>A started Cloud double with three seeded clusters and a client tuned for fast tests.</summary>
internal sealed class CloudTestKit : IAsyncDisposable
{
    public const string AwsCluster = "7d5b3c2a-1f0e-4b9a-8c7d-6e5f4a3b2c1d";
    public const string GcpCluster = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
    public const string BasicCluster = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

    public static readonly string[] AwsRegions = ["us-east-1", "us-west-2", "eu-west-1"];

    private CloudTestKit(CloudApiDouble server) => Server = server;

    public CloudApiDouble Server { get; }
    public CloudApiClient Client { get; private set; } = null!;
    public ConcurrentQueue<string> Trace { get; } = new();

    public static async Task<CloudTestKit> StartAsync(CloudDoubleOptions? options = null, Func<CloudClientOptions, CloudClientOptions>? tune = null)
    {
        var kit = new CloudTestKit(await CloudApiDouble.StartAsync(options));
        kit.Server.AddCluster(AwsCluster, "payments", "AWS", "ADVANCED", AwsRegions);
        kit.Server.AddCluster(GcpCluster, "ledger", "GCP", "ADVANCED", "us-east1");
        kit.Server.AddCluster(BasicCluster, "scratch", "AWS", "BASIC", "us-east-1");
        CloudClientOptions clientOptions = kit.ClientOptions(kit.Server.ApiKey);
        kit.Client = new CloudApiClient(tune is null ? clientOptions : tune(clientOptions));
        return kit;
    }

    public CloudClientOptions ClientOptions(string apiKey) => new()
    {
        ServerUrl = Server.BaseAddress,
        ApiKey = SecureStrings.From(apiKey),
        RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        PollInterval = TimeSpan.FromMilliseconds(25),
        MaxPollInterval = TimeSpan.FromMilliseconds(100),
        Timeout = TimeSpan.FromSeconds(10),
        Trace = Trace.Enqueue,
    };

    public static CmekRegionSpec AwsSpec(string region, string keyId = "1234abcd-12ab-34cd-56ef-1234567890ab") =>
        new(region, CmekKeyType.AwsKms, $"arn:aws:kms:{region}:111122223333:key/{keyId}", "arn:aws:iam::111122223333:role/crdb-cmek");

    public static CmekRegionSpec[] AwsSpecs(string keyId = "1234abcd-12ab-34cd-56ef-1234567890ab") =>
        AwsRegions.Select(r => AwsSpec(r, keyId)).ToArray();

    /// <summary>A self-signed CA certificate as PEM (what Vault's pki/ca/pem returns).</summary>
    public static string CaPem(string name = "CrdbVault Test Client CA", bool isCa = true)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        return cert.ExportCertificatePem() + "\n";
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        await Server.DisposeAsync();
    }
}
