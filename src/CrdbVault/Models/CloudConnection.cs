using CrdbVault.Core.Cloud;

namespace CrdbVault;

/// <summary>
/// A CockroachDB Cloud API connection as Connect-CrdbCloud returns it: where, which API version,
/// and a hint of which key (its public key ID when the key has the CCDB1_&lt;id&gt;_&lt;secret&gt;
/// shape), never the key itself. Pass it to -Cloud to use more than one organization at a time.
/// </summary>
public sealed class CloudConnection
{
    internal CloudConnection(CloudApiClient client, string? keyHint, string? organizationId, string? organizationName, bool verified)
    {
        Client = client;
        KeyHint = keyHint;
        OrganizationId = organizationId;
        OrganizationName = organizationName;
        Verified = verified;
    }

    internal CloudApiClient Client { get; }

    public Uri ServerUrl => Client.Options.ServerUrl;

    /// <summary>The Cc-Version every request sends.</summary>
    public string ApiVersion => CloudApiClient.ApiVersion;

    /// <summary>The key's public ID (e.g. CCDB1_D4zMI3pZTmk5rGrzYqMhbc) or its prefix; never secret text.</summary>
    public string? KeyHint { get; }

    /// <summary>Null when the key's service account has no organization-scoped role (the key was still accepted).</summary>
    public string? OrganizationId { get; }
    public string? OrganizationName { get; }

    /// <summary>True when the Cloud accepted the key at connect time.</summary>
    public bool Verified { get; }

    public override string ToString() => $"{ServerUrl.GetLeftPart(UriPartial.Authority)} (key " +
        $"{KeyHint ?? "set"}{(OrganizationName is null ? "" : ", organization " + OrganizationName)})";

    /// <summary>
    /// The non-secret part of a Cloud API key. Keys look like CCDB1_&lt;key id&gt;_&lt;secret&gt;; the
    /// key ID is what the Console lists, so it is safe to show. Any other shape shows only the
    /// text before its first '_' (at most 8 characters), or nothing.
    /// </summary>
    internal static string? HintFor(string key)
    {
        string[] parts = key.Split('_');
        if (parts.Length >= 3 && parts[0].StartsWith("CCDB", StringComparison.Ordinal) && parts[1].Length > 0)
            return parts[0] + "_" + parts[1];
        return parts.Length >= 2 && parts[0].Length is > 0 and <= 8 ? parts[0] + "_…" : null;
    }
}
