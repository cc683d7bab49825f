using System.Management.Automation;
using CrdbVault.Core.Sql;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Builds a libpq URL or an ADO.NET connection string for a credential.</para>
/// <para type="description">Without -AsPlainText the password is left out (a warning says so): the
/// string is safe to log. With -AsPlainText it is included; treat the result as a secret.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbConnectionString")]
[OutputType(typeof(string))]
public sealed class GetCrdbConnectionStringCommand : SqlTargetCmdlet
{
    /// <summary>The user and password; binds by property name from New-CrdbDynamicCredential output.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Credential]
    [Input(InputKind.SqlCredential)]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>Url (postgresql://..., for cockroach sql, psql, most drivers) or AdoNet (Npgsql).</summary>
    [Parameter]
    [ValidateSet("Url", "AdoNet", IgnoreCase = true)]
    [Input(InputKind.Choice)]
    public string Format { get; set; } = "Url";

    /// <summary>Include the password in the string.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    protected override void ProcessCheckedRecord()
    {
        // The string may be used on another machine, so the CA file need not exist here.
        SqlTarget target = Checked(() => Target(Credential.UserName, ResolveRootCertificate(mustExist: false), password: Credential.Password),
            "InvalidConnectionArgument", Server);
        if (!AsPlainText)
            WriteWarning($"The password of '{Credential.UserName}' is left out. Add -AsPlainText to include it (then treat the string as a secret).");
        WriteObject(SqlConnectionStrings.ForCaller(target, adoNet: string.Equals(Format, "AdoNet", StringComparison.OrdinalIgnoreCase),
            includePassword: AsPlainText));
    }
}
