using System.Management.Automation;
using CrdbVault.Infrastructure;
using CoreSpec = CrdbVault.Core.Keys.CmekKeySpec;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Builds a validated CMEK region spec by hand, for keys made outside Vault.</para>
/// <para type="description">Checks the region name (in the key's cloud spelling), the URI shape for the
/// type (AWS key ARN, GCP projects/.../cryptoKeys/..., Azure https://&lt;vault&gt;.vault.azure.net/keys/&lt;name&gt;/&lt;version&gt;)
/// and that the principal fits it (AWS IAM role ARN, GCP service account e-mail, Azure tenant ID), and
/// says what to write instead when something is off. The result pipes into Set-CrdbCmek -ClusterId,
/// like New-CrdbCmekKey's. Changes nothing.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbCmekRegionSpec")]
[OutputType(typeof(CmekKeySpec))]
public sealed class NewCrdbCmekRegionSpecCommand : CrdbCmdlet
{
    /// <summary>The cluster region: us-east-1 (AWS), us-central1 (GCP), eastus (Azure).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Region { get; set; } = "";

    /// <summary>AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CmekTypeCompleter))]
    public string Type { get; set; } = "";

    /// <summary>The key's ARN / resource name / key identifier URL.</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    public string Uri { get; set; } = "";

    /// <summary>AWS IAM role ARN, GCP service account e-mail, or Azure tenant ID.</summary>
    [Parameter(Mandatory = true, Position = 3, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    public string AuthPrincipal { get; set; } = "";

    protected override void ProcessRecord()
    {
        CoreSpec spec;
        try
        {
            spec = CoreSpec.Create(Region, Type, Uri, AuthPrincipal);
        }
        catch (ArgumentException ex)
        {
            // One bad pipeline item must not stop the others.
            WriteError(new ErrorRecord(new ArgumentException(ErrorMapper.WithoutParameterSuffix(ex.Message)), "InvalidCmekRegionSpec", ErrorCategory.InvalidArgument, Region));
            return;
        }
        WriteObject(new CmekKeySpec { Region = spec.Region, Type = spec.TypeName, Uri = spec.Uri, AuthPrincipal = spec.AuthPrincipal });
    }
}
