using System.Text;
using System.Text.Json;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// Turns a Cloud error answer into a <see cref="CloudApiException"/> whose message says what was
/// asked, what the Cloud said and what to do. The body is grpc-gateway's <c>Status</c>
/// <c>{code, message, details}</c>, parsed leniently like Terraform does (docs/cockroachdb-notes.md#cloud-api).
/// </summary>
internal static class CloudErrors
{
    public static CloudApiException FromResponse(HttpMethod method, string path, int status, byte[] content, CloudCall call, int attempts)
    {
        (int? code, string? message, IReadOnlyList<string> details) = ParseBody(content);
        string codeName = GrpcCode.Name(code) is string n ? " " + n : "";
        string said = string.IsNullOrWhiteSpace(message) ? $"HTTP {status}{codeName}" : $"{status}{codeName}: {message.TrimEnd('.')}";
        string cluster = call.ClusterId;

        (CloudErrorKind kind, string fix) = status switch
        {
            401 => (CloudErrorKind.Unauthenticated,
                "The API key was not accepted: it is wrong, deleted or missing. Create a service account API key (Cloud Console → Organization → Access " +
                    "Management → Service Accounts) and pass it with Connect-CrdbCloud -ApiKey or COCKROACH_API_KEY."),
            403 => (CloudErrorKind.PermissionDenied,
                $"The API key is valid, but its service account lacks a role allowing this on cluster {cluster}: " +
                    $"grant it Cluster Admin or Cluster Operator on the cluster, its folder or the organization."),
            404 => (CloudErrorKind.NotFound, NotFoundHint(cluster)),
            409 => (CloudErrorKind.Conflict, call.ConflictHint ?? "The resource is in a state that does not allow this; " +
                "read its status and try again once it has settled."),
            400 when code == GrpcCode.FailedPrecondition => (CloudErrorKind.Conflict, call.ConflictHint ?? "The cluster is not in a state that allows this; " +
                "read its status and try again once it has settled."),
            400 when message?.Contains("Cc-Version", StringComparison.OrdinalIgnoreCase) == true => (CloudErrorKind.InvalidRequest,
                $"This module sends Cc-Version {CloudApiClient.ApiVersion}; the server does not accept it. Is the server address a CockroachDB Cloud API?"),
            400 or 422 => (CloudErrorKind.InvalidRequest, "Correct what the Cloud names and try again."),
            429 => (CloudErrorKind.RateLimited,
                $"Still over the Cloud API limit of 10 requests per second per service account after {attempts} attempt(s): " +
                    $"another script may be using the same key. Wait a few seconds and try again."),
            503 => (CloudErrorKind.ServerError,
                $"The Cloud is busy or cluster {cluster} is locked by another operation: wait until its state is CREATED (Cloud Console, " +
                    $"or GET /api/v1/clusters/{cluster}), then try again.{Unknown(call)}"),
            >= 500 => (CloudErrorKind.ServerError, $"CockroachDB Cloud failed on its side; try again later.{Unknown(call)}"),
            _ => (CloudErrorKind.Other, "The Cloud rejected the request as sent."),
        };
        bool mayHave = status >= 500 && call.Retry != CloudRetry.Safe;
        return new CloudApiException($"CockroachDB Cloud answered {method} {path} with {said}. {fix}",
            kind, path, status, code, message, details, cluster, mayHave);
    }

    private static string Unknown(CloudCall call) =>
        call.Retry == CloudRetry.Safe || call.UnknownOutcomeHint is null ? "" : " The change may have been applied: " + call.UnknownOutcomeHint;

    // Cluster ids are checked to be UUIDs before any request (InputValidator.ClusterId), so a name never gets here.
    private static string NotFoundHint(string cluster)
    {
        return $"Cluster '{cluster}' does not exist or this service account cannot see it: " +
            $"check the cluster ID (the UUID from the Cloud Console or 'ccloud cluster info', not the routing ID in connection strings).";
    }

