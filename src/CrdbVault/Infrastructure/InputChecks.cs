using System.Collections.Concurrent;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using CrdbVault.Core.Validation;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Runs the Core validator of each parameter's <see cref="InputKind"/> on a bound value; the one
/// place that maps kinds to validators and to default error ids.
/// </summary>
internal static class InputChecks
{
    /// <summary>A parameter that carries [Input], with the error id it reports.</summary>
    /// <param name="PipelineCmdlet">The cmdlet takes pipeline input: its refusals are non-terminating, like a bad piped item.</param>
    internal sealed record KindedParameter(string Name, InputAttribute Input, string ErrorId, bool PipelineCmdlet);

    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, KindedParameter>> Cache = new();

    /// <summary>The kinded parameters of a cmdlet type, by name (case-insensitive, as BoundParameters are).</summary>
    internal static IReadOnlyDictionary<string, KindedParameter> For(Type cmdlet) => Cache.GetOrAdd(cmdlet, Read);

    private static IReadOnlyDictionary<string, KindedParameter> Read(Type cmdlet)
    {
        string? cmdletId = cmdlet.GetCustomAttribute<InputErrorIdAttribute>()?.ErrorId;
        var result = new Dictionary<string, KindedParameter>(StringComparer.OrdinalIgnoreCase);
        PropertyInfo[] properties = cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance);
        bool pipeline = properties.SelectMany(p => p.GetCustomAttributes<ParameterAttribute>())
            .Any(a => a.ValueFromPipeline || a.ValueFromPipelineByPropertyName);
        foreach (PropertyInfo p in properties)
        {
            if (p.GetCustomAttribute<InputAttribute>() is not InputAttribute input || !p.IsDefined(typeof(ParameterAttribute))) continue;
            result[p.Name] = new KindedParameter(p.Name, input, input.ErrorId ?? cmdletId ?? DefaultErrorId(input.Kind), pipeline);
        }
        return result;
    }

    /// <summary>The id a kind reports when neither the parameter nor the cmdlet names one.</summary>
    internal static string DefaultErrorId(InputKind kind) => kind switch
    {
        InputKind.NameSegment or InputKind.NamePattern => "InvalidName",
        InputKind.MountPath => "InvalidMountPath",
        InputKind.VaultPath => "InvalidVaultPath",
        InputKind.SqlUser => "InvalidSqlUser",
        InputKind.LeaseId => "InvalidLeaseId",
        InputKind.LeasePrefix => "InvalidLeasePrefix",
        InputKind.ReadPath or InputKind.WritePath => "InvalidPath",
        InputKind.ServiceUrl or InputKind.DatabaseUrl => "InvalidUrl",
        InputKind.Host => "InvalidHost",
        InputKind.ClusterId => "InvalidClusterId",
        InputKind.Region => "InvalidRegion",
        InputKind.SerialNumber => "InvalidSerialNumber",
        InputKind.Pem => "InvalidPem",
        InputKind.FreeText => "InvalidText",
        InputKind.Secret => "InvalidSecret",
        InputKind.SqlCredential or InputKind.LoginCredential => "InvalidCredential",
        InputKind.Duration => "InvalidDuration",
        _ => "InvalidArgument",
    };

    /// <summary>
    /// Checks one bound value (a string, string[], SecureString, PSCredential or TimeSpan); returns
    /// the refusal as an ErrorRecord, or null when the value is fine.
    /// </summary>
    internal static ErrorRecord? Check(KindedParameter p, object? value)
    {
        object? v = value is PSObject pso ? pso.BaseObject : value;
        try
        {
            switch (v)
            {
                case string[] items:
                    foreach (string item in items) CheckOne(p, item);
                    break;
                default:
                    CheckOne(p, v);
                    break;
            }
            return null;
        }
        catch (ArgumentException ex)
        {
            return new ErrorRecord(new ArgumentException(ErrorMapper.WithoutParameterSuffix(ex.Message)),
                p.ErrorId, ErrorCategory.InvalidArgument, Target(p, v));
        }
    }

    private static void CheckOne(KindedParameter p, object? value)
    {
        InputAttribute input = p.Input;
        if (input.AllowEmpty && (value is null || value is string { Length: 0 } || value is SecureString { Length: 0 })) return;
        string name = p.Name;
        switch (input.Kind, value)
        {
            case (InputKind.Choice, _):
                return; // [ValidateSet] has already checked it
            case (InputKind.Secret, SecureString secure):
                InputValidator.Secret(secure, name);
                return;
            case (InputKind.SqlCredential, PSCredential credential):
                InputValidator.SqlUserName(credential.UserName, name + " user name");
                if (credential.Password is { Length: > 0 }) InputValidator.Secret(credential.Password, name + " password");
                return;
            case (InputKind.LoginCredential, PSCredential credential):
                InputValidator.VaultLoginName(credential.UserName, name + " user name");
                if (credential.Password is { Length: > 0 }) InputValidator.Secret(credential.Password, name + " password");
                return;
            case (InputKind.Duration, TimeSpan duration):
                InputValidator.Duration(duration, name);
                return;
            case (InputKind.Duration or InputKind.SqlCredential or InputKind.LoginCredential, null):
                throw new ArgumentException($"-{name} is empty.", name);
        }
        string? text = value switch
        {
            null => null,
            string s => s,
            _ => throw new ArgumentException($"-{name} takes text, not a {value.GetType().Name}.", name),
        };
        switch (input.Kind)
        {
            case InputKind.NameSegment: InputValidator.PathSegment(text, name); break;
            case InputKind.NamePattern: InputValidator.NamePattern(text, name); break;
            case InputKind.MountPath: InputValidator.MountPath(text, name); break;
            case InputKind.VaultPath: InputValidator.VaultPath(text, name); break;
            case InputKind.SqlUser: InputValidator.SqlUserName(text, name); break;
            case InputKind.LeaseId: InputValidator.LeaseId(text, name); break;
            case InputKind.LeasePrefix: InputValidator.LeasePrefix(text, name); break;
            case InputKind.ReadPath: InputValidator.ReadPath(text, name); break;
            case InputKind.WritePath: InputValidator.WritePath(text, name); break;
            case InputKind.ServiceUrl: InputValidator.ServiceUrl(text, name, ServiceUrlExample(name)); break;
            case InputKind.DatabaseUrl: InputValidator.DatabaseUrl(text, name); break;
            case InputKind.Host: InputValidator.Host(text, name); break;
            case InputKind.ClusterId: InputValidator.ClusterId(text, name); break;
            case InputKind.Region: InputValidator.Region(text, name); break;
            case InputKind.SerialNumber: InputValidator.SerialNumber(text, name); break;
            case InputKind.Pem: InputValidator.Pem(text, name); break;
            case InputKind.FreeText: InputValidator.FreeText(text, name, input.MaxLength > 0 ? input.MaxLength : InputValidator.MaxTextLength); break;
            case InputKind.Secret: InputValidator.Secret(text, name); break;
            default: throw new ArgumentException($"-{name} has kind {input.Kind}, which does not apply to text.", name);
        }
    }

    private static string ServiceUrlExample(string name) =>
        name == "ServerUrl" ? "https://cockroachlabs.cloud" : "https://vault.example.com:8200";

    /// <summary>What the error record points at: never a secret, and a URL only without its credentials.</summary>
    private static object? Target(KindedParameter p, object? value) => p.Input.Kind switch
    {
        InputKind.Secret or InputKind.SqlCredential or InputKind.LoginCredential => null,
        InputKind.ServiceUrl or InputKind.DatabaseUrl when value is string url => UrlRedaction.Redact(url),
        InputKind.Pem => null, // can be a megabyte; the message describes it
        _ => value,
    };
}
