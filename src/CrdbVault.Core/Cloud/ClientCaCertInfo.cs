using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// <c>ClientCACertInfo</c> (docs/cockroachdb-notes.md#client-ca-certificate). A 200 on POST/PATCH/DELETE only means
/// "submitted": the status is PENDING until the Cloud finishes; while PENDING the PEM is empty.
/// </summary>
public sealed class ClientCaCertInfo
{
    /// <summary>The cluster this answer is about; set by the client (the API does not echo it).</summary>
    [JsonIgnore]
    public string ClusterId { get; internal set; } = "";

    public ClientCaState Status { get; init; }

    /// <summary>One or more PEM certificates (several = a rollover bundle); empty while PENDING or NOT_SET.</summary>
    public string X509PemCert { get; init; } = "";

    [JsonIgnore]
    public bool IsPending => Status == ClientCaState.Pending;

    public override string ToString() => $"client CA of {ClusterId}: {Status}";
}