    /// <summary>Reads <c>{code, message, details}</c>; accepts a bare <c>error</c> string or plain text too.</summary>
    internal static (int? Code, string? Message, IReadOnlyList<string> Details) ParseBody(byte[] content)
    {
        if (content.Length == 0) return (null, null, []);
        try
        {
            using JsonDocument doc = JsonDocument.Parse(content);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return (null, Plain(content), []);
            JsonElement root = doc.RootElement;
            int? code = null;
            if (root.TryGetProperty("code", out JsonElement c))
            {
                if (c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int ci)) code = ci;
                else if (c.ValueKind == JsonValueKind.String && int.TryParse(c.GetString(), out int cs)) code = cs;
            }
            string? message = Text(root, "message") ?? Text(root, "error");
            var details = new List<string>();
            if (root.TryGetProperty("details", out JsonElement d) && d.ValueKind == JsonValueKind.Array)
                foreach (JsonElement item in d.EnumerateArray()) details.Add(item.GetRawText());
            return (code, message, details);
        }
        catch (JsonException)
        {
            return (null, Plain(content), []);
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetString())
            ? Validation.ServerText.Printable(v.GetString()!)
            : null;

    private static string? Plain(byte[] content)
    {
        string text = Validation.ServerText.Printable(Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 300)));
        return text.Length == 0 ? null : text;
    }
}

/// <summary>How a Cloud call that got no readable answer reads: a <see cref="CloudApiException"/> naming the call and the fix.</summary>
internal sealed class CloudFailures(Uri server) : Http.IHttpFailureMapper
{
    private string Server => server.GetLeftPart(UriPartial.Authority);

    public Exception Map(Http.HttpCall call, Http.HttpFailure failure)
    {
        var cloud = (CloudCall)call.State!;
        string path = call.Display[(call.Display.IndexOf(' ') + 1)..];
        bool unsafeRepeat = call.MayRepeatEffect;
        string applied = unsafeRepeat ? " The change may have been applied: " + call.UnknownOutcomeHint : "";
        return failure.Kind switch
        {
            Http.HttpFailureKind.AnswerTooLarge => new CloudApiException(
                $"CockroachDB Cloud answered {call.Display} with {failure.Status}, but {failure.Detail} (16 MiB). " +
                    $"Is ServerUrl '{Server}' the Cloud API?{applied}",
                CloudErrorKind.Other, path, failure.Status, clusterId: cloud.ClusterId, mayHaveExecuted: unsafeRepeat),
            Http.HttpFailureKind.Timeout => new CloudApiException(
                $"CockroachDB Cloud did not answer {call.Display} within {failure.Timeout.TotalSeconds:0} " +
                    $"s.{(unsafeRepeat ? applied : " Try again, or raise the timeout.")}",
                CloudErrorKind.Timeout, path, clusterId: cloud.ClusterId, mayHaveExecuted: unsafeRepeat),
            Http.HttpFailureKind.AnswerLost => new CloudApiException(
                $"Could not reach CockroachDB Cloud at {Server} for {call.Display}: the connection dropped while reading the answer.{applied}",
                CloudErrorKind.ConnectionFailed, path, clusterId: cloud.ClusterId, mayHaveExecuted: unsafeRepeat),
            _ => Unreachable(call, failure, cloud, path),
        };
    }

    private CloudApiException Unreachable(Http.HttpCall call, Http.HttpFailure failure, CloudCall cloud, string path)
    {
        string what = failure.Error switch
        {
            HttpRequestError.NameResolutionError => $"the host name '{server.Host}' could not be resolved",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            HttpRequestError.ConnectionError => "the connection was refused or dropped (check ServerUrl / COCKROACH_SERVER and any proxy)",
            _ => failure.Detail,
        };
        bool mayHave = !failure.NeverSent && call.MayRepeatEffect;
        return new CloudApiException(
            $"Could not reach CockroachDB Cloud at {Server} for {call.Display}: " +
                $"{what}.{(mayHave ? " The change may have been applied: " + call.UnknownOutcomeHint : "")}",
            CloudErrorKind.ConnectionFailed, path, clusterId: cloud.ClusterId, mayHaveExecuted: mayHave);
    }
}
