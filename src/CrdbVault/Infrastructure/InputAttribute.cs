using System.Management.Automation;

namespace CrdbVault.Infrastructure;

/// <summary>
/// The kinds of parameter values, each checked by one validator in Core (CrdbVault.Core.Validation,
/// see <see cref="InputChecks"/> for the mapping). Kept here, not in Core, so that PowerShell's
/// reflection over the parameters' attributes loads nothing from Core.
/// </summary>
public enum InputKind
{
    /// <summary>One Vault path segment: a role, connection, key or policy name.</summary>
    NameSegment,
    /// <summary>A name segment or a wildcard pattern over names ('app*').</summary>
    NamePattern,
    /// <summary>Where a secrets engine is mounted ('database', 'team/database'); not inside sys/, auth/, identity/, cubbyhole/.</summary>
    MountPath,
    /// <summary>'/'-separated name segments with no further rule (an auth mount, a Vault namespace).</summary>
    VaultPath,
    /// <summary>A CockroachDB SQL user or role name.</summary>
    SqlUser,
    /// <summary>A Vault lease id ('database/creds/app/AbCd1234'); unexpanded pipeline macros are refused.</summary>
    LeaseId,
    /// <summary>A path under which leases are listed or revoked.</summary>
    LeasePrefix,
    /// <summary>A file or folder that is read (wildcard characters taken literally).</summary>
    ReadPath,
    /// <summary>A file or folder that is written (wildcard characters refused).</summary>
    WritePath,
    /// <summary>The http(s) address of a service (Vault, the Cloud API): scheme, host, port; no credentials.</summary>
    ServiceUrl,
    /// <summary>A postgresql:// URL without credentials.</summary>
    DatabaseUrl,
    /// <summary>A DNS name or an IP address literal, nothing more.</summary>
    Host,
    /// <summary>A CockroachDB Cloud cluster's UUID.</summary>
    ClusterId,
    /// <summary>A cloud region name (us-east-1, us-central1, eastus).</summary>
    Region,
    /// <summary>A certificate serial number (hex, ':' or '-' separated, or bare).</summary>
    SerialNumber,
    /// <summary>PEM text (size and characters; the certificate parser judges the rest).</summary>
    Pem,
    /// <summary>Printable text without control characters or surrounding blanks (a common name, a cloud resource name).</summary>
    FreeText,
    /// <summary>A secret (SecureString, or a string such as an AppRole role_id): checked without being shown.</summary>
    Secret,
    /// <summary>A PSCredential whose user name is a SQL user (the password is checked as a secret).</summary>
    SqlCredential,
    /// <summary>A PSCredential whose user name is a Vault login name (userpass, LDAP: 'alice', 'alice@corp.example').</summary>
    LoginCredential,
    /// <summary>A TimeSpan from [DurationTransformation]: longer than zero, at most 100 years.</summary>
    Duration,
    /// <summary>A closed set of values given by the parameter's [ValidateSet]; PowerShell checks it.</summary>
    Choice,
}

