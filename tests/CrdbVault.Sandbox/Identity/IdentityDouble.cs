using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrdbVault.Sandbox.Identity;

/// <summary>
/// The identity providers a secretless job talks to, on 127.0.0.1 at a free port, handing out
/// real RS256 JWTs: the Azure DevOps OIDC endpoint (SYSTEM_OIDCREQUESTURI), the GitHub Actions one
/// (ACTIONS_ID_TOKEN_REQUEST_URL), the managed-identity endpoint (IDENTITY_ENDPOINT), instance
/// metadata (what CRDBVAULT_IMDS_ENDPOINT points at instead of 169.254.169.254), and OIDC discovery
/// + JWKS for every issuer under loopback paths (see <see cref="PublicPrefixes"/>). It counts requests
/// per endpoint and takes injected faults (<see cref="Faults"/>).
/// </summary>
public sealed partial class IdentityDouble : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<IdentityEndpoint, int> _counts = new();
    private readonly IdentityKeys _keys;

    private IdentityDouble(WebApplication app, IdentityFacts facts, IdentityKeys keys, TimeProvider clock, string address)
    {
        _app = app;
        _keys = keys;
        Facts = facts;
        Address = address;
        Tokens = new IdentityTokens(facts, keys, clock);
    }

    /// <summary>http://127.0.0.1:port (no trailing slash).</summary>
    public string Address { get; }
    public IdentityFacts Facts { get; }
    /// <summary>Mints tokens directly (no request, not counted).</summary>
    public IdentityTokens Tokens { get; }
    public IdentityFaults Faults { get; } = new();

    /// <summary>IDENTITY_ENDPOINT wants "Metadata: true" (Azure Automation's style; App Service does not).</summary>
    public bool RequireMetadataHeader { get; set; } = true;
    /// <summary>IDENTITY_ENDPOINT wants X-IDENTITY-HEADER = IDENTITY_HEADER (App Service, Automation).</summary>
    public bool RequireIdentityHeader { get; set; } = true;

    /// <summary>SYSTEM_OIDCREQUESTURI of the job (the client adds ?api-version=7.1[&amp;serviceConnectionId=…]).</summary>
    public string SystemOidcRequestUri =>
        $"{Address}/azuredevops/{Facts.OrganizationName}/{Facts.ProjectId}/_apis/distributedtask/hubs/build/plans/{Facts.PlanId}/jobs/{Facts.JobId}/oidctoken";
    /// <summary>ACTIONS_ID_TOKEN_REQUEST_URL of the job (it already has a query: the client adds &amp;audience=…).</summary>
    public string ActionsIdTokenRequestUrl =>
        $"{Address}/github/_apis/distributedtask/hubs/Actions/plans/{Facts.PlanId}/jobs/{Facts.JobId}/idtoken?api-version=2.0";
    /// <summary>IDENTITY_ENDPOINT of an Azure Automation job.</summary>
    public string ManagedIdentityEndpoint => Address + "/msi/token";
    /// <summary>Where instance metadata answers (CRDBVAULT_IMDS_ENDPOINT): /metadata/... below it.</summary>
    public string ImdsEndpoint => Address;

    /// <summary>
    /// Public URL prefixes this double serves under loopback paths; the Vault double fetches discovery
    /// and keys through this table (see OutboundHttp), so tokens and Vault config keep the real issuers.
    /// </summary>
    public IReadOnlyDictionary<string, string> PublicPrefixes => new Dictionary<string, string>
    {
        ["https://vstoken.dev.azure.com/"] = Address + "/vstoken/",
        ["https://login.microsoftonline.com/"] = Address + "/entra/",
        [IdentityTokens.GitHubIssuer + "/"] = Address + "/github-oidc/",
    };

    /// <summary>Requests received by an endpoint (answered or refused) since start or <see cref="ResetCounts"/>.</summary>
    public int Count(IdentityEndpoint endpoint) => _counts.TryGetValue(endpoint, out int n) ? n : 0;

    public void ResetCounts() => _counts.Clear();

    public static async Task<IdentityDouble> StartAsync(IdentityFacts? facts = null, TimeProvider? clock = null, CancellationToken ct = default)
    {
        facts ??= new IdentityFacts();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "CrdbVault.Sandbox.Identity" });
        builder.Logging.ClearProviders(); // tokens and bearer secrets must never reach a console
        builder.WebHost.UseKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0);
        });
        WebApplication app = builder.Build();
        var keys = new IdentityKeys();
        IdentityDouble? self = null;
        // Handlers returning Task<IResult> are cast to Delegate: as a RequestDelegate their result would be dropped.
        // Routes resolve the instance late: it needs the bound address, known only after start.
        app.MapMethods("/azuredevops/{org}/{project}/_apis/distributedtask/hubs/build/plans/{plan}/jobs/{job}/oidctoken",
            ["GET", "POST", "PUT"], (Func<HttpContext, Task<IResult>>)(c => self!.AzureDevOpsAsync(c)));
        app.MapMethods("/github/_apis/distributedtask/hubs/Actions/plans/{plan}/jobs/{job}/idtoken",
            ["GET", "POST"], (HttpContext c) => self!.GitHubActions(c));
        app.MapMethods("/msi/token", ["GET", "POST"], (Func<HttpContext, Task<IResult>>)(c => self!.ManagedIdentityAsync(c)));
        app.MapGet("/metadata/identity/oauth2/token", (HttpContext c) => self!.ImdsToken(c));
        app.MapGet("/metadata/instance/{**rest}", (HttpContext c, string? rest) => self!.ImdsInstance(c, rest));
        app.MapGet("/vstoken/{org}/.well-known/openid-configuration", (string org) => self!.VstokenDiscovery(org));
        app.MapGet("/vstoken/.well-known/jwks", () => self!.Jwks(keys.Vstoken));
        app.MapGet("/entra/{tenant}/v2.0/.well-known/openid-configuration", (string tenant) => self!.EntraDiscovery(tenant, v2: true));
        app.MapGet("/entra/{tenant}/.well-known/openid-configuration", (string tenant) => self!.EntraDiscovery(tenant, v2: false));
        app.MapGet("/entra/{tenant}/discovery/v2.0/keys", (string tenant) => self!.EntraKeys(tenant));
        app.MapGet("/entra/{tenant}/discovery/keys", (string tenant) => self!.EntraKeys(tenant));
        app.MapGet("/github-oidc/.well-known/openid-configuration", () => self!.GitHubDiscovery());
        app.MapGet("/github-oidc/.well-known/jwks", () => self!.Jwks(keys.GitHub));
        app.MapFallback((HttpContext c) => Results.Json(new JsonObject { ["error"] = "not found" }, statusCode: 404));
        await app.StartAsync(ct).ConfigureAwait(false);

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(bound.Replace("[::]", "127.0.0.1")).Port;
        self = new IdentityDouble(app, facts, keys, clock ?? TimeProvider.System, $"http://127.0.0.1:{port}");
        return self;
    }

    private void Hit(IdentityEndpoint endpoint) => _counts.AddOrUpdate(endpoint, 1, (_, n) => n + 1);

    /// <summary>Counts the request and takes a fault; a status fault is answered right here.</summary>
    private (IdentityFault? Fault, IResult? Answer) Arrive(IdentityEndpoint endpoint)
    {
        Hit(endpoint);
        IdentityFault? fault = Faults.Take(endpoint);
        if (fault is { Status: > 0 }) return (fault, Results.Text(fault.Body, "application/json", statusCode: fault.Status));
        return (fault, null);
    }

    private static IResult Json(JsonObject body, int status = 200) => Results.Text(body.ToJsonString(), "application/json", statusCode: status);

    /// <summary>The bearer token of an Authorization header, or null.</summary>
    private static string? Bearer(HttpRequest request)
    {
        string? auth = request.Headers.Authorization.FirstOrDefault();
        return auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    private static bool SecretEquals(string? given, string expected) =>
        given is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(expected));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _keys.Dispose();
    }
}
