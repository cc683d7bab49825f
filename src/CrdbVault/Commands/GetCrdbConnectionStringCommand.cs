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
public sealed class GetCrdbConnectionStringCommand : CrdbCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Credential]
    public PSCredential Credential { get; set; } = null!;

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Server { get; set; } = "";

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 26257;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Database { get; set; } = "defaultdb";

    [Parameter]
    public string? RootCertificate { get; set; }

    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full", IgnoreCase = true)]
    public string SslMode { get; set; } = "verify-full";

    /// <summary>Url (postgresql://..., for cockroach sql, psql, most drivers) or AdoNet (Npgsql).</summary>
    [Parameter]
    [ValidateSet("Url", "AdoNet", IgnoreCase = true)]
    public string Format { get; set; } = "Url";

    /// <summary>Include the password in the string.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    protected override void ProcessRecord()
    {
        SqlTarget target;
        try
        {
            target = new SqlTarget
            {
                Server = Server,
                Port = Port,
                Database = Database,
                UserName = Credential.UserName,
                Password = Credential.Password,
                RootCertificatePath = RootCertificate is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(RootCertificate),
                SslMode = SslModes.Parse(SslMode),
            };
        }
        catch (ArgumentException ex)
        {
            ThrowInvalidArgument(ex.Message, "InvalidConnectionArgument", Server);
            return;
        }
        if (!AsPlainText)
            WriteWarning($"The password of '{Credential.UserName}' is left out. Add -AsPlainText to include it (then treat the string as a secret).");
        WriteObject(string.Equals(Format, "AdoNet", StringComparison.OrdinalIgnoreCase)
            ? SqlConnectionStrings.ToNpgsql(target, AsPlainText)
            : SqlConnectionStrings.ToLibpqUrl(target, AsPlainText));
    }
}
