using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Core.Vault;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Vault;
using SandboxTransit = CrdbVault.Sandbox.Vault.Engines.TransitEngine;
using SandboxKeymgmt = CrdbVault.Sandbox.Vault.Engines.KeyManagementEngine;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// A small HTTP front for the transit and keymgmt engines of the Vault double (real engines, real
/// HTTP, Vault's envelope), so Core and the cmdlets are tested over the wire without the full
/// sandbox world: one root token, auth/token/lookup-self, and every request logged (no bodies).
/// </summary>
public sealed class KeysVaultHost : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, VaultMount> _mounts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public KeysVaultHost()
    {
        var services = new VaultServices { Clock = TimeProvider.System, Leases = new NoLeases(), Options = new SandboxOptions() };
        Transit = Mount("transit", (m, s) => new SandboxTransit(m, s), services);
        Keymgmt = Mount("keymgmt", (m, s) => new SandboxKeymgmt(m, s), services);
        int port = FreePort();
        Address = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Address + "/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Address { get; }
    public string RootToken { get; } = "hvs.keys-test-root-" + Guid.NewGuid().ToString("N");
    public SandboxTransit Transit { get; }
    public SandboxKeymgmt Keymgmt { get; }

    /// <summary>"METHOD path" of every request after /v1/, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Requests other than the login check.</summary>
    public IEnumerable<string> EngineRequests => Requests.Where(r => !r.Contains("auth/token/", StringComparison.Ordinal));

    /// <summary>A Core client with the root token.</summary>
    public VaultClient CreateClient() =>
        new(new VaultClientOptions { Address = new Uri(Address), MaxAttempts = 1 }, new StaticToken(RootToken));

    private T Mount<T>(string path, Func<VaultMount, VaultServices, T> factory, VaultServices services) where T : IVaultEngine
    {
        var mount = new VaultMount { Path = path, Type = path };
        T engine = factory(mount, services);
        mount.Engine = engine;
        _mounts[path] = mount;
        return engine;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => ServeAsync(ctx));
        }
    }

    private async Task ServeAsync(HttpListenerContext ctx)
    {
        try
        {
            string path = ctx.Request.Url!.AbsolutePath;
            path = path.StartsWith("/v1/", StringComparison.Ordinal) ? path[4..].Trim('/') : path.Trim('/');
            string method = ctx.Request.HttpMethod;
            if (method == "GET" && ctx.Request.QueryString["list"] == "true") method = "LIST";
            if (method == "PUT") method = "POST";
            Requests.Enqueue($"{method} {path}");

            if (ctx.Request.Headers["X-Vault-Token"] != RootToken)
            {
                await WriteAsync(ctx, 403, new JsonObject { ["errors"] = new JsonArray("permission denied", "invalid token") });
                return;
            }
            if (path == "auth/token/lookup-self")
            {
                await WriteAsync(ctx, 200, Envelope(new JsonObject
                {
                    ["accessor"] = "accessor-root", ["display_name"] = "root", ["policies"] = new JsonArray("root"), ["ttl"] = 0, ["renewable"] = false,
                }, []));
                return;
            }
            VaultMount? mount = _mounts.Where(m => path == m.Key || path.StartsWith(m.Key + "/", StringComparison.Ordinal)).Select(m => m.Value).FirstOrDefault();
            if (mount is null)
            {
                await WriteAsync(ctx, 404, new JsonObject { ["errors"] = new JsonArray($"no handler for route \"{path}\". route entry not found.") });
                return;
            }
            string body;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync();
            JsonObject json = string.IsNullOrWhiteSpace(body) ? [] : JsonNode.Parse(body) as JsonObject ?? [];
            var request = new VaultRequest(method, path[mount.Path.Length..].Trim('/'), json, new Dictionary<string, string>(), null, mount, CancellationToken.None);
            VaultReply reply = await mount.Engine.HandleAsync(request);
            if (reply.Status == 204)
            {
                ctx.Response.StatusCode = 204;
                ctx.Response.Close();
                return;
            }
            if (reply.Status >= 400)
            {
                var errors = new JsonArray();
                foreach (string e in reply.Errors) errors.Add(e);
                await WriteAsync(ctx, reply.Status, new JsonObject { ["errors"] = errors });
                return;
            }
            await WriteAsync(ctx, reply.Status, Envelope(reply.Data, reply.Warnings));
        }
        catch (Exception ex)
        {
            try { await WriteAsync(ctx, 500, new JsonObject { ["errors"] = new JsonArray(ex.Message) }); } catch { }
        }
    }

    private static JsonObject Envelope(JsonNode? data, List<string> warnings)
    {
        var w = new JsonArray();
        foreach (string s in warnings) w.Add(s);
        return new JsonObject
        {
            ["request_id"] = Guid.NewGuid().ToString(), ["lease_id"] = "", ["lease_duration"] = 0, ["renewable"] = false,
            ["data"] = data?.DeepClone(), ["warnings"] = warnings.Count == 0 ? null : w, ["auth"] = null,
        };
    }

    private static async Task WriteAsync(HttpListenerContext ctx, int status, JsonNode body)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength64 = bytes.Length;
        await ctx.Response.OutputStream.WriteAsync(bytes);
        ctx.Response.Close();
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }

    private sealed class StaticToken(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    private sealed class NoLeases : ILeaseManager
    {
        public string Create(string prefix, TimeSpan ttl, TimeSpan maxTtl, bool renewable, Func<CancellationToken, Task> revoke, Func<DateTimeOffset, CancellationToken, Task>? renew = null) =>
            throw new InvalidOperationException("transit and keymgmt create no leases");

        public Task RevokeAsync(string leaseId, bool force = false) => Task.CompletedTask;

        public Task RevokePrefixAsync(string prefix, bool force = false) => Task.CompletedTask;
    }
}
