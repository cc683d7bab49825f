using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

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
[InputErrorId("InvalidCmekRegionSpec")]
public sealed class NewCrdbCmekRegionSpecCommand : CrdbCmdlet
{
    /// <summary>The cluster region: us-east-1 (AWS), us-central1 (GCP), eastus (Azure).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.Region)]
    public string Region { get; set; } = "";

    /// <summary>AWS_KMS, GCP_CLOUD_KMS or AZURE_KEY_VAULT.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CmekTypeCompleter))]
    [Input(InputKind.FreeText, MaxLength = 64)]
    public string Type { get; set; } = "";

    /// <summary>The key's ARN / resource name / key identifier URL.</summary>
    [Parameter(Mandatory = true, Position = 2, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.FreeText, MaxLength = 2048)]
    public string Uri { get; set; } = "";

    /// <summary>AWS IAM role ARN, GCP service account e-mail, or Azure tenant ID.</summary>
    [Parameter(Mandatory = true, Position = 3, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [Input(InputKind.FreeText, MaxLength = 512, AllowEmpty = true)]
    public string AuthPrincipal { get; set; } = "";

    protected override void ProcessCheckedRecord()
    {
        // One bad pipeline item must not stop the others.
        if (!TryChecked(() => CmekSpecRules.Create(Region, Type, Uri, AuthPrincipal), "InvalidCmekRegionSpec", Region, out CmekRegionSpec spec)) return;
        WriteObject(CmekKeySpec.From(spec));
    }
}
