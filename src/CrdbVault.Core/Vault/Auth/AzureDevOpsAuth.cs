using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// Azure DevOps workload identity (docs/secretless-logins.md): at every login, POST
/// SYSTEM_OIDCREQUESTURI?api-version=7.1[&amp;serviceConnectionId=id] with the job's access token,
/// then auth/&lt;mount&gt;/login {role, jwt}. Without a service connection the token is the pipeline's
/// own (vstoken issuer, org_id/prj_id/def_id claims); with one, the connection's (vstoken or Entra
/// issuer, depending on how it was created). The tokens live minutes, so nothing is kept.
/// </summary>
public sealed class AzureDevOpsAuth : IVaultAuthMethod
{
    public const string DefaultMount = "jwt-azuredevops";

    public AzureDevOpsAuth(string role, string? serviceConnectionId = null, string mount = DefaultMount)
    {
        Role = InputValidator.PathSegment(role, "Role");
        ServiceConnectionId = serviceConnectionId is null ? null : InputValidator.PathSegment(serviceConnectionId, "ServiceConnectionId");
        Mount = InputValidator.VaultPath(mount, "AuthMount", "the auth mount such as 'jwt-azuredevops'");
    }

    public string Role { get; }
    public string? ServiceConnectionId { get; }
    public string Mount { get; }
    public string Name => "azuredevops";
    public bool CanLogin => true;

    public async Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct)
    {
        string jwt = await FetchTokenAsync(client.Options, ct).ConfigureAwait(false);
        return await VaultLogin.SendAsync(client, Name, $"auth/{Mount}/login", new Dictionary<string, string> { ["role"] = Role, ["jwt"] = jwt }, Role, ct)
            .ConfigureAwait(false);
    }

    private async Task<string> FetchTokenAsync(VaultClientOptions options, CancellationToken ct)
    {
        string uri = JobEnvironment.Read(JobEnvironment.SystemOidcRequestUri) ?? throw new ExternalTokenUnavailableException(
            "SYSTEM_OIDCREQUESTURI is not set: this is not an Azure DevOps pipeline job (the agent sets it for every job). Outside a pipeline, " +
            "log in another way (-ManagedIdentity, -Jwt, -Credential).", JobEnvironment.SystemOidcRequestUri);
        string access = JobEnvironment.ReadSecret(JobEnvironment.SystemAccessToken) ?? throw new ExternalTokenUnavailableException(
            "SYSTEM_ACCESSTOKEN is not set: Azure DevOps gives a script the job's access token only when the step maps it. Add to the step: " +
            "`env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`.", JobEnvironment.SystemAccessToken);
        Uri endpoint = JobEnvironment.Endpoint(JobEnvironment.SystemOidcRequestUri, uri);
        string query = (endpoint.Query.Length == 0 ? "?" : "&") + "api-version=7.1"
            + (ServiceConnectionId is null ? "" : "&serviceConnectionId=" + Uri.EscapeDataString(ServiceConnectionId));
        var request = new ExternalTokenRequest(HttpMethod.Post, new Uri(endpoint.AbsoluteUri + query), JobEnvironment.SystemOidcRequestUri)
        {
            Headers = [new("Authorization", "Bearer " + access)],
            RefusedAdvice = "SYSTEM_ACCESSTOKEN is not this job's access token: map it with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`" +
                (ServiceConnectionId is null ? "." : ", and allow the pipeline to use the service connection."),
        };
        var answer = await ExternalTokenClient.GetJsonAsync(options, request, ct).ConfigureAwait(false);
        return ExternalTokenClient.TokenField(answer, "oidcToken", request);
    }

    public override string ToString() =>
        $"azuredevops role={Role} mount={Mount}" + (ServiceConnectionId is null ? "" : $" serviceConnectionId={ServiceConnectionId}");
}
