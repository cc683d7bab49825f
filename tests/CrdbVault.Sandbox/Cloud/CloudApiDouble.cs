using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// A local stand-in for the CockroachDB Cloud API v1 (docs/cockroachdb-notes.md#cloud-api) on 127.0.0.1: bearer
/// keys, <c>Cc-Version</c>, the 10 requests/s limit with 429 + Retry-After, errors as
/// <c>{code, message, details}</c>, and the cluster, client-ca-cert and cmek endpoints with their
/// asynchronous status machines. Start it with <see cref="StartAsync"/>, seed clusters with
/// <see cref="AddCluster(string, string, string, string, string[])"/>.
/// </summary>
public sealed partial class CloudApiDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CloudDoubleOptions _options;
    private readonly CloudRateCounter _rate;
    private readonly CloudDoubleEndpoints _endpoints;
    private readonly Dictionary<string, SimulatedCluster> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CloudKeyRole> _keys = new(StringComparer.Ordinal);
    private readonly List<CloudRequestRecord> _log = [];
    private readonly HashSet<string> _ccVersions = new(StringComparer.Ordinal);
    private readonly List<InjectedFailure> _failures = [];

    private sealed record InjectedFailure(string? ClusterId, string Kind, string? Region, string Message);

    [GeneratedRegex(@"^/api/v1/clusters/(?<id>[^/]+)(/(?<resource>client-ca-cert|cmek))?/?$")]
    private static partial Regex ClusterPath();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateVersion();

    private CloudApiDouble(WebApplication app, CloudDoubleOptions options)
    {
        _app = app;
        _options = options;
        _rate = new CloudRateCounter(options.Clock, options.RateLimitPerSecond);
        _endpoints = new CloudDoubleEndpoints(this, options);
        ApiKey = options.ApiKey ?? "CCDB1_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        _keys[ApiKey] = CloudKeyRole.ClusterAdmin;
    }

    /// <summary>http://127.0.0.1:port — pass it as the client's ServerUrl.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The admin key (Cluster Admin on every cluster).</summary>
    public string ApiKey { get; }

    public CloudDoubleOptions Options => _options;

    /// <summary>What GET /api/v1/organization answers.</summary>
    public string OrganizationId { get; } = "5c1d3a7e-2b4f-4e6a-9d8c-0f1e2d3c4b5a";
    public string OrganizationName { get; } = "CrdbVault Sandbox";

    /// <summary>Starts Kestrel on a free loopback port and returns once it listens.</summary>
    public static async Task<CloudApiDouble> StartAsync(CloudDoubleOptions? options = null, CancellationToken ct = default)
    {
        options ??= new CloudDoubleOptions();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(CloudApiDouble).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        var double_ = new CloudApiDouble(app, options);
        app.Run(double_.HandleAsync);
        await app.StartAsync(ct);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        double_.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return double_;
    }

    /// <summary>Adds a key for another service account, e.g. one without the role CMEK needs.</summary>
    public void AddApiKey(string key, CloudKeyRole role)
    {
        lock (_keys) _keys[key] = role;
    }

    /// <summary>Seeds a cluster with 3 nodes in each region. Provider AWS/GCP/AZURE; plan ADVANCED for CMEK and client CA.</summary>
    public SimulatedCluster AddCluster(string id, string name, string cloudProvider, string plan, params string[] regions) =>
        AddCluster(id, name, cloudProvider, plan, regions.Select(r => (r, 3)).ToArray());

    public SimulatedCluster AddCluster(string id, string name, string cloudProvider, string plan, params (string Name, int Nodes)[] regions)
    {
        if (regions.Length == 0) throw new ArgumentException("A cluster needs at least one region.", nameof(regions));
        var cluster = new SimulatedCluster(id, name, cloudProvider, plan, regions, _options.Clock.GetUtcNow());
        lock (_clusters) _clusters[id] = cluster;
        return cluster;
    }

    public SimulatedCluster? FindCluster(string id)
    {
        lock (_clusters) return _clusters.GetValueOrDefault(id);
    }

    /// <summary>The next rotation in <paramref name="region"/> (of any cluster, or of <paramref name="clusterId"/>) ends ROTATE_FAILED with this user_message.</summary>
    public void FailNextRotation(string region, string userMessage, string? clusterId = null) => FailNextCmek(CmekOperation.Rotate, region, userMessage, clusterId);

    /// <summary>The next CMEK operation of that kind in the region ends *_FAILED with this user_message.</summary>
    public void FailNextCmek(CmekOperation operation, string region, string userMessage, string? clusterId = null)
    {
        lock (_failures) _failures.Add(new InjectedFailure(clusterId, "cmek:" + operation, region, userMessage));
    }

    /// <summary>The next client CA change (POST/PATCH/DELETE) ends FAILED instead of IS_SET/NOT_SET.</summary>
    public void FailNextClientCaChange(string? clusterId = null, string reason = "injected failure")
    {
        lock (_failures) _failures.Add(new InjectedFailure(clusterId, "client-ca", null, reason));
    }

    /// <summary>Faults answered before any handling (status, delay, drop), from the options.</summary>
    public FaultInjector Faults => _options.Faults;

    private long _totalRequests;

    /// <summary>Requests received since the double started, counted on arrival; never reset (unlike <see cref="Requests"/>).</summary>
    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    /// <summary>Every request so far: method, path, status, Cc-Version.</summary>
    public IReadOnlyList<CloudRequestRecord> Requests
    {
        get { lock (_log) return _log.ToList(); }
    }

    /// <summary>Distinct Cc-Version header values received (empty string = header absent).</summary>
    public IReadOnlyCollection<string> CcVersionsSeen
    {
        get { lock (_ccVersions) return _ccVersions.ToList(); }
    }

    /// <summary>Most requests seen from one key within any rolling second (429s included).</summary>
    public int MaxRequestsPerSecondObserved => _rate.MaxObserved;

    public void ResetRequestStatistics()
    {
        lock (_log) _log.Clear();
        _rate.Reset();
    }

    internal string? TakeCmekFailure(string clusterId, CmekOperation operation, string region) =>
        Take(f => f.Kind == "cmek:" + operation && f.Region == region && (f.ClusterId is null || f.ClusterId == clusterId));

    internal string? TakeClientCaFailure(string clusterId) =>
        Take(f => f.Kind == "client-ca" && (f.ClusterId is null || f.ClusterId == clusterId));

    private string? Take(Predicate<InjectedFailure> match)
    {
        lock (_failures)
        {
            int i = _failures.FindIndex(match);
            if (i < 0) return null;
            string message = _failures[i].Message;
            _failures.RemoveAt(i);
            return message;
        }
    }

    /// <summary>One request: log, faults, bearer key, Cc-Version, rate limit, then the endpoint.</summary>
    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _totalRequests);
        string method = context.Request.Method;
        string path = context.Request.Path.Value ?? "/";
        string? ccVersion = context.Request.Headers["Cc-Version"].FirstOrDefault();
        lock (_ccVersions) _ccVersions.Add(ccVersion ?? "");
        try
        {
            string? key = BearerKey(context);
            _rate.RecordArrival(key ?? "");
            if (_options.Faults.Take(method, path) is Fault fault && await ApplyFaultAsync(context, fault))
                return;
            await AnswerAsync(context, method, path, key, ccVersion);
        }
        finally
        {
            lock (_log) _log.Add(new CloudRequestRecord(_options.Clock.GetUtcNow(), method, path, context.Response.StatusCode, ccVersion));
        }
    }

    private async Task AnswerAsync(HttpContext context, string method, string path, string? key, string? ccVersion)
    {
        CloudKeyRole role = default;
        bool known;
        lock (_keys) known = key is not null && _keys.TryGetValue(key, out role);
        if (!known)
        {
            // Never echo what was sent: it may be a real key typed into the wrong place.
            await CloudDoubleError.WriteAsync(context, 401, GrpcStatus.Unauthenticated, key is null ? "missing bearer token" : "invalid API key");
            return;
        }
        if (ccVersion is not null && !DateVersion().IsMatch(ccVersion))
        {
            await CloudDoubleError.WriteAsync(context, 400, GrpcStatus.InvalidArgument, "invalid Cc-Version."); // the docs' wording
            return;
        }
        if (await TryAnswerControlAsync(context, method, path, role))
            return;
        if (!_rate.TryAdmit(key!, out int retryAfter))
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await CloudDoubleError.WriteAsync(context, 429, GrpcStatus.ResourceExhausted, "rate limit exceeded");
            return;
        }
        if (path.TrimEnd('/') == "/api/v1/organization" && method == "GET")
        {
            // The caller's organization (roles ORG_ADMIN / ORG_MEMBER): what Connect-CrdbCloud reads to prove a key.
            if (role == CloudKeyRole.ClusterOnly)
            {
                await CloudDoubleError.WriteAsync(context, 403, GrpcStatus.PermissionDenied, "the service account has no role at the organization scope");
                return;
            }
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["id"] = OrganizationId,
                ["name"] = OrganizationName,
                ["label"] = "crdbvault-sandbox",
                ["created_at"] = "2024-01-01T00:00:00Z",
            }.ToJsonString());
            return;
        }
        Match m = ClusterPath().Match(path);
        if (!m.Success)
        {
            await CloudDoubleError.WriteAsync(context, 404, GrpcStatus.NotFound, "Not Found"); // grpc-gateway's unknown-route answer
            return;
        }
        string id = Uri.UnescapeDataString(m.Groups["id"].Value);
        SimulatedCluster? cluster = FindCluster(id);
        try
        {
            if (cluster is null)
                throw CloudDoubleError.NotFound($"cluster {id} not found");
            JsonNode answer = await _endpoints.HandleAsync(context, cluster, m.Groups["resource"].Value, role is CloudKeyRole.ClusterAdmin or CloudKeyRole.ClusterOnly);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.ToJsonString());
        }
        catch (CloudDoubleError e)
        {
            await CloudDoubleError.WriteAsync(context, e.HttpStatus, e.Code, e.Message);
        }
    }

    /// <summary>
    /// Returns true when the fault answered the request itself. Before execution: wait, then drop
    /// or answer the status (or, with neither, let the request through). After execution: do the
    /// work with the answer held back, wait, then drop, answer the status, or send the held answer.
    /// </summary>
    private async Task<bool> ApplyFaultAsync(HttpContext context, Fault fault)
    {
        MemoryStream? held = null;
        if (fault.AfterExecution)
        {
            // Do the work, hold the answer back: the change happens whatever the client sees.
            Stream original = context.Response.Body;
            held = new MemoryStream();
            context.Response.Body = held;
            try { await AnswerAsync(context, context.Request.Method, context.Request.Path.Value ?? "/", BearerKey(context), context.Request.Headers["Cc-Version"].FirstOrDefault()); }
            finally { context.Response.Body = original; }
        }
        if (fault.Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(fault.Delay, context.RequestAborted); }
            catch (OperationCanceledException) { return true; }
        }
        if (fault.Drop)
        {
            context.Abort();
            return true;
        }
        if (fault.Status == 0)
        {
            if (held is null) return false;
            held.Position = 0;
            await held.CopyToAsync(context.Response.Body, context.RequestAborted);
            return true;
        }
        if (held is not null) context.Response.Headers.Remove("Content-Type");
        if (fault.RetryAfterSeconds is int seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        int code = fault.Status switch { 429 => GrpcStatus.ResourceExhausted, 503 => GrpcStatus.Unavailable, 404 => GrpcStatus.NotFound, _ => 13 };
        await CloudDoubleError.WriteAsync(context, fault.Status, code, fault.Errors.Length > 0 ? string.Join("; ", fault.Errors) : fault.Status == 429 ? "rate limit exceeded" : "injected fault");
        return true;
    }

    private static string? BearerKey(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization.FirstOrDefault();
        const string scheme = "Bearer ";
        return header is not null && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header.Length > scheme.Length
            ? header[scheme.Length..].Trim()
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
