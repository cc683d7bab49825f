using System.Collections;
using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Creates a CockroachDB Cloud CMEK key with Vault's Key Management engine and returns its region spec.</para>
/// <para type="description">With Vault Enterprise/HCP's keymgmt engine (mounted at -MountPath): creates the
/// KMS provider -KmsName when absent (needs -KeyCollection: the AWS region, the GCP key ring
/// projects/&lt;p&gt;/locations/&lt;l&gt;/keyRings/&lt;r&gt;, or the Azure Key Vault name; -ProviderCredential is
/// sent once and never read back), creates the key -Name when absent (aes256-gcm96 for AWS and GCP,
/// rsa-3072 for Azure, or -Type), distributes it to the provider with the purposes CockroachDB uses
/// (encrypt, decrypt; plus wrap, unwrap on Azure), reads the provider-side key name back
/// (&lt;name&gt;-&lt;unix timestamp&gt;) and builds the URI CockroachDB Cloud expects. Existing pieces are
/// reused, so running it again returns the same spec. Vault does not return everything a URI needs:
/// AWS needs -AwsAccountId (and -AwsKeyId when Vault gives no KMS key id, or -AwsUseAlias for the
/// alias ARN), Azure needs -Region; the error names the parameter to add. The output pipes into
/// Set-CrdbCmek -ClusterId.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbCmekKey", SupportsShouldProcess = true)]
[OutputType(typeof(CmekKeySpec))]
[InputErrorId("InvalidCmekKeyArgument")]
public sealed class NewCrdbCmekKeyCommand : VaultCmdlet
{
    /// <summary>The keymgmt key name in Vault (the provider-side name becomes &lt;Name&gt;-&lt;timestamp&gt;).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>The cloud KMS: awskms, gcpckms or azurekeyvault.</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("awskms", "gcpckms", "azurekeyvault")]
    [Input(InputKind.Choice)]
    public string Provider { get; set; } = "";

    /// <summary>The KMS provider resource in Vault (keymgmt/kms/&lt;KmsName&gt;); created when absent.</summary>
    [Parameter(Mandatory = true)]
    [Input(InputKind.NameSegment)]
    public string KmsName { get; set; } = "";

    /// <summary>Where the provider keeps keys (only to create the provider): AWS region, GCP key ring resource id, or Azure Key Vault name.</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 256)]
    public string? KeyCollection { get; set; }

    /// <summary>The cluster region (AWS: defaults to the key collection; GCP: to the key ring's location; Azure: required).</summary>
    [Parameter]
    [Input(InputKind.Region)]
    public string? Region { get; set; }

    /// <summary>Who CockroachDB Cloud acts as: AWS IAM role ARN, GCP service account e-mail, or Azure tenant ID.</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 512)]
    public string? AuthPrincipal { get; set; }

    /// <summary>Vault key type; default aes256-gcm96 (AWS, GCP) or rsa-3072 (Azure).</summary>
    [Parameter]
    [ValidateSet("aes256-gcm96", "rsa-2048", "rsa-3072", "rsa-4096")]
    [Input(InputKind.Choice)]
    public string? Type { get; set; }

    /// <summary>hsm (default) or software.</summary>
    [Parameter]
    [ValidateSet("hsm", "software")]
    [Input(InputKind.Choice)]
    public string Protection { get; set; } = "hsm";

    /// <summary>Where keymgmt is mounted. Default keymgmt.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "keymgmt";

    /// <summary>
    /// Provider credentials for a new provider (or to replace them): a hashtable of Vault's credential
    /// keys (@{ access_key = ...; secret_key = ... }, values as strings or SecureStrings), or a
    /// PSCredential (AWS: access key / secret key; Azure: client id / client secret, tenant from -AuthPrincipal).
    /// </summary>
    [Parameter]
    public object? ProviderCredential { get; set; }

    /// <summary>AWS: the 12-digit account that holds the KMS key (Vault does not return it).</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 64)]
    public string? AwsAccountId { get; set; }

    /// <summary>AWS: the KMS key id, when Vault's answer does not carry it.</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 128)]
    public string? AwsKeyId { get; set; }

