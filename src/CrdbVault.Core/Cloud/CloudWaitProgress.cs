namespace CrdbVault.Core.Cloud;

/// <summary>One report per status poll of a wait: what the Cloud said and how long we have waited.</summary>
public sealed class CloudWaitProgress<T>
{
    public required string ClusterId { get; init; }

    /// <summary>E.g. "CMEK rotation", "Client CA certificate change".</summary>
    public required string Operation { get; init; }

    /// <summary>The last answer, or default when the last poll failed transiently.</summary>
    public T? Current { get; init; }

    /// <summary>Short text for a progress bar, e.g. "us-east-1 ENABLED, eu-west-1 ENABLING".</summary>
    public required string Status { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>The wait's limit; <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> when none.</summary>
    public TimeSpan Timeout { get; init; }

    public int Polls { get; init; }

    /// <summary>Share of the timeout used, 0–99 (never 100: the operation is not done while we report).</summary>
    public int PercentOfTimeout => Timeout <= TimeSpan.Zero ? 0 : (int)Math.Clamp(Elapsed.TotalMilliseconds * 100 / Timeout.TotalMilliseconds, 0, 99);
}
