using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Sets a variable for the later steps of an Azure DevOps or GitHub Actions job, masked when secret.</para>
/// <para type="description">In Azure DevOps (TF_BUILD=True) writes ##vso[task.setvariable variable=&lt;Name&gt;;issecret=…;isoutput=…]&lt;value&gt;;
/// in GitHub Actions (GITHUB_ACTIONS=true) writes ::add-mask::&lt;value&gt; for a secret, then appends the
/// variable to $GITHUB_ENV ($GITHUB_OUTPUT with -IsOutput) with a delimiter that does not occur in the value.
/// Each system's escaping is applied (% CR LF), so a value cannot start a logging command of its own.
/// A SecureString value is always secret; a string only with -Secret. Both systems mask line by line,
/// so a secret of several lines (a PEM key) is refused: write such secrets to files in the job's
/// temporary folder (New-CrdbClientCert -CertsDir (Join-Path $env:AGENT_TEMPDIRECTORY 'certs'), or
/// $env:RUNNER_TEMP on GitHub) and pass the folder instead. Outside both systems it is an error and
/// nothing is written. The logging commands go to the process's standard output directly, not through
/// the PowerShell host, so neither Start-Transcript nor the output stream ever holds the value.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbPipelineVariable", SupportsShouldProcess = true)]
[OutputType(typeof(void))]
[InputErrorId("InvalidPipelineVariable")]
public sealed class SetCrdbPipelineVariableCommand : CrdbCmdlet
{
    /// <summary>Variable name: letters, digits and '_' (at most 100), starting with a letter or '_'.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>A string, or a SecureString (always secret). Binds by property name from Password, e.g. a StaticCredential or DynamicCredential.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Password")]
    [AllowEmptyString]
    public object Value { get; set; } = null!;

    /// <summary>Mask the value in the job's logs (always on for a SecureString).</summary>
    [Parameter]
    public SwitchParameter Secret { get; set; }

    /// <summary>An output variable: Azure DevOps isoutput=true (later jobs read &lt;step&gt;.&lt;Name&gt;); GitHub Actions $GITHUB_OUTPUT
    /// (steps.&lt;id&gt;.outputs.&lt;Name&gt;).</summary>
    [Parameter]
    public SwitchParameter IsOutput { get; set; }

    protected override void ProcessCheckedRecord()
    {
        object raw = Value is PSObject pso ? pso.BaseObject : Value;
        SecureString value;
        bool secret = Secret;
        switch (raw)
        {
            case SecureString s:
                value = s;
                secret = true;
                break;
            case string text:
                value = SecureStrings.From(text);
                break;
            default:
                ThrowInvalidArgument($"-Value must be a string or a SecureString, not {raw?.GetType().Name ?? "null"}. For a credential pass its password: " +
                    $"-Value $cred.Password.", PipelineVariable.ErrorId, Name);
                return;
        }

        // Core's refusals carry their stable ids (InvalidPipelineVariable, NotInPipeline): the mapping reports them.
        PipelineVariable variable = Mapped(() => PipelineVariable.Prepare(CiEnvironment.Current(), Name, value, secret, IsOutput), Name);

        if (!ShouldProcess(variable.Description, "Set")) return;
        if (variable.System == CiSystem.GitHubActions && variable.IsOutput && variable.IsSecret)
            WriteWarning($"GitHub Actions does not pass masked values on as job outputs: " +
                $"use '{variable.Name}' in later steps of this job (steps.<id>.outputs.{variable.Name}).");
        try
        {
            variable.Write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"Writing {variable.Description} to '{variable.FilePath}' failed: {ex.Message}", ex),
                "PipelineVariableWriteFailed", ErrorCategory.WriteError, Name));
            return;
        }
        WriteVerbose($"Set {variable.Description}; later steps read it as {variable.Reference}.");
    }
}
