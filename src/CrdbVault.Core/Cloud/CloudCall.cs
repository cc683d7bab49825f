namespace CrdbVault.Core.Cloud;

/// <summary>When a failed attempt may be sent again.</summary>
internal enum CloudRetry
{
    /// <summary>Reads: retried on 429, 5xx≠501, timeouts and connection errors.</summary>
    Safe,

    /// <summary>
    /// Changes: retried only when the Cloud provably did not act — 429 (refused before processing)
    /// or a connection that was never established. Terraform retries GET only because "a different
    /// method type mutated data on the server even if the response wasn't successful"; and with
    /// the API's asynchronous status machines a repeated PATCH/PUT/DELETE meets its own PENDING or
    /// ROTATING state and fails with a conflict instead of answering the same.
    /// </summary>
    OnlyIfUnprocessed,
}

/// <summary>What the client needs to know about one call to send it and to explain its failure.</summary>
internal sealed record CloudCall(string ClusterId, CloudRetry Retry)
{
    /// <summary>What to do on a 409 / FAILED_PRECONDITION, e.g. "use PATCH to replace".</summary>
    public string? ConflictHint { get; init; }

    /// <summary>What to check when a change may have happened unseen (timeout, 5xx).</summary>
    public string? UnknownOutcomeHint { get; init; }

    public static CloudCall Read(string clusterId) => new(clusterId, CloudRetry.Safe);

    public static CloudCall Change(string clusterId, string unknownOutcomeHint, string? conflictHint = null) =>
        new(clusterId, CloudRetry.OnlyIfUnprocessed) { UnknownOutcomeHint = unknownOutcomeHint, ConflictHint = conflictHint };
}
