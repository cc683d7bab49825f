using System.Management.Automation.Runspaces;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrdbVault.Benchmarks;

/// <summary>
/// (b) New-CrdbDynamicCredential vs the floor: the same GET made by a script in the same engine with a
/// bare, reused <c>HttpClient</c> and <c>JsonDocument.Parse</c>. The server is a stub that answers at
/// once with a canned envelope, so the figure is client overhead only. Target: median ratio ≤ 1.2.
/// </summary>
internal static class CredentialBenchmark
{
    public static async Task RunAsync(Report report, bool quick)
    {
        Console.WriteLine("credential: New-CrdbDynamicCredential vs HttpClient + JsonDocument against a stub");
        await using var stub = StubVault.Start();
        using Runspace rs = Harness.OpenRunspace();
        rs.SessionStateProxy.SetVariable("addr", stub.Address);
        rs.SessionStateProxy.SetVariable("token", StubVault.Token);
        Harness.Run(rs, $"Import-Module '{Harness.ModuleManifest}'");
        Harness.Run(rs, "$null = Connect-CrdbVault -Address $addr -Token ([System.Net.NetworkCredential]::new('', $token).SecurePassword)");
        Harness.Run(rs, """
            $floor = [System.Net.Http.HttpClient]::new()
            $floor.DefaultRequestHeaders.Add('X-Vault-Token', $token)
            $floor.DefaultRequestHeaders.Add('X-Vault-Request', 'true')
            """);

        const string module = "$null = New-CrdbDynamicCredential bench";
        const string floor = """
            $r = $floor.GetAsync("$addr/v1/database/creds/bench").GetAwaiter().GetResult()
            $d = [System.Text.Json.JsonDocument]::Parse($r.Content.ReadAsStringAsync().GetAwaiter().GetResult())
            $null = $d.RootElement.GetProperty('data').GetProperty('password').GetString()
            $d.Dispose(); $r.Dispose()
            """;
        // Both sides really reach the stub and parse what it says.
        var cred = Harness.Run(rs, "New-CrdbDynamicCredential bench").Single();
        if ((string)cred.Properties["UserName"].Value != StubVault.UserName) throw new InvalidOperationException("The module did not parse the stub's answer.");
        long before = stub.CredsServed;

        (List<double> a, List<double> b) = Harness.Interleaved(
            () => Harness.TimeScript(rs, module), () => Harness.TimeScript(rs, floor),
            warmup: quick ? 5 : 50, rounds: quick ? 30 : 400);
        if (stub.CredsServed - before < a.Count + b.Count) throw new InvalidOperationException("Not every round reached the stub.");

        double mm = Harness.Median(a), mf = Harness.Median(b);
        report.Add("credential", $"median New-CrdbDynamicCredential (n={a.Count}, ms)", $"{mm:0.000} (p90 {Harness.Percentile(a, 0.9):0.000})");
        report.Add("credential", $"median floor HttpClient+JsonDocument (n={b.Count}, ms)", $"{mf:0.000} (p90 {Harness.Percentile(b, 0.9):0.000})");
        double ratio = mm / mf;
        report.Add("credential", "ratio (target <= 1.2)", $"{ratio:0.00}x");
        if (ratio > 1.2) report.Problem($"New-CrdbDynamicCredential is {ratio:0.00}x the floor (target 1.2x).");
        Harness.Run(rs, "$floor.Dispose(); Disconnect-CrdbVault");
    }
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 answering <c>GET /v1/auth/token/lookup-self</c> and
/// <c>GET /v1/database/creds/&lt;role&gt;</c> with canned envelopes at once (keep-alive, no parsing
/// beyond the request line and headers): it costs both sides the same and next to nothing.
/// </summary>
internal sealed class StubVault : IAsyncDisposable
{
    public const string Token = "hvs.benchmark-token";
    public const string UserName = "v-token-bench-abcdefghij-1700000000";

    private static readonly byte[] LookupSelf = Response("""{"request_id":"1","lease_id":"","renewable":false,"lease_duration":0,"data":{"accessor":"acc","display_name":"token","policies":["root"],"ttl":0,"renewable":false,"expire_time":null},"warnings":null}""");
    private static readonly byte[] Creds = Response($$"""{"request_id":"2","lease_id":"database/creds/bench/2f6a614c4aa1","renewable":true,"lease_duration":3600,"data":{"username":"{{UserName}}","password":"A1a-benchmarkpassword00"},"warnings":null}""");
    private static readonly byte[] NotFound = Response("""{"errors":[]}""", 404);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly X509Certificate2? _tls;
    private long _creds;
    private long _connections;

    private StubVault(X509Certificate2? tls)
    {
        _tls = tls;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public string Address => $"{(_tls is null ? "http" : "https")}://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public long CredsServed => Interlocked.Read(ref _creds);

    /// <summary>TCP connections accepted (to show which client side reuses them).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Plain HTTP, or HTTPS with <paramref name="tls"/> as the server certificate.</summary>
    public static StubVault Start(X509Certificate2? tls = null) => new(tls);

    private static byte[] Response(string json, int status = 200) => Encoding.ASCII.GetBytes(
        $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Not Found")}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n{json}");

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            Stream stream = client.GetStream();
            if (_tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                try { await ssl.AuthenticateAsServerAsync(_tls, clientCertificateRequired: false, checkCertificateRevocation: false); }
                catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException) { await ssl.DisposeAsync(); return; }
                stream = ssl;
            }
            var buffer = new byte[16 * 1024];
            int filled = 0;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    int end;
                    while ((end = IndexOfHeaderEnd(buffer, filled)) < 0)
                    {
                        int n = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                        if (n == 0) return;
                        filled += n;
                    }
                    string head = Encoding.ASCII.GetString(buffer, 0, end);
                    string requestLine = head[..head.IndexOf('\r')];
                    byte[] answer = requestLine.StartsWith("GET /v1/auth/token/lookup-self ", StringComparison.Ordinal) ? LookupSelf
                        : requestLine.StartsWith("GET /v1/database/creds/", StringComparison.Ordinal) ? Creds
                        : NotFound;
                    if (ReferenceEquals(answer, Creds)) Interlocked.Increment(ref _creds);
                    await stream.WriteAsync(answer, _stop.Token);
                    // GET requests carry no body: drop the request and keep what follows.
                    int consumed = end + 4;
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException) { }
        }
    }

    private static int IndexOfHeaderEnd(byte[] buffer, int length) =>
        buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
