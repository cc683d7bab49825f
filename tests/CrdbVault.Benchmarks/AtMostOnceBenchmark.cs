using System.Diagnostics;
using CrdbVault.Core.Vault;
using CrdbVault.Sandbox.Vault;

namespace CrdbVault.Benchmarks;

/// <summary>
/// What at-most-once costs per call. The Vault client sends calls that create something (creds,
/// pki issue/sign, transit datakey) on connections of their own that refuse to carry a call twice
/// (Core/Http/AtMostOnceHandler.cs), instead of its pooled connections for idempotent calls. Same
/// request (<c>GET database/creds/bench</c>) against the same stub, once as an idempotent read and
/// once as a creating call, over HTTP and over HTTPS (where a new connection pays a TLS handshake).
/// </summary>
internal static class AtMostOnceBenchmark
{
    public static async Task RunAsync(Report report, bool quick)
    {
        Console.WriteLine("atmostonce: the same creds GET on the pooled vs the at-most-once connection");
        string temp = Directory.CreateTempSubdirectory("crdbvault-bench-tls-").FullName;
        try
        {
            using SelfSignedTls tls = SelfSignedTls.Create(temp);
            await MeasureAsync(report, quick, "http", null, null);
            await MeasureAsync(report, quick, "https", tls, tls.CaCertificatePath);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static async Task MeasureAsync(Report report, bool quick, string scheme, SelfSignedTls? tls, string? caPath)
    {
        await using var stub = StubVault.Start(tls?.ServerCertificate);
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(stub.Address), CaCertificatePath = caPath }, new Token());
        var pooled = VaultRequestOptions.Read;
        var atMostOnce = new VaultRequestOptions { Idempotent = false, UnknownOutcomeHint = "benchmark" };

        double Time(VaultRequestOptions options)
        {
            var watch = Stopwatch.StartNew();
            VaultResponse? r = client.SendAsync(HttpMethod.Get, "database/creds/bench", null, options, CancellationToken.None).GetAwaiter().GetResult();
            watch.Stop();
            if (r?.Data.GetProperty("username").GetString() != StubVault.UserName) throw new InvalidOperationException("The stub's answer was not parsed.");
            return watch.Elapsed.TotalMilliseconds;
        }

        long connectionsBefore = stub.Connections;
        (List<double> a, List<double> b) = Harness.Interleaved(() => Time(atMostOnce), () => Time(pooled),
            warmup: quick ? 5 : 50, rounds: quick ? 30 : 400);
        long connections = stub.Connections - connectionsBefore;
        double ms = Harness.Median(a), mp = Harness.Median(b);
        report.Add("atmostonce", $"{scheme} median at-most-once creds GET (n={a.Count}, ms)", $"{ms:0.000} (p90 {Harness.Percentile(a, 0.9):0.000})");
        report.Add("atmostonce", $"{scheme} median pooled creds GET (n={b.Count}, ms)", $"{mp:0.000} (p90 {Harness.Percentile(b, 0.9):0.000})");
        report.Add("atmostonce", $"{scheme} cost of at-most-once per call", $"+{ms - mp:0.000} ms ({ms / mp:0.00}x)");
        report.Add("atmostonce", $"{scheme} TCP connections for {a.Count + b.Count + (quick ? 10 : 100)} calls", connections.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class Token : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(StubVault.Token);
    }
}
