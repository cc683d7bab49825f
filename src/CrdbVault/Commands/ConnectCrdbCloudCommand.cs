using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Connects to the CockroachDB Cloud API and makes the connection the session default.</para>
/// <para type="description">Uses a service account's API key (-ApiKey, else COCKROACH_API_KEY) and the
/// server (-ServerUrl, else COCKROACH_SERVER, else https://cockroachlabs.cloud), as ccloud and the
/// Terraform provider do. Every request sends Cc-Version 2024-09-16 and stays under the API's limit of
/// 10 requests per second. The key is verified with GET /api/v1/organization: a rejected key is an
/// error here rather than at the first change; a key whose service account has only cluster-scoped
/// roles is accepted (the organization is then not shown). The returned CloudConnection shows the
/// key's public ID at most, never the key.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CrdbCloud")]
[OutputType(typeof(CloudConnection))]
public sealed class ConnectCrdbCloudCommand : CrdbCmdlet
{
    /// <summary>The service account's API key. Default: COCKROACH_API_KEY.</summary>
    [Parameter(Position = 0)]
    [Input(InputKind.Secret, ErrorId = "InvalidCloudApiKey")]
    public SecureString? ApiKey { get; set; }

    /// <summary>The Cloud API address. Default: COCKROACH_SERVER, then https://cockroachlabs.cloud.</summary>
    [Parameter]
    [Input(InputKind.ServiceUrl, ErrorId = "InvalidCloudServer")]
    public string? ServerUrl { get; set; }

    /// <summary>Per-request timeout (default 60 s). Waits for CMEK and client CA changes have their own -TimeoutSeconds.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Timeout { get; set; }

    /// <summary>Do not call the API to check the key (e.g. the proxy allows only cluster paths).</summary>
    [Parameter]
    public SwitchParameter SkipVerify { get; set; }

    /// <summary>Return the connection without making it the session default.</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    protected override void EndProcessing()
    {
        string? fromEnv = NullIfEmpty(Environment.GetEnvironmentVariable("COCKROACH_SERVER"));
        string server = ServerUrl ?? fromEnv ?? CloudClientOptions.DefaultServer;
        Uri uri = Checked(() => InputValidator.ServiceUrl(server, ServerUrl is null && fromEnv is not null ? "ServerUrl (COCKROACH_SERVER)" : "ServerUrl",
            CloudClientOptions.DefaultServer), "InvalidCloudServer", UrlRedaction.Redact(server));
        // The bearer key must not cross a network in clear text; plain http is for a local test double only.
        if (PlaintextTransport.ExposesSecrets(uri))
            ThrowInvalidArgument($"-ServerUrl '{uri.GetLeftPart(UriPartial.Authority)}' uses http: the API key would travel unencrypted. " +
                $"Use https (default '{CloudClientOptions.DefaultServer}').", "InvalidCloudServer", uri.GetLeftPart(UriPartial.Authority));

        SecureString? key = ApiKey;
        string source = "parameter";
        if (key is null)
        {
            string? keyFromEnv = NullIfEmpty(Environment.GetEnvironmentVariable("COCKROACH_API_KEY"));
            if (keyFromEnv is not null)
            {
                key = SecureStrings.From(keyFromEnv.Trim());
                source = "COCKROACH_API_KEY";
                Checked(() => { InputValidator.Secret(key, "ApiKey (COCKROACH_API_KEY)"); return true; }, "InvalidCloudApiKey", null);
            }
        }
        if (key is null || key.Length == 0)
            ThrowMapped(new NotConnectedException("No CockroachDB Cloud API key: pass -ApiKey (a SecureString) or set COCKROACH_API_KEY to the secret key of " +
                "a service account (Cloud Console → Organization → Access Management → Service Accounts → Create API key)."), null, "CloudMissingApiKey");

        string? hint = CloudConnection.HintFor(SecureStrings.Reveal(key!));
        var client = new CloudApiClient(new CloudClientOptions
        {
            ServerUrl = uri,
            ApiKey = key!,
            Timeout = Timeout ?? TimeSpan.FromSeconds(60),
            Trace = VerboseSink.Write,
        });
        WriteVerbose($"Connecting to {uri.GetLeftPart(UriPartial.Authority)} with API key {hint ?? "(no public ID)"} from the {source}; " +
            $"Cc-Version {CloudApiClient.ApiVersion}.");

        string? orgId = null, orgName = null;
        bool verified = false;
        if (!SkipVerify)
        {
            try
            {
                CloudOrganization org = Await(ct => client.GetOrganizationAsync(ct));
                (orgId, orgName, verified) = (org.Id, org.Name, true);
                WriteVerbose($"The key is accepted; organization '{org.Name}' ({org.Id}).");
            }
            catch (CloudApiException e) when (e.Kind == CloudErrorKind.PermissionDenied)
            {
                verified = true; // authenticated; the service account simply has no organization-scoped role
                WriteVerbose("The key is accepted; its service account has no organization-scoped role, so the organization is not shown.");
            }
            catch (CloudApiException e) when (e.Kind == CloudErrorKind.NotFound)
            {
                WriteWarning($"Could not verify the API key: {uri.GetLeftPart(UriPartial.Authority)} has no /api/v1/organization. " +
                    $"Is -ServerUrl the CockroachDB Cloud API? The first call will tell.");
            }
            catch (Exception ex) when (ex is not PipelineStoppedException)
            {
                client.Dispose();
                ThrowMapped(ex, uri.GetLeftPart(UriPartial.Authority));
            }
        }
        var connection = new CloudConnection(client, hint, orgId, orgName, verified);
        if (!NoDefault) ConnectionStore.Cloud = connection;
        WriteObject(connection);
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
