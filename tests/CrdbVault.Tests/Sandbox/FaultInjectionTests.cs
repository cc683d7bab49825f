using System.Net;
using System.Net.Http.Json;
using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// Faults the doubles inject so the client's retry, timeout, redirect and unknown-outcome logic can
/// be tested (and, through serve's --faults file, tried by hand: ServeTests).
/// </summary>
[Collection("sandbox")]
public sealed class FaultInjectionTests(SandboxFixture sandbox)
{
    private FaultInjector Faults => sandbox.World.Options.Faults;

    [Fact]
    public async Task Status_with_errors_and_retry_after_then_normal()
    {
        try
        {
            Fault f = Faults.Add(new Fault { PathPrefix = "sys/health", Status = 429, Errors = ["rate limit quota exceeded"], RetryAfterSeconds = 2, Times = 1 });
            var first = await sandbox.SendAsync("GET", "sys/health");
            Assert.Equal((HttpStatusCode)429, first.Status);
            Assert.Equal("rate limit quota exceeded", first.Errors[0]);
            Assert.Equal(TimeSpan.FromSeconds(2), first.Headers.RetryAfter!.Delta);
            Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/health")).Status);
            Assert.Equal(1, f.Hits);
        }
        finally { Faults.Clear(); }
    }

    [Fact]
    public async Task After_execution_the_work_is_done_but_the_client_sees_an_error()
    {
        string name = SandboxFixture.Unique("after");
        try
        {
            Faults.Add(new Fault { Method = "PUT", PathPrefix = $"sys/policies/acl/{name}", Status = 503, Errors = ["Vault is sealed"], AfterExecution = true });
            var r = await sandbox.RootAsync("PUT", $"sys/policies/acl/{name}", new { policy = "path \"x\" { capabilities = [\"read\"] }" });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status);
            Assert.Equal(HttpStatusCode.OK, (await sandbox.RootAsync("GET", $"sys/policies/acl/{name}")).Status);
        }
        finally { Faults.Clear(); }
    }

    [Fact]
    public async Task Drop_and_delay()
    {
        try
        {
            Faults.Add(new Fault { PathPrefix = "sys/health", Drop = true });
            await Assert.ThrowsAsync<HttpRequestException>(() => sandbox.SendAsync("GET", "sys/health"));

            // A delay holds the answer back: once the double has taken the request (the fault's hit),
            // the answer is still outstanding, a minute away; the client gives up by itself.
            Fault held = Faults.Add(new Fault { PathPrefix = "sys/health", Delay = TimeSpan.FromMinutes(1) });
            using (var http = new HttpClient { BaseAddress = new Uri(sandbox.World.VaultAddress) })
            using (var giveUp = new CancellationTokenSource())
            {
                Task<HttpResponseMessage> waiting = http.GetAsync("v1/sys/health", giveUp.Token);
                Assert.True(SpinWait.SpinUntil(() => held.Hits == 1 || waiting.IsCompleted, TimeSpan.FromMinutes(1)), "the request never reached the double");
                Assert.False(waiting.IsCompleted, "the answer came without the delay");
                await giveUp.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            }

            // Used up, the fault lets the next request through at once.
            Assert.Equal(HttpStatusCode.OK, (await sandbox.SendAsync("GET", "sys/health")).Status);
            Assert.Equal(1, held.Hits);
        }
        finally { Faults.Clear(); }
    }

    [Fact]
    public async Task Cloud_after_execution_drop_makes_the_change_but_the_client_never_hears_of_it()
    {
        string cluster = Guid.NewGuid().ToString();
        sandbox.World.Cloud.AddCluster(cluster, "fault", "AWS", "ADVANCED", "us-east-1");
        using var cloud = CloudClient();
        string ca = File.ReadAllText(sandbox.World.Postgres.CaCertificatePath);
        try
        {
            Fault f = Faults.Add(new Fault { Method = "POST", PathPrefix = $"/api/v1/clusters/{cluster}/client-ca-cert", AfterExecution = true, Drop = true });
            await Assert.ThrowsAsync<HttpRequestException>(() => cloud.PostAsJsonAsync($"api/v1/clusters/{cluster}/client-ca-cert", new { x509_pem_cert = ca }));
            Assert.Equal(1, f.Hits);
            // The unknown outcome: the change went through.
            var state = await cloud.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"api/v1/clusters/{cluster}/client-ca-cert");
            Assert.Contains(state!["status"]!.GetValue<string>(), new[] { "PENDING", "IS_SET" });
        }
        finally { Faults.Clear(); }
    }

    [Fact]
    public async Task Cloud_after_execution_delay_without_a_status_sends_the_real_answer_late()
    {
        using var cloud = CloudClient();
        try
        {
            Fault f = Faults.Add(new Fault { Method = "GET", PathPrefix = "/api/v1/organization", AfterExecution = true, Delay = TimeSpan.FromMilliseconds(50) });
            using HttpResponseMessage r = await cloud.GetAsync("api/v1/organization");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Contains("\"id\"", await r.Content.ReadAsStringAsync());
            Assert.Equal(1, f.Hits);
        }
        finally { Faults.Clear(); }
    }

    private HttpClient CloudClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(sandbox.World.CloudAddress) };
        client.DefaultRequestHeaders.Add("Authorization", "Bearer " + sandbox.World.CloudApiKey);
        return client;
    }

    [Fact]
    public async Task Redirect_points_to_the_same_server_once()
    {
        try
        {
            Faults.Add(new Fault { PathPrefix = "auth/token/lookup-self", Redirect = true });
            var first = await sandbox.RootAsync("GET", "auth/token/lookup-self");
            Assert.Equal(HttpStatusCode.TemporaryRedirect, first.Status);
            Uri location = first.Headers.Location!;
            Assert.Equal(sandbox.World.VaultAddress + "/v1/auth/token/lookup-self", location.ToString());
            using HttpClient client = sandbox.World.Vault.CreateClient(sandbox.World.RootToken);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(location)).StatusCode);
        }
        finally { Faults.Clear(); }
    }
}