    /// <summary>AWS: use the alias ARN (alias/hashicorp/&lt;name&gt;-&lt;timestamp&gt;) instead of the key ARN.</summary>
    [Parameter]
    public SwitchParameter AwsUseAlias { get; set; }

    /// <summary>Azure: the key version, when Vault's answer does not carry it.</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 64)]
    public string? AzureKeyVersion { get; set; }

    // Acts once, in EndProcessing: the connection is resolved there, after the checks that need none.
    protected override void ProcessCheckedRecord()
    {
    }

    protected override void EndProcessing()
    {
        CmekKeyRequest request = Checked(() =>
        {
            var req = new CmekKeyRequest
            {
                Name = Name,
                Provider = Provider,
                KmsName = KmsName,
                KeyCollection = KeyCollection,
                Region = Region,
                AuthPrincipal = AuthPrincipal ?? "",
                KeyType = Type,
                Protection = Protection,
                Credentials = Credentials(),
                AwsAccountId = AwsAccountId,
                AwsKeyId = AwsKeyId,
                AwsUseAlias = AwsUseAlias,
                AzureKeyVersion = AzureKeyVersion,
            };
            CmekKeys.Validate(req);
            return req;
        }, "InvalidCmekKeyArgument", Name);

        string mount = MountPath.Trim('/');
        string target = $"{mount}/kms/{KmsName}/key/{Name}";
        if (!ShouldProcess(target, $"Create keymgmt key '{Name}' and KMS provider '{KmsName}' ({Provider}) when absent, and distribute the key to it"))
            return;
        VaultClient client = ResolveSession().Client;
        var cmek = new CmekKeys(client, MountPath, VerboseSink.Write);
        CmekKeyResult r = Run(ct => cmek.CreateAsync(request, ct), target, null);
        WriteVerbose($"Key {mount}/key/{r.KeyName} ({r.KeyType}, version {r.KeyVersion}) " +
            $"is '{r.ProviderKeyName}' in {r.Provider} provider '{r.KmsName}' (purpose {string.Join(",", r.Purposes)}).");
        if (r.Note is not null)
        {
            if (r.Note.Contains("lacks purpose", StringComparison.Ordinal)) WriteWarning(r.Note);
            else WriteVerbose(r.Note);
        }
        WriteObject(CmekKeySpec.From(r.Spec));
    }

    private Dictionary<string, SecureString>? Credentials()
    {
        object? value = ProviderCredential is PSObject pso ? pso.BaseObject : ProviderCredential;
        switch (value)
        {
            case null:
                return null;
            case IDictionary table:
                var result = new Dictionary<string, SecureString>(StringComparer.Ordinal);
                foreach (DictionaryEntry e in table)
                {
                    // Keys are Vault's credential field names (access_key, client_secret, ...); values are secrets.
                    string key = Core.Validation.InputValidator.PathSegment(e.Key?.ToString(), "ProviderCredential key");
                    object? v = e.Value is PSObject p ? p.BaseObject : e.Value;
                    result[key] = v switch
                    {
                        SecureString s => s,
                        PSCredential c => c.Password,
                        null => throw new ArgumentException($"-ProviderCredential: '{key}' has no value.", nameof(ProviderCredential)),
                        _ => SecureStrings.From(v.ToString()),
                    };
                    Core.Validation.InputValidator.Secret(result[key], $"ProviderCredential '{key}'");
                }
                return result;
            case PSCredential cred:
                return Provider switch
                {
                    "awskms" => new() { ["access_key"] = SecureStrings.From(cred.UserName), ["secret_key"] = cred.Password },
                    "azurekeyvault" => new()
                    {
                        ["client_id"] = SecureStrings.From(cred.UserName),
                        ["client_secret"] = cred.Password,
                        ["tenant_id"] = SecureStrings.From(AuthPrincipal ?? ""),
                    },
                    _ => throw new ArgumentException("-ProviderCredential: GCP credentials are a service account file on the Vault server; " +
                        "pass @{ service_account_file = '/etc/vault/gcp-kms.json' }.", nameof(ProviderCredential)),
                };
            default:
                throw new ArgumentException("-ProviderCredential must be a hashtable of Vault credential keys (e.g. @{ access_key = '...'; " +
                    "secret_key = '...' }) or a PSCredential.", nameof(ProviderCredential));
        }
    }
}
