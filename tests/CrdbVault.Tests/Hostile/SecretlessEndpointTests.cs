using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// A hostile job environment against the secretless logins: the variables that say where a job's
/// bearer token goes (SYSTEM_OIDCREQUESTURI, ACTIONS_ID_TOKEN_REQUEST_URL, IDENTITY_ENDPOINT) must
/// never send it in the clear to another machine, nor to a host other than the one they name.
/// Nothing here sends a byte off the machine: the refusals come before any connection, and "another
/// host" is a second loopback listener.
/// </summary>
[Collection("sandbox")]
public sealed class SecretlessEndpointTests(SandboxFixture sandbox)
{
    [Theory]
    [InlineData("SYSTEM_OIDCREQUESTURI", "http://dev.azure.com/org/_apis/distributedtask/hubs/build/plans/1/jobs/2/oidctoken")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", "http://pipelines.actions.githubusercontent.com/abc/idtoken?api-version=2.0")]
    [InlineData("SYSTEM_OIDCREQUESTURI", "http://10.0.0.5:8080/oidc")]
    [InlineData("SYSTEM_OIDCREQUESTURI", "http://169.254.169.254/oidc")]
    [InlineData("IDENTITY_ENDPOINT", "http://10.1.2.3:8081/msi/token")]
    [InlineData("IDENTITY_ENDPOINT", "http://identity.example:8081/msi/token")]
    public void Plain_http_to_another_machine_is_refused_before_the_token_is_sent(string variable, string value)
    {
        var e = Assert.Throws<ExternalTokenUnavailableException>(() =>
            JobEnvironment.Endpoint(variable, value, linkLocalHttp: variable == "IDENTITY_ENDPOINT"));
        Assert.Equal(variable, e.TokenSource);
        Assert.Contains("plain http://", e.Message);
    }

    [Theory]
    [InlineData("SYSTEM_OIDCREQUESTURI", "https://dev.azure.com/org/_apis/oidctoken", false)]
    [InlineData("SYSTEM_OIDCREQUESTURI", "http://127.0.0.1:5000/oidc", false)]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_URL", "http://localhost:5000/idtoken?x=1", false)]
    [InlineData("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/MSI/token/", true)]
    [InlineData("IDENTITY_ENDPOINT", "http://169.254.129.3:8081/msi/token", true)]
    [InlineData("IDENTITY_ENDPOINT", "http://[::1]:42356/msi/token", true)]
    public void What_the_platforms_set_is_accepted(string variable, string value, bool linkLocalHttp) =>
        Assert.Equal(new Uri(value), JobEnvironment.Endpoint(variable, value, linkLocalHttp));

    [Theory]
    [InlineData("https://dev.azure.com//evil.example/x")]
    [InlineData("http://127.0.0.1:5000//127.0.0.2:5001/x")]
    [InlineData("https://user:pw@dev.azure.com/x")]
    [InlineData("ftp://dev.azure.com/x")]
    public void A_URL_that_names_another_host_in_its_path_or_has_user_info_is_refused(string value)
    {
        var e = Assert.Throws<ExternalTokenUnavailableException>(() => JobEnvironment.Endpoint("SYSTEM_OIDCREQUESTURI", value));
        Assert.DoesNotContain("pw", e.Message);
    }

    [Fact]
    public async Task A_path_starting_with_two_slashes_never_carries_the_bearer_to_the_host_it_names()
    {
        // "Another host": a listener on 127.0.0.2 that counts the connections it gets.
        var other = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        other.Start();
        try
        {
            int port = ((IPEndPoint)other.LocalEndpoint).Port;
            var identity = new Uri(sandbox.World.Identity.SystemOidcRequestUri);
            string hostile = $"{identity.GetLeftPart(UriPartial.Authority)}//127.0.0.2:{port}/oidctoken";
            using var job = new EnvironmentScope(new Dictionary<string, string?>
            {
                ["SYSTEM_OIDCREQUESTURI"] = hostile,
                ["SYSTEM_ACCESSTOKEN"] = sandbox.World.Identity.Facts.SystemAccessToken,
                ["CRDBVAULT_RETRY_DELAY_MS"] = "10",
            });
            using var ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = sandbox.World.VaultAddress });
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline").SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.False(other.Pending(), "the job's access token went to the host named in the path");

            // The pipeline itself refuses such a path whatever built it (a request made without JobEnvironment).
            var request = new ExternalTokenRequest(HttpMethod.Get, new Uri(hostile), "test")
            {
                Headers = [new("Authorization", "Bearer secret")],
            };
            await Assert.ThrowsAsync<InvalidOperationException>(() =>
                ExternalTokenClient.GetJsonAsync(new VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress) }, request, default));
            Assert.False(other.Pending(), "the pipeline sent a request to the host named in the path");
        }
        finally
        {
            other.Stop();
        }
    }

    private sealed class Answering(int status, string body) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Calls++;
            return Task.FromResult(new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    [Theory]
    [InlineData(500, "message")]
    [InlineData(401, "error_description")]
    [InlineData(403, "error")]
    public async Task An_endpoint_that_echoes_the_bearer_token_never_gets_it_into_the_error(int status, string field)
    {
        const string bearer = "c5FyNap9LKUMwLeC_e1XinSdYu4mPz2QrY8_AKAgtoA";
        const string header = "ni44OXvM3UtGxpBS0jwktpk_BMkrMNQ8reCj3ioYkEo";
        string body = $$"""{"{{field}}": "refused Authorization: Bearer {{bearer}} and X-IDENTITY-HEADER {{header}}"}""";
        using IDisposable hook = InternalHooks.UseHttpHandler(new Answering(status, body));
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri("https://dev.azure.com/org/oidctoken"), "SYSTEM_OIDCREQUESTURI")
        {
            Headers = [new("Authorization", "Bearer " + bearer), new("X-IDENTITY-HEADER", header)],
        };
        var e = await Assert.ThrowsAsync<ExternalTokenUnavailableException>(() =>
            ExternalTokenClient.GetJsonAsync(new VaultClientOptions { Address = new Uri("https://vault.example:8200"), MaxAttempts = 1 }, request, default));
        Assert.Contains("refused Authorization", e.Message); // the endpoint's words are still shown...
        Assert.DoesNotContain(bearer, e.Message); // ...without what we sent it
        Assert.DoesNotContain(header, e.Message);
    }

    [Theory]
    [InlineData("bad\r\n##vso[task.setvariable variable=PATH]/evil")]
    [InlineData("bad ##VSO[task.setsecret]x")]
    [InlineData("bad ##vso [task.complete result=Succeeded;]")]
    [InlineData("bad\u2028##vso[task.setvariable variable=X]y")]
    [InlineData("bad\u0085::set-env name=X::y")]
    [InlineData("bad\u202e\u200b##vso[task.uploadfile]/etc/passwd")]
    public async Task An_endpoint_cannot_put_a_logging_command_or_a_line_break_into_the_error(string words)
    {
        using IDisposable hook = InternalHooks.UseHttpHandler(new Answering(500, System.Text.Json.JsonSerializer.Serialize(new { message = words })));
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri("https://dev.azure.com/org/oidctoken"), "SYSTEM_OIDCREQUESTURI");
        var e = await Assert.ThrowsAsync<ExternalTokenUnavailableException>(() =>
            ExternalTokenClient.GetJsonAsync(new VaultClientOptions { Address = new Uri("https://vault.example:8200"), MaxAttempts = 1 }, request, default));
        Assert.Contains("bad", e.Message); // the endpoint's words are shown, defused
        Assert.DoesNotMatch("(?i)##vso\\[", e.Message);
        Assert.DoesNotContain(e.Message, c => c is '\r' or '\n' or '\u2028' or '\u0085' or '\u202e' or '\u200b');
    }

    [Fact]
    public void Server_text_keeps_ordinary_words() =>
        Assert.Equal("permission denied (## not a command [x])", ServerText.Printable("permission denied (## not a command [x])"));

    [Theory]
    [InlineData("SYSTEM_ACCESSTOKEN", "-AzureDevOps -Role pipeline")]
    [InlineData("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "-GitHubActions -Role deploy")]
    [InlineData("IDENTITY_HEADER", "-ManagedIdentity -Role automation -ResourceId $ResourceId")]
    public void A_job_secret_with_a_line_break_is_refused_before_it_is_sent(string variable, string login)
    {
        var identity = sandbox.World.Identity;
        using var job = new EnvironmentScope(new Dictionary<string, string?>
        {
            ["SYSTEM_OIDCREQUESTURI"] = identity.SystemOidcRequestUri,
            ["SYSTEM_ACCESSTOKEN"] = identity.Facts.SystemAccessToken,
            ["ACTIONS_ID_TOKEN_REQUEST_URL"] = identity.ActionsIdTokenRequestUrl,
            ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = identity.Facts.GitHubRequestToken,
            ["IDENTITY_ENDPOINT"] = identity.ManagedIdentityEndpoint,
            ["IDENTITY_HEADER"] = identity.Facts.IdentityHeader,
            ["CRDBVAULT_IMDS_ENDPOINT"] = null,
        });
        // What a step that maps a multi-line value, or a hostile one, puts there: the second line would be a header of its own.
        job.Set(variable, "job-secret-0123456789\r\nX-Evil: injected");
        using var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["ResourceId"] = identity.Facts.AutomationResourceId,
        });
        int before = Enum.GetValues<CrdbVault.Sandbox.Identity.IdentityEndpoint>().Sum(identity.Count);

        ErrorRecord e = ps.Run($"Connect-CrdbVault -Address $VaultAddress {login}").SingleError();

        Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
        Assert.Contains(variable, e.Exception.Message);
        Assert.DoesNotContain("job-secret", e.Exception.Message);
        Assert.Equal(before, Enum.GetValues<CrdbVault.Sandbox.Identity.IdentityEndpoint>().Sum(identity.Count));
    }

    [Fact]
    public async Task The_pipeline_never_sends_a_header_with_a_line_break()
    {
        var handler = new Answering(200, """{"oidcToken":"x"}""");
        using IDisposable hook = InternalHooks.UseHttpHandler(handler);
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri("https://dev.azure.com/org/oidctoken"), "test")
        {
            Headers = [new("Authorization", "Bearer a\r\nX-Evil: injected")],
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ExternalTokenClient.GetJsonAsync(new VaultClientOptions { Address = new Uri("https://vault.example:8200"), MaxAttempts = 1 }, request, default));
        Assert.Equal(0, handler.Calls);
    }
}
