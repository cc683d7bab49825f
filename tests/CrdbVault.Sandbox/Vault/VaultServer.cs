using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Sandbox.Vault.Leases;
using CrdbVault.Sandbox.Vault.Policies;
using CrdbVault.Sandbox.Vault.Tokens;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// The Vault API double: Kestrel on 127.0.0.1 at a free port (HTTPS with a generated CA when
/// <see cref="SandboxOptions.VaultTls"/>), routes <c>/v1/{**path}</c> through <see cref="VaultRequestHandler"/>,
/// and a housekeeping loop that makes TTLs real (expired tokens and leases are revoked).
/// </summary>
public sealed class VaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _housekeeping;
    private readonly SelfSignedTls? _tls;
    private readonly string _tempDirectory;

    private VaultServer(WebApplication app, VaultCore core, VaultRequestLog log, SelfSignedTls? tls, string tempDirectory, string address)
    {
        _app = app;
        Core = core;
        RequestLog = log;
        _tls = tls;
        _tempDirectory = tempDirectory;
        Address = address;
        _housekeeping = Task.Run(HousekeepingAsync);
    }

    /// <summary>VAULT_ADDR, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string Address { get; }
    /// <summary>The root token generated at start.</summary>
    public string RootToken => Core.RootToken.Id;
    /// <summary>PEM file of the CA that signed the server certificate (VAULT_CACERT); null without TLS.</summary>
    public string? CaCertificatePath => _tls?.CaCertificatePath;
    public string? CaCertificatePem => _tls?.CaCertificatePem;

    public VaultCore Core { get; }
    public SandboxOptions Options => Core.Options;
    public TokenStore Tokens => Core.Tokens;
    public PolicyStore Policies => Core.Policies;
    public LeaseManager Leases => Core.Leases;
    public MountTable Mounts => Core.Mounts;
    /// <summary>Method, path, namespace header and status of every request received (never bodies).</summary>
    public VaultRequestLog RequestLog { get; }

    public static async Task<VaultServer> StartAsync(SandboxOptions? options = null, TimeProvider? clock = null, CancellationToken ct = default)
    {
        options ??= new SandboxOptions();
        var core = new VaultCore(options, clock ?? TimeProvider.System);
        var log = new VaultRequestLog();
        string temp = TempDirectories.Create("crdbvault-vault-");
        SelfSignedTls? tls = options.VaultTls ? SelfSignedTls.Create(temp) : null;

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "CrdbVault.Sandbox.Vault" });
        builder.Logging.ClearProviders(); // no request logging: bodies and tokens must never reach a console
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (tls is not null) listen.UseHttps(tls.ServerCertificate);
            });
        });
        WebApplication app = builder.Build();
        var handler = new VaultRequestHandler(core, log);
        app.MapMethods("/v1/{**path}", ["GET", "HEAD", "POST", "PUT", "DELETE", "LIST", "PATCH"],
            (HttpContext ctx, string? path) => handler.HandleAsync(ctx, path ?? ""));
        app.MapFallback((HttpContext ctx) =>
        {
            ctx.Response.StatusCode = 404;
            return ctx.Response.WriteAsync("404 page not found\n");
        });
        await app.StartAsync(ct).ConfigureAwait(false);

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "127.0.0.1")).Port;
        string address = $"{(tls is null ? "http" : "https")}://127.0.0.1:{port}";
        return new VaultServer(app, core, log, tls, temp, address);
    }

    /// <summary>Creates a token with these policies (the "default" policy is added, as Vault does).</summary>
    public VaultToken CreateToken(IEnumerable<string> policies, TimeSpan? ttl = null, TimeSpan? explicitMaxTtl = null, bool renewable = true, string? displayName = null) =>
        Tokens.Create(new TokenSpec
        {
            Policies = [.. policies],
            Ttl = ttl ?? TimeSpan.Zero,
            ExplicitMaxTtl = explicitMaxTtl ?? TimeSpan.Zero,
            Renewable = renewable,
            DisplayName = displayName is null ? "token" : TokenAuthEngine.DisplayNameFor(displayName),
            Parent = Core.RootToken,
        });

    /// <summary>Writes an ACL policy (HCL or JSON). Throws <see cref="FormatException"/> on bad text.</summary>
    public void WritePolicy(string name, string policy) => Policies.Write(name, policy);

    /// <summary>Enables a secrets engine directly (same as POST sys/mounts/:path).</summary>
    public VaultMount EnableSecretsEngine(string path, string type, TimeSpan defaultTtl = default, TimeSpan maxTtl = default) =>
        Core.EnableSecretsEngine(path, type, "", defaultTtl, maxTtl);

    /// <summary>An HttpClient aimed at <see cref="Address"/> that trusts the double's CA and sends <paramref name="token"/>.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        if (_tls is not null)
        {
            X509Certificate2 ca = X509Certificate2.CreateFromPem(_tls.CaCertificatePem);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            };
        }
        var client = new HttpClient(handler) { BaseAddress = new Uri(Address + "/v1/") };
        if (token is not null) client.DefaultRequestHeaders.Add("X-Vault-Token", token);
        return client;
    }

    private async Task HousekeepingAsync()
    {
        using var timer = new PeriodicTimer(Options.ExpirySweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await Tokens.SweepExpiredAsync().ConfigureAwait(false);
                    await Leases.SweepExpiredAsync().ConfigureAwait(false);
                }
                catch (Exception) { /* a failed sweep is retried on the next tick */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _housekeeping.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (VaultMount m in Mounts.All)
        {
            switch (m.Engine)
            {
                case IAsyncDisposable a: await a.DisposeAsync().ConfigureAwait(false); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        _tls?.Dispose();
        Core.Outbound.Dispose();
        TempDirectories.Delete(_tempDirectory);
        _stop.Dispose();
    }
}
