namespace CrdbVault.Core.Cloud;

/// <summary>What kind of failure a Cloud call met; the cmdlets map it to an ErrorRecord id and category.</summary>
public enum CloudErrorKind
{
    Other,
    /// <summary>401: the API key is wrong, deleted or missing.</summary>
    Unauthenticated,
    /// <summary>403: the key's service account lacks a role on the cluster.</summary>
    PermissionDenied,
    /// <summary>404: the cluster (or the resource under it) does not exist for this key.</summary>
    NotFound,
    /// <summary>400 INVALID_ARGUMENT and friends: the Cloud rejected what we sent.</summary>
    InvalidRequest,
    /// <summary>409, or 400 FAILED_PRECONDITION: the request conflicts with the resource's current state.</summary>
    Conflict,
    /// <summary>429: over the 10 requests/s per user limit, even after waiting.</summary>
    RateLimited,
    /// <summary>5xx: the Cloud failed or is busy.</summary>
    ServerError,
    /// <summary>No connection could be made (refused, DNS, TLS).</summary>
    ConnectionFailed,
    /// <summary>No answer within the client timeout.</summary>
    Timeout,
}

/// <summary>
/// An error answered by the Cloud API (body <c>{code, message, details}</c>) or met on the way to
/// it. Never carries the API key.
/// </summary>
public sealed class CloudApiException : Exception
{
    public CloudApiException(string message, CloudErrorKind kind, string path, int status = 0, int? code = null,
        string? cloudMessage = null, IReadOnlyList<string>? details = null, string? clusterId = null,
        bool mayHaveExecuted = false, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Path = path;
        Status = status;
        Code = code;
        CloudMessage = cloudMessage;
        Details = details ?? [];
        ClusterId = clusterId;
        MayHaveExecuted = mayHaveExecuted;
    }

    /// <summary>HTTP status; 0 when no answer arrived.</summary>
    public int Status { get; }

    /// <summary>The body's <c>code</c>: a gRPC status code by grpc-gateway convention (5 NOT_FOUND, 16 UNAUTHENTICATED …).</summary>
    public int? Code { get; }

    /// <summary>The gRPC name of <see cref="Code"/>, e.g. <c>FAILED_PRECONDITION</c>.</summary>
    public string? CodeName => GrpcCode.Name(Code);

    /// <summary>The body's <c>message</c>, as the Cloud wrote it.</summary>
    public string? CloudMessage { get; }

    /// <summary>The body's <c>details</c> entries, each as raw JSON.</summary>
    public IReadOnlyList<string> Details { get; }

    /// <summary>The request path, e.g. <c>/api/v1/clusters/{id}/cmek</c>.</summary>
    public string Path { get; }

    public string? ClusterId { get; }

    public CloudErrorKind Kind { get; }

    /// <summary>True when a change request may have taken effect although no success was seen.</summary>
    public bool MayHaveExecuted { get; }
}

/// <summary>gRPC status code names (the grpc-gateway error body carries the number).</summary>
public static class GrpcCode
{
    private static readonly string[] Names =
    [
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
        "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
    ];

    public const int InvalidArgument = 3;
    public const int NotFound = 5;
    public const int AlreadyExists = 6;
    public const int FailedPrecondition = 9;

    public static string? Name(int? code) => code is int c && c >= 0 && c < Names.Length ? Names[c]
        : code?.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
