using System.Management.Automation;

namespace EmptyModule;

/// <summary>The one cmdlet of the baseline module: writes its argument back.</summary>
[Cmdlet(VerbsCommon.Get, "Empty")]
[OutputType(typeof(string))]
public sealed class GetEmptyCommand : PSCmdlet
{
    [Parameter(Position = 0)]
    public string Value { get; set; } = "";

    protected override void ProcessRecord() => WriteObject(Value);
}
