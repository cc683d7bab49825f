using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Cloud;

/// <summary>gRPC codes the Cloud's grpc-gateway puts in <c>code</c> (docs/cockroachdb-notes.md#cloud-api).</summary>
public static class GrpcStatus
{
    public const int InvalidArgument = 3;
    public const int NotFound = 5;
    public const int AlreadyExists = 6;
    public const int PermissionDenied = 7;
    public const int ResourceExhausted = 8;
    public const int FailedPrecondition = 9;
    public const int Unimplemented = 12;
    public const int Unavailable = 14;
    public const int Unauthenticated = 16;
}

/// <summary>Thrown by the double's handlers; the pipeline turns it into the Cloud's error body.</summary>
public sealed class CloudDoubleError(int httpStatus, int code, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public int Code { get; } = code;

    public static CloudDoubleError Invalid(string message) => new(400, GrpcStatus.InvalidArgument, message);
    public static CloudDoubleError Precondition(string message) => new(400, GrpcStatus.FailedPrecondition, message);
    public static CloudDoubleError Exists(string message) => new(409, GrpcStatus.AlreadyExists, message);
    public static CloudDoubleError NotFound(string message) => new(404, GrpcStatus.NotFound, message);

    /// <summary>Writes grpc-gateway's <c>Status</c>: <c>{code, message, details: []}</c>.</summary>
    public static Task WriteAsync(HttpContext context, int httpStatus, int code, string message)
    {
        context.Response.StatusCode = httpStatus;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["code"] = code, ["message"] = message, ["details"] = new JsonArray() };
        return context.Response.WriteAsync(body.ToJsonString());
    }
}
