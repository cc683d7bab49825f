using System.Text.Json;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>Which Azure resource a managed-identity login names (sent as the azure login's resource fields).</summary>
public sealed record AzureResourceNames(string? SubscriptionId, string? ResourceGroupName, string? VMName, string? VMScaleSetName, string? ResourceId);

/// <summary>
/// Azure managed identity on Vault's azure auth method (docs/secretless-logins.md). At every login an
/// access token for <see cref="Resource"/>: from IDENTITY_ENDPOINT when it is set (Azure Automation,
/// App Service, Functions; api-version 2019-08-01, Metadata: true and X-IDENTITY-HEADER when
/// IDENTITY_HEADER is set), else from instance metadata at ModuleSettings.ImdsEndpoint (a VM;
/// api-version 2018-02-01), which also gives subscription, resource group and VM name when they
/// were not passed. Then auth/&lt;mount&gt;/login {role, jwt, subscription_id, resource_group_name,
/// vm_name | vmss_name | resource_id}.
/// </summary>
public sealed class ManagedIdentityAuth : IVaultAuthMethod
{
    public const string DefaultMount = "azure";
    public const string DefaultResource = "https://management.azure.com/";

    public ManagedIdentityAuth(string role, AzureResourceNames names, string? clientId = null, string resource = DefaultResource, string mount = DefaultMount)
    {
        Role = InputValidator.PathSegment(role, "Role");
        ClientId = clientId is null ? null : InputValidator.PathSegment(clientId, "ClientId");
        Resource = InputValidator.FreeText(resource, "Resource", 512);
        Mount = InputValidator.VaultPath(mount, "AuthMount", "the auth mount such as 'azure'");
        if (names.ResourceId is string id && !id.StartsWith("/subscriptions/", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"-ResourceId '{ServerText.Printable(id)}' is not an Azure resource id. Pass the full id, such as " +
                "'/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Automation/automationAccounts/<name>'.", "ResourceId");
        foreach ((string name, string? value) in new[] { ("SubscriptionId", names.SubscriptionId), ("ResourceGroupName", names.ResourceGroupName),
            ("VMName", names.VMName), ("VMScaleSetName", names.VMScaleSetName) })
            if (value is not null) InputValidator.PathSegment(value, name);
        Names = WithNamesFromResourceId(names);
    }

    /// <summary>A resource id names its subscription and resource group: take them from it when they were not passed.</summary>
    private static AzureResourceNames WithNamesFromResourceId(AzureResourceNames names)
    {
        if (names.ResourceId is null) return names;
        string[] parts = names.ResourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string? Segment(string key)
        {
            int i = Array.FindIndex(parts, p => p.Equals(key, StringComparison.OrdinalIgnoreCase));
            return i >= 0 && i + 1 < parts.Length ? parts[i + 1] : null;
        }
        return names with
        {
            SubscriptionId = names.SubscriptionId ?? Segment("subscriptions"),
            ResourceGroupName = names.ResourceGroupName ?? Segment("resourceGroups"),
        };
    }

    public string Role { get; }
    public string? ClientId { get; }
    public string Resource { get; }
    public string Mount { get; }
    public AzureResourceNames Names { get; }
    public string Name => "managedidentity";
    public bool CanLogin => true;

    /// <summary>
    /// Without instance metadata (IDENTITY_ENDPOINT is set) nothing can fill in the resource: it must
    /// be passed. Throws ArgumentException naming the parameters.
    /// </summary>
    public void CheckNamesWithoutInstanceMetadata()
    {
        if (JobEnvironment.Read(JobEnvironment.IdentityEndpoint) is null) return;
        if (Names.ResourceId is not null || Names.VMName is not null || Names.VMScaleSetName is not null) return;
        if (Names.SubscriptionId is not null && Names.ResourceGroupName is not null) return;
        throw new ArgumentException("IDENTITY_ENDPOINT is set (Azure Automation, App Service or Functions): there is no instance metadata to learn " +
            "the resource from. Pass -ResourceId (the Automation account's or app's resource id), or -SubscriptionId and -ResourceGroupName.",
            "ResourceId");
    }

    public async Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct)
    {
        var body = new Dictionary<string, string> { ["role"] = Role };
        AzureResourceNames names = Names;
        if (JobEnvironment.Read(JobEnvironment.IdentityEndpoint) is string endpoint)
        {
            CheckNamesWithoutInstanceMetadata();
            body["jwt"] = await FromIdentityEndpointAsync(client.Options, endpoint, ct).ConfigureAwait(false);
        }
        else
        {
            Uri imds = ModuleSettings.ImdsEndpoint;
            body["jwt"] = await FromInstanceMetadataAsync(client.Options, imds, ct).ConfigureAwait(false);
            if (names.ResourceId is null && (names.SubscriptionId is null || names.ResourceGroupName is null
                || (names.VMName is null && names.VMScaleSetName is null)))
                names = await FillFromInstanceMetadataAsync(client.Options, imds, names, ct).ConfigureAwait(false);
        }
        if (names.SubscriptionId is not null) body["subscription_id"] = names.SubscriptionId;
        if (names.ResourceGroupName is not null) body["resource_group_name"] = names.ResourceGroupName;
        if (names.VMScaleSetName is not null) body["vmss_name"] = names.VMScaleSetName;
        else if (names.VMName is not null) body["vm_name"] = names.VMName;
        else if (names.ResourceId is not null) body["resource_id"] = names.ResourceId;
        return await VaultLogin.SendAsync(client, Name, $"auth/{Mount}/login", body, Role, ct).ConfigureAwait(false);
    }

    private async Task<string> FromIdentityEndpointAsync(VaultClientOptions options, string value, CancellationToken ct)
    {
        Uri endpoint = JobEnvironment.Endpoint(JobEnvironment.IdentityEndpoint, value, linkLocalHttp: true);
        string? header = JobEnvironment.ReadSecret(JobEnvironment.IdentityHeader);
        var headers = new List<KeyValuePair<string, string>> { new("Metadata", "true") };
        if (header is not null) headers.Add(new("X-IDENTITY-HEADER", header));
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri(endpoint.AbsoluteUri + (endpoint.Query.Length == 0 ? "?" : "&") + Query("2019-08-01")),
            JobEnvironment.IdentityEndpoint)
        {
            Headers = headers,
            RefusedAdvice = header is not null
                ? "The endpoint refused X-IDENTITY-HEADER: IDENTITY_HEADER is not the one this host set (it changes when the sandbox restarts; " +
                    "do not copy it between jobs)."
                : "IDENTITY_HEADER is not set, so the endpoint wants another proof: an Azure Arc-enabled server's key-file challenge, which " +
                    "this module does not support. On Arc, get a token yourself and use -Jwt on a jwt mount, or use Azure Automation or a VM.",
            UnreachableAdvice = "IDENTITY_ENDPOINT is set but does not answer; is the managed identity enabled on the Automation account or app?",
        };
        return ExternalTokenClient.TokenField(await ExternalTokenClient.GetJsonAsync(options, request, ct).ConfigureAwait(false), "access_token", request);
    }

    private async Task<string> FromInstanceMetadataAsync(VaultClientOptions options, Uri imds, CancellationToken ct)
    {
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri(imds, "/metadata/identity/oauth2/token?" + Query("2018-02-01")), "instance metadata")
        {
            Headers = [new("Metadata", "true")],
            UnreachableAdvice = NoInstanceMetadata,
        };
        return ExternalTokenClient.TokenField(await ExternalTokenClient.GetJsonAsync(options, request, ct).ConfigureAwait(false), "access_token", request);
    }

    private static async Task<AzureResourceNames> FillFromInstanceMetadataAsync(VaultClientOptions options, Uri imds, AzureResourceNames given,
        CancellationToken ct)
    {
        var request = new ExternalTokenRequest(HttpMethod.Get, new Uri(imds, "/metadata/instance?api-version=2021-02-01"), "instance metadata")
        {
            Headers = [new("Metadata", "true")],
            UnreachableAdvice = NoInstanceMetadata,
        };
        JsonElement answer = await ExternalTokenClient.GetJsonAsync(options, request, ct).ConfigureAwait(false);
        string? scaleSet = ExternalTokenClient.Text(answer, "compute", "vmScaleSetName");
        bool named = given.VMName is not null || given.VMScaleSetName is not null;
        return given with
        {
            SubscriptionId = given.SubscriptionId ?? ExternalTokenClient.Text(answer, "compute", "subscriptionId"),
            ResourceGroupName = given.ResourceGroupName ?? ExternalTokenClient.Text(answer, "compute", "resourceGroupName"),
            VMScaleSetName = named ? given.VMScaleSetName : scaleSet,
            VMName = named ? given.VMName : scaleSet is null ? ExternalTokenClient.Text(answer, "compute", "name") : null,
        };
    }

    private static readonly string NoInstanceMetadata = "This machine has no Azure instance metadata service (it is not an Azure VM). In Azure " +
        "Automation, App Service and Functions IDENTITY_ENDPOINT is set instead; where a proxy serves instance metadata, set " +
        ModuleSettings.ImdsEndpointVariable + ".";

    private string Query(string apiVersion) =>
        $"api-version={apiVersion}&resource={Uri.EscapeDataString(Resource)}" + (ClientId is null ? "" : "&client_id=" + Uri.EscapeDataString(ClientId));

    public override string ToString() => $"managedidentity role={Role} mount={Mount} resource={Resource}" + (ClientId is null ? "" : $" clientId={ClientId}");
}
