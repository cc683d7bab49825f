namespace CrdbVault.Core.Files;

/// <summary>A file to write as part of a set: its final path, its bytes, and whether it is secret (0600 / owner-only).</summary>
public sealed record PendingFile(string Path, byte[] Content, bool Secret)
{
    public override string ToString() => Path; // never the content
}
