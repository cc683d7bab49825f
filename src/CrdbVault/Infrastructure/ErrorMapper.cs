using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Vault;

namespace CrdbVault.Infrastructure;

/// <summary>
/// One place that turns Core exceptions into ErrorRecords with stable ids and categories
/// (docs/contributing.md). Messages come from Core and already name the path, what the server said and
/// the likely fix; they never contain a secret.
/// </summary>
internal static class ErrorMapper
{
    internal static ErrorRecord ToErrorRecord(Exception exception, object? target, string? idOverride = null)
    {
        Exception ex = exception is AggregateException { InnerExceptions.Count: 1 } agg ? agg.InnerException! : exception;
        (string id, ErrorCategory category) = Classify(ex);
        if (ex is ArgumentException { ParamName: not null } arg)
            ex = new ArgumentException(WithoutParameterSuffix(arg.Message), arg);
        var record = new ErrorRecord(ex, idOverride ?? id, category, target);
        string? advice = ex switch
        {
            VaultApiException { MayHaveExecuted: true } => "The request may have taken effect on the server; check before repeating it.",
            CloudApiException { MayHaveExecuted: true } =>
                "The change may have been accepted by CockroachDB Cloud; read its status (Get-CrdbCmek / Get-CrdbClientCaCert) before repeating it.",
            CloudOperationTimeoutException => "The operation goes on at CockroachDB Cloud; check it later or wait longer with a larger -TimeoutSeconds.",
            _ => null,
        };
        if (advice is not null) record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = advice };
        return record;
    }

    /// <summary>ArgumentException appends " (Parameter 'x')"; our messages already name the parameter.</summary>
    internal static string WithoutParameterSuffix(string message)
    {
        int i = message.LastIndexOf(" (Parameter '", StringComparison.Ordinal);
        return i > 0 && message.EndsWith("')", StringComparison.Ordinal) ? message[..i] : message;
    }

    internal static (string Id, ErrorCategory Category) Classify(Exception ex) => ex switch
    {
        VaultApiException v => v.Kind switch
        {
            VaultErrorKind.InvalidToken => ("VaultInvalidToken", ErrorCategory.AuthenticationError),
            VaultErrorKind.PermissionDenied => ("VaultPermissionDenied", ErrorCategory.PermissionDenied),
            VaultErrorKind.NotFound => ("VaultNotFound", ErrorCategory.ObjectNotFound),
            VaultErrorKind.InvalidRequest => ("VaultInvalidRequest", ErrorCategory.InvalidArgument),
            VaultErrorKind.RateLimited => ("VaultRateLimited", ErrorCategory.ResourceUnavailable),
            VaultErrorKind.ServerError => ("VaultServerError", ErrorCategory.ResourceUnavailable),
            VaultErrorKind.ConnectionFailed => ("VaultConnectionFailed", ErrorCategory.ConnectionError),
            VaultErrorKind.Timeout => ("VaultTimeout", ErrorCategory.OperationTimeout),
            _ => ("VaultError", ErrorCategory.NotSpecified),
        },
        CloudApiException c => c.Kind switch
        {
            CloudErrorKind.Unauthenticated => ("CloudUnauthenticated", ErrorCategory.AuthenticationError),
            CloudErrorKind.PermissionDenied => ("CloudPermissionDenied", ErrorCategory.PermissionDenied),
            CloudErrorKind.NotFound => ("CloudNotFound", ErrorCategory.ObjectNotFound),
            CloudErrorKind.InvalidRequest => ("CloudInvalidRequest", ErrorCategory.InvalidArgument),
            CloudErrorKind.Conflict => ("CloudConflict", ErrorCategory.ResourceBusy),
            CloudErrorKind.RateLimited => ("CloudRateLimited", ErrorCategory.LimitsExceeded),
            CloudErrorKind.ServerError => ("CloudServerError", ErrorCategory.ResourceUnavailable),
            CloudErrorKind.ConnectionFailed => ("CloudConnectionFailed", ErrorCategory.ConnectionError),
            CloudErrorKind.Timeout => ("CloudTimeout", ErrorCategory.OperationTimeout),
            _ => ("CloudError", ErrorCategory.NotSpecified),
        },
        CrdbVault.Core.Vault.Auth.ExternalTokenUnavailableException => ("ExternalTokenUnavailable", ErrorCategory.AuthenticationError),
        CrdbVault.Core.Vault.Auth.VaultLoginRejectedException => ("VaultLoginRejected", ErrorCategory.AuthenticationError),
        CloudOperationFailedException => ("CloudOperationFailed", ErrorCategory.InvalidResult),
        CmekSpecRefusedException r => (r.ErrorId, ErrorCategory.InvalidArgument),
        CrdbVault.Core.Validation.InputRefusedException r => (r.ErrorId, ErrorCategory.InvalidArgument),
        CrdbVault.Core.Pipelines.NotInPipelineException => ("NotInPipeline", ErrorCategory.InvalidOperation),
        CmekStateException s => (s.ErrorId, ErrorCategory.InvalidOperation),
        CloudOperationTimeoutException => ("CloudOperationTimeout", ErrorCategory.OperationTimeout),
        CrdbVault.Core.Keys.CmekManifestException => ("InvalidCmekManifest", ErrorCategory.InvalidData),
        CrdbVault.Core.Sql.SqlConnectionException s => s.IsAuthentication
            ? ("SqlAuthenticationFailed", ErrorCategory.AuthenticationError)
            : ("SqlConnectionFailed", ErrorCategory.ConnectionError),
        CrdbVault.Core.Certificates.CertificateRejectedException => ("CertificateRejected", ErrorCategory.SecurityError),
        CrdbVault.Core.Database.DatabaseConnectionNotFoundException => ("DatabaseConnectionNotFound", ErrorCategory.ObjectNotFound),
        CrdbVault.Core.Certificates.CertificateSetInconsistentException => ("CertificateSetInconsistent", ErrorCategory.InvalidData),
        CrdbVault.Core.Database.DatabasePrivilegeException => ("DatabasePrivilegeMissing", ErrorCategory.PermissionDenied),
        CrdbVault.Core.Certificates.PrivilegedUserException => ("PrivilegedUserRefused", ErrorCategory.PermissionDenied),
        CrdbVault.Core.Keys.StoreKeyRecordException r => r.Problem switch
        {
            CrdbVault.Core.Keys.StoreKeyRecordProblem.Altered => ("RecoveryRecordAltered", ErrorCategory.SecurityError),
            CrdbVault.Core.Keys.StoreKeyRecordProblem.UnsupportedVersion => ("RecoveryRecordVersionUnsupported", ErrorCategory.InvalidData),
            _ => ("InvalidRecoveryRecord", ErrorCategory.InvalidData),
        },
        TimeoutException => ("OperationTimedOut", ErrorCategory.OperationTimeout),
        FileNotFoundException => ("FileNotFound", ErrorCategory.ObjectNotFound),
        UnauthorizedAccessException => ("AccessDenied", ErrorCategory.PermissionDenied),
        IOException => ("FileError", ErrorCategory.WriteError),
        ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument),
        FormatException => ("InvalidFormat", ErrorCategory.InvalidArgument),
        NotConnectedException => ("NotConnected", ErrorCategory.ConnectionError),
        InvalidOperationException => ("InvalidOperation", ErrorCategory.InvalidOperation),
        _ => ("UnexpectedError", ErrorCategory.NotSpecified),
    };
}

/// <summary>No connection was given and none is the session default.</summary>
public sealed class NotConnectedException(string message) : InvalidOperationException(message);
