using System.Net;
using System.Text;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// A Vault (or whatever answers at its address) that redirects: the client follows one 307, as Vault's
/// standbys need, but the token must never be carried in clear text to another machine. Connecting to a
/// plain-http Vault on this machine draws no warning, so a 307 from there to plain http elsewhere would
/// hand the token over silently. A scripted handler answers: nothing leaves the machine.
/// </summary>
public sealed class VaultRedirectTests
{
    private sealed class Redirecting(string location) : HttpMessageHandler
    {
        public List<Uri> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Seen.Add(request.RequestUri!);
            if (Seen.Count == 1)
            {
                var redirect = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
                redirect.Headers.Location = new Uri(location);
                return Task.FromResult(redirect);
            }
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"data":{"ok":"yes"}}""", Encoding.UTF8, "application/json"),
            });
        }
    }

    private static async Task<(Redirecting Handler, Exception? Error)> ReadThroughRedirect(string vault, string location)
    {
        var handler = new Redirecting(location);
        using IDisposable hook = InternalHooks.UseHttpHandler(handler);
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(vault), MaxAttempts = 1 });
        Exception? error = await Record.ExceptionAsync(() => client.ReadAsync("secret/data/x", default));
        return (handler, error);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8200", "http://10.9.8.7:8200/v1/secret/data/x")]
    [InlineData("http://localhost:8200", "http://vault-active.example:8200/v1/secret/data/x")]
    [InlineData("https://vault.example:8200", "http://vault-active.example:8200/v1/secret/data/x")]
    public async Task A_redirect_to_plain_http_on_another_machine_is_not_followed(string vault, string location)
    {
        (Redirecting handler, Exception? error) = await ReadThroughRedirect(vault, location);
        Assert.IsType<VaultApiException>(error);
        Assert.Contains("refusing to send the token unencrypted", error!.Message);
        Assert.Single(handler.Seen);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8200", "http://127.0.0.1:8202/v1/secret/data/x")] // a dev cluster's standby on this machine
    [InlineData("https://vault-1.example:8200", "https://vault-2.example:8200/v1/secret/data/x")] // a standby to the active node
    [InlineData("http://10.0.0.5:8200", "http://10.0.0.6:8200/v1/secret/data/x")] // already plain http elsewhere: warned at connect
    public async Task A_standby_redirect_that_exposes_nothing_new_is_followed_once(string vault, string location)
    {
        (Redirecting handler, Exception? error) = await ReadThroughRedirect(vault, location);
        Assert.Null(error);
        Assert.Equal([new Uri(vault + "/v1/secret/data/x"), new Uri(location)], handler.Seen);
    }
}
