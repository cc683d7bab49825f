using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrdbVault.Core.Cloud;
using CrdbVault.Sandbox.Cloud;
using Xunit;

namespace CrdbVault.Tests.Cloud;

public sealed class ClientCaCertTests
{
    private const string Id = CloudTestKit.AwsCluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Set_answers_pending_then_the_wait_ends_IS_SET_with_the_pem()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        string pem = CloudTestKit.CaPem();
        var reports = new List<CloudWaitProgress<ClientCaCertInfo>>();

        ClientCaCertInfo submitted = await kit.Client.SetClientCaCertAsync(Id, pem);
        ClientCaCertInfo done = await kit.Client.WaitForClientCaCertAsync(Id, i => i.Status == ClientCaState.IsSet, Wait, new SyncProgress<CloudWaitProgress<ClientCaCertInfo>>(reports.Add));

        Assert.Equal(ClientCaState.Pending, submitted.Status);
        Assert.Equal("", submitted.X509PemCert); // empty while PENDING, as documented
        Assert.Equal(ClientCaState.IsSet, done.Status);
        Assert.Equal(pem, done.X509PemCert);
        Assert.Equal(Id, done.ClusterId);
        Assert.Contains(reports, r => r.Status == "PENDING");
        Assert.Equal("IS_SET", reports[^1].Status);
        Assert.InRange(kit.Server.MaxRequestsPerSecondObserved, 1, 10);
    }

    [Fact]
    public async Task Post_when_set_is_a_conflict_and_patch_replaces()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        await kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem("old CA"));
        await kit.Client.WaitForClientCaCertAsync(Id, null, Wait);

        var conflict = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem("new CA")));
        Assert.Equal(CloudErrorKind.Conflict, conflict.Kind);
        Assert.Equal(409, conflict.Status);
        Assert.Contains("PATCH", conflict.Message);

        // A bundle of old + new CA, as the docs suggest for a gradual rollover.
        string bundle = CloudTestKit.CaPem("old CA") + "\n" + CloudTestKit.CaPem("new CA");
        await kit.Client.UpdateClientCaCertAsync(Id, bundle);
        ClientCaCertInfo done = await kit.Client.WaitForClientCaCertAsync(Id, null, Wait);

        Assert.Equal(ClientCaState.IsSet, done.Status);
        Assert.Equal(bundle, done.X509PemCert);
    }

    [Fact]
    public async Task Patch_without_a_certificate_is_a_conflict_naming_the_cluster()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.UpdateClientCaCertAsync(Id, CloudTestKit.CaPem()));

        Assert.Equal(CloudErrorKind.Conflict, e.Kind);
        Assert.Equal("FAILED_PRECONDITION", e.CodeName);
        Assert.Contains(Id, e.Message);
        Assert.Contains("no client CA cert is set", e.CloudMessage);
    }

    [Fact]
    public async Task Delete_goes_to_NOT_SET_and_a_second_delete_is_already_done()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.FindCluster(Id)!.ClientCa.Seed(CloudTestKit.CaPem());

        ClientCaCertInfo submitted = await kit.Client.DeleteClientCaCertAsync(Id);
        ClientCaCertInfo done = await kit.Client.WaitForClientCaCertAsync(Id, i => i.Status == ClientCaState.NotSet, Wait);
        ClientCaCertInfo again = await kit.Client.DeleteClientCaCertAsync(Id);

        Assert.Equal(ClientCaState.Pending, submitted.Status);
        Assert.Equal(ClientCaState.NotSet, done.Status);
        Assert.Equal("", done.X509PemCert);
        Assert.Equal(ClientCaState.NotSet, again.Status);
        Assert.Contains(kit.Server.Requests, r => r.Method == "DELETE" && r.Status == 404);
    }

    [Fact]
    public async Task A_failed_change_throws_naming_the_cluster()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.FailNextClientCaChange(Id);

        await kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem());
        var e = await Assert.ThrowsAsync<CloudOperationFailedException>(() => kit.Client.WaitForClientCaCertAsync(Id, null, Wait));

        Assert.Equal(Id, e.ClusterId);
        Assert.Contains(Id, e.Message);
        Assert.Contains("FAILED", e.Message);
    }

    [Fact]
    public async Task Running_out_of_time_says_the_change_goes_on_and_how_to_check()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync(new CloudDoubleOptions { TransitionDelay = TimeSpan.FromSeconds(30) });
        await kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem());

        var e = await Assert.ThrowsAsync<CloudOperationTimeoutException>(() => kit.Client.WaitForClientCaCertAsync(Id, null, TimeSpan.FromMilliseconds(300)));

        Assert.Equal("PENDING", e.LastStatus);
        Assert.Contains("continues on the CockroachDB Cloud side", e.Message);
        Assert.Contains("Get-CrdbClientCaCert -ClusterId " + Id, e.Message);
        // At least the timeout; an upper bound would be a bet on the machine's load. LastStatus PENDING
        // already shows it gave up long before the 30 s transition ended.
        Assert.True(e.Waited >= TimeSpan.FromMilliseconds(250), $"gave up after {e.Waited}, before the 300 ms timeout");
    }

    [Fact]
    public async Task Cancelling_during_the_wait_stops_it_promptly()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync(new CloudDoubleOptions { TransitionDelay = TimeSpan.FromSeconds(30) });
        await kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem());
        using var cts = new CancellationTokenSource();
        var polled = new TaskCompletionSource();
        var progress = new SyncProgress<CloudWaitProgress<ClientCaCertInfo>>(p => { if (p.Polls >= 2) polled.TrySetResult(); });

        Task wait = kit.Client.WaitForClientCaCertAsync(Id, null, TimeSpan.FromMinutes(5), progress, cts.Token);
        await polled.Task.WaitAsync(TimeSpan.FromMinutes(1));
        cts.Cancel();

        // A wait that ignored the token would go on until IS_SET (30 s) and return normally; a prompt
        // stop ends in OperationCanceledException while the change is still PENDING.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
        Assert.True((await kit.Client.GetClientCaCertAsync(Id)).IsPending);
    }

    [Fact]
    public async Task The_Cloud_rejects_a_certificate_that_is_not_a_CA()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();

        var e = await Assert.ThrowsAsync<CloudApiException>(() => kit.Client.SetClientCaCertAsync(Id, CloudTestKit.CaPem("leaf", isCa: false)));

        Assert.Equal(CloudErrorKind.InvalidRequest, e.Kind);
        Assert.Equal("INVALID_ARGUMENT", e.CodeName);
        Assert.Contains("not a CA certificate", e.Message);
    }

    [Fact]
    public async Task A_private_key_never_leaves_the_client()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        string withKey = CloudTestKit.CaPem() + "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";

        var e = await Assert.ThrowsAsync<ArgumentException>(() => kit.Client.SetClientCaCertAsync(Id, withKey));

        Assert.Contains("private key", e.Message);
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task The_double_itself_rejects_keys_and_garbage_with_INVALID_ARGUMENT()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        using var http = new HttpClient { BaseAddress = kit.Server.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", kit.Server.ApiKey);

        foreach (string pem in new[] { "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", "hello", "" })
        {
            using var body = new StringContent(JsonSerializer.Serialize(new { x509_pem_cert = pem }), Encoding.UTF8, "application/json");
            using HttpResponseMessage r = await http.PostAsync($"api/v1/clusters/{Id}/client-ca-cert", body);
            using JsonDocument error = JsonDocument.Parse(await r.Content.ReadAsStringAsync());

            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal(3, error.RootElement.GetProperty("code").GetInt32());
            Assert.Equal(JsonValueKind.Array, error.RootElement.GetProperty("details").ValueKind);
        }
    }
}

/// <summary>IProgress that reports on the caller's thread, so assertions see every report.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