/// <summary>
/// Names the kind of a parameter's value. The base cmdlet (<see cref="CrdbCmdlet"/>) checks every
/// bound parameter that carries one before the cmdlet runs: command-line values before anything
/// else, pipeline values per record (in a cmdlet that takes pipeline input a refusal is
/// non-terminating and the record, or the command, does nothing; otherwise it terminates). The error id is <see cref="ErrorId"/>, else the cmdlet's
/// [InputErrorId], else the
/// kind's default. Every string, string[], SecureString, PSCredential and duration parameter must
/// carry one: the hostile-input corpus test fails for a parameter without.
/// </summary>
/// <remarks>
/// It is also a transformation: a text kind takes text (a string, or a number, Guid, Uri or IP
/// address, whose text is unambiguous; a FileInfo/DirectoryInfo for a path), never an arbitrary
/// object's ToString(). Without that, PowerShell binds ANY piped object to a by-value string
/// parameter by converting it to text: a VaultDatabaseConnection became "-User database/config/pg".
/// Refusing the conversion here makes PowerShell's binder refuse the object instead.
/// </remarks>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class InputAttribute(InputKind kind) : ArgumentTransformationAttribute
{
    public InputKind Kind { get; } = kind;

    /// <summary>The stable error id for a refused value, when it differs from the cmdlet's and the kind's.</summary>
    public string? ErrorId { get; set; }

    /// <summary>Null and empty values pass (for parameters that bind optional properties of piped objects).</summary>
    public bool AllowEmpty { get; set; }

    /// <summary>For <see cref="InputKind.FreeText"/>: the longest value (default 1024).</summary>
    public int MaxLength { get; set; }

    /// <summary>
    /// For a ValueFromPipeline text parameter (required there, the corpus test checks): the
    /// property a piped object gives, normally the parameter's own name. A piped object that is not
    /// text binds that property's value; an object without it is refused.
    /// </summary>
    public string? PipelineProperty { get; set; }

    /// <summary>
    /// With <see cref="PipelineProperty"/>: the only object types (PSTypeNames) whose property binds.
    /// Needed where another output type has a property of the same name that means something else
    /// (a StaticCredential's Role names a static role, never a dynamic one): such a parameter binds
    /// by value through this list instead of by property name, which PowerShell would allow from any
    /// object. Help's INPUTS lists these types; include <see cref="PsCustomObject"/> so that rows of
    /// Import-Csv and [pscustomobject]s still bind as they would by property name.
    /// </summary>
    public string[]? PipelineTypes { get; set; }

    /// <summary>For <see cref="PipelineTypes"/>: objects users build themselves ([pscustomobject], Import-Csv rows).</summary>
    public const string PsCustomObject = "System.Management.Automation.PSCustomObject";

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (Kind is InputKind.Secret or InputKind.SqlCredential or InputKind.LoginCredential or InputKind.Duration or InputKind.Choice) return inputData;
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        switch (value)
        {
            case null or string:
                return inputData;
            case FileSystemInfo file when Kind is InputKind.ReadPath or InputKind.WritePath:
                return file.FullName;
            case System.Collections.IList list:
                var texts = new string?[list.Count];
                for (int i = 0; i < list.Count; i++) texts[i] = Text(list[i]);
                return texts;
            default:
                return Text(inputData);
        }
    }

    /// <summary>The text of one value; <paramref name="item"/> may be a PSObject (whose note properties a PSCustomObject keeps on the wrapper).</summary>
    private string? Text(object? item)
    {
        object? value = item is PSObject p ? p.BaseObject : item;
        switch (value)
        {
            case null:
                return null;
            case string s:
                return s;
            case FileSystemInfo file when Kind is InputKind.ReadPath or InputKind.WritePath:
                return file.FullName;
            case char or Guid or Uri or System.Net.IPAddress or byte or sbyte or short or ushort or int or uint or long or ulong or decimal:
                return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }
        PSObject wrapped = item as PSObject ?? PSObject.AsPSObject(value);
        if (PipelineTypes is { Length: > 0 } && !PipelineTypes.Any(t => wrapped.TypeNames.Contains(t)))
        {
            string types = string.Join(" or ", PipelineTypes.Select(t => t.Replace("CrdbVault.", "")));
            throw new ArgumentTransformationMetadataException(
                $"This parameter takes text ({Kind}) or a {types}, not a {value.GetType().FullName}: " +
                $"give the value itself (e.g. $x.{PipelineProperty ?? "Name"}).");
        }
        if (PipelineProperty is not null && wrapped.Properties[PipelineProperty] is PSPropertyInfo property)
            return Text(property.Value);
        throw new ArgumentTransformationMetadataException(
            $"This parameter takes text ({Kind}), " +
                $"not a {value.GetType().FullName}{(PipelineProperty is null ? "" : $" (which has no {PipelineProperty} property)")}: give the value itself, " +
                $"or a property of the object (e.g. $x.Name).");
    }
}

/// <summary>The error id a cmdlet has always used for bad input, for all its parameters (users' scripts may catch it).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class InputErrorIdAttribute(string errorId) : Attribute
{
    public string ErrorId { get; } = errorId;
}
