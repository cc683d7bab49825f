using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// GitHub Actions OIDC (docs/secretless-logins.md): at every login, GET
/// ACTIONS_ID_TOKEN_REQUEST_URL[&amp;audience=aud] with ACTIONS_ID_TOKEN_REQUEST_TOKEN, then
/// auth/&lt;mount&gt;/login {role, jwt}. Both variables exist only in jobs with
/// <c>permissions: id-token: write</c>.
/// </summary>
public sealed class GitHubActionsAuth : IVaultAuthMethod
{
    public const string DefaultMount = "jwt-github";

    private const string PermissionFix = "Give the job `permissions: id-token: write` (GitHub then sets ACTIONS_ID_TOKEN_REQUEST_URL and " +
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN); workflows triggered from forks never get them.";

    public GitHubActionsAuth(string role, string? audience = null, string mount = DefaultMount)
    {
        Role = InputValidator.PathSegment(role, "Role");
        Audience = audience is null ? null : InputValidator.FreeText(audience, "Audience", 512);
        Mount = InputValidator.VaultPath(mount, "AuthMount", "the auth mount such as 'jwt-github'");
    }

    public string Role { get; }
    public string? Audience { get; }
    public string Mount { get; }
    public string Name => "githubactions";
    public bool CanLogin => true;

    public async Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct)
    {
        string url = JobEnvironment.Read(JobEnvironment.ActionsIdTokenRequestUrl) ?? throw new ExternalTokenUnavailableException(
            "ACTIONS_ID_TOKEN_REQUEST_URL is not set: this is not a GitHub Actions job, or the job may not ask for an OIDC token. " + PermissionFix,
            JobEnvironment.ActionsIdTokenRequestUrl);
        string bearer = JobEnvironment.ReadSecret(JobEnvironment.ActionsIdTokenRequestToken) ?? throw new ExternalTokenUnavailableException(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set. " + PermissionFix, JobEnvironment.ActionsIdTokenRequestToken);
        Uri endpoint = JobEnvironment.Endpoint(JobEnvironment.ActionsIdTokenRequestUrl, url);
        string audience = Audience is null ? "" : (endpoint.Query.Length == 0 ? "?" : "&") + "audience=" + Uri.EscapeDataString(Audience);
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri(endpoint.AbsoluteUri + audience), JobEnvironment.ActionsIdTokenRequestUrl)
        {
            Headers = [new("Authorization", "Bearer " + bearer)],
            RefusedAdvice = "ACTIONS_ID_TOKEN_REQUEST_TOKEN is not this job's request token (it is valid only inside the job that received it).",
        };
        var answer = await ExternalTokenClient.GetJsonAsync(client.Options, request, ct).ConfigureAwait(false);
        string jwt = ExternalTokenClient.TokenField(answer, "value", request);
        return await VaultLogin.SendAsync(client, Name, $"auth/{Mount}/login", new Dictionary<string, string> { ["role"] = Role, ["jwt"] = jwt }, Role, ct)
            .ConfigureAwait(false);
    }

    public override string ToString() => $"githubactions role={Role} mount={Mount}" + (Audience is null ? "" : $" audience={Audience}");
}
