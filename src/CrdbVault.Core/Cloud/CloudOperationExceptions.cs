namespace CrdbVault.Core.Cloud;

/// <summary>One region (or the whole cluster, Region null) where an asynchronous operation failed.</summary>
public sealed record CloudOperationFailure(string? Region, string Status, string? UserMessage)
{
    public override string ToString() =>
        $"{(Region is null ? "" : Region + ": ")}{Status}{(string.IsNullOrWhiteSpace(UserMessage) ? " (the Cloud gave no reason)" : " — " + UserMessage)}";
}

/// <summary>The Cloud accepted a change but reports that applying it failed (FAILED, *_FAILED).</summary>
public sealed class CloudOperationFailedException : Exception
{
    public CloudOperationFailedException(string clusterId, string operation, IReadOnlyList<CloudOperationFailure> failures, string? fix = null)
        : base(BuildMessage(clusterId, operation, failures, fix))
    {
        ClusterId = clusterId;
        Operation = operation;
        Failures = failures;
    }

    public string ClusterId { get; }

    /// <summary>What was being waited for, e.g. "CMEK rotation".</summary>
    public string Operation { get; }

    public IReadOnlyList<CloudOperationFailure> Failures { get; }

    private static string BuildMessage(string clusterId, string operation, IReadOnlyList<CloudOperationFailure> failures, string? fix) =>
        $"{operation} failed on cluster {clusterId}: {string.Join("; ", failures)}.{(fix is null ? "" : " " + fix)}";
}

/// <summary>
/// A wait for an asynchronous Cloud operation ran out of time. The operation itself goes on at
/// the Cloud; the message says how to look at it later.
/// </summary>
public sealed class CloudOperationTimeoutException : TimeoutException
{
    public CloudOperationTimeoutException(string clusterId, string operation, TimeSpan waited, string lastStatus, string howToCheck)
        : base($"{operation} on cluster {clusterId} was still {lastStatus} after {Describe(waited)}. It continues on the CockroachDB Cloud side; " +
            $"nothing was cancelled. Check it later with {howToCheck}, or wait longer with a larger -TimeoutSeconds.")
    {
        ClusterId = clusterId;
        Operation = operation;
        Waited = waited;
        LastStatus = lastStatus;
    }

    public string ClusterId { get; }
    public string Operation { get; }
    public TimeSpan Waited { get; }
    public string LastStatus { get; }

    private static string Describe(TimeSpan t) =>
        t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMilliseconds:0} ms";
}
