using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CrdbVault.Core.Cloud;
using CrdbVault.Sandbox;
using Xunit;

namespace CrdbVault.Tests.Cloud;

/// <summary>The double's transport conventions, seen with a bare HttpClient (no module code in between).</summary>
public sealed class CloudApiDoubleTests
{
    [Theory]
    [InlineData(null, "2024-09-16", "/api/v1/clusters/" + CloudTestKit.AwsCluster, 401, 16)]
    [InlineData("right", "latest", "/api/v1/clusters/" + CloudTestKit.AwsCluster, 400, 3)]
    [InlineData("right", "2024-09-16", "/api/v1/nothing-here", 404, 5)]
    [InlineData("right", null, "/api/v1/clusters/" + CloudTestKit.AwsCluster + "/cmek", 404, 5)]
    public async Task Errors_have_the_grpc_gateway_shape(string? key, string? ccVersion, string path, int status, int code)
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        using var http = new HttpClient { BaseAddress = kit.Server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", kit.Server.ApiKey);
        if (ccVersion is not null) request.Headers.Add("Cc-Version", ccVersion);

        using HttpResponseMessage response = await http.SendAsync(request);
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal(code, body.RootElement.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Array, body.RootElement.GetProperty("details").ValueKind);
        Assert.Equal(status, kit.Server.Requests.Single().Status);
    }

    [Fact]
    public async Task A_change_refused_with_429_is_sent_again_because_it_was_never_processed()
    {
        await using CloudTestKit kit = await CloudTestKit.StartAsync();
        kit.Server.Faults.Add(new Fault { Method = "POST", PathPrefix = "/api/v1/clusters/", Status = 429, RetryAfterSeconds = 1 });

        ClientCaCertInfo info = await kit.Client.SetClientCaCertAsync(CloudTestKit.AwsCluster, CloudTestKit.CaPem());

        Assert.Equal(ClientCaState.Pending, info.Status);
        Assert.Equal([429, 200], kit.Server.Requests.Where(r => r.Method == "POST").Select(r => r.Status));
    }
}
