using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Infrastructure;

/// <summary>
/// One sandbox (PostgreSQL + Vault double) per test run, shared by every test in the "sandbox"
/// collection. Tests must not depend on each other's state: use <see cref="Unique"/> for mounts,
/// roles and policies, and remove faults they add.
/// </summary>
public sealed class SandboxFixture : IAsyncLifetime
{
    private SandboxWorld? _world;

    public SandboxWorld World => _world ?? throw new InvalidOperationException("The sandbox did not start.");

    public async Task InitializeAsync()
    {
        _world = await SandboxWorld.StartAsync(new SandboxOptions { ExpirySweepInterval = TimeSpan.FromMilliseconds(100) });
    }

    public async Task DisposeAsync()
    {
        if (_world is not null) await _world.DisposeAsync();
    }

    private static int _counter;

    /// <summary>A name no other test uses: lower case, safe as a mount, role, policy or SQL name.</summary>
    public static string Unique(string prefix) => $"{prefix}{Interlocked.Increment(ref _counter)}x{Random.Shared.Next(1000, 9999)}";

    /// <summary>Sends one raw request to the Vault double (method may be "LIST").</summary>
    public async Task<VaultHttpResult> SendAsync(string method, string path, string? token = null, object? body = null, IDictionary<string, string>? headers = null)
    {
        using HttpClient client = World.Vault.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.TrimStart('/'));
        if (token is not null) request.Headers.Add("X-Vault-Token", token);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        if (body is not null)
        {
            string json = body is JsonNode node ? node.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using HttpResponseMessage response = await client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new VaultHttpResult(response.StatusCode, text, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject, response.Headers);
    }

    /// <summary>Root-token shorthand.</summary>
    public Task<VaultHttpResult> RootAsync(string method, string path, object? body = null) => SendAsync(method, path, World.RootToken, body);

    /// <summary>Does a role of this exact name exist in the sandbox PostgreSQL?</summary>
    public async Task<bool> PgRoleExistsAsync(string name)
    {
        await using var conn = new NpgsqlConnection(World.Postgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = $1", conn);
        cmd.Parameters.AddWithValue(name);
        return (long)(await cmd.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Waits until <paramref name="condition"/> holds or the time is up.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        DateTime end = DateTime.UtcNow + within;
        while (DateTime.UtcNow < end)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return await condition();
    }
}

/// <summary>Status, text and parsed JSON of one answer.</summary>
public sealed record VaultHttpResult(HttpStatusCode Status, string Text, JsonObject? Json, HttpResponseHeaders Headers)
{
    public JsonNode? Data => Json?["data"];
    public IReadOnlyList<string> Errors => Json?["errors"] is JsonArray a ? [.. a.Select(e => e!.GetValue<string>())] : [];
    public int Code => (int)Status;
}

[CollectionDefinition("sandbox")]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>;
