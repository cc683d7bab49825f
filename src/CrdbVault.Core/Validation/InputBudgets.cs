namespace CrdbVault.Core.Validation;

/// <summary>
/// The size and depth budget of everything the module parses (docs/contributing.md, "Parser
/// budgets"). Past a budget the reader stops with a clear error before parsing (size) or as soon as
/// the limit is crossed (depth), so hostile input costs bounded time and memory and cannot overflow
/// the stack, which .NET cannot recover from.
/// </summary>
public static class InputBudgets
{
    /// <summary>A CMEK manifest file (JSON or YAML): one region spec is about 300 bytes.</summary>
    public const long ManifestBytes = 1024 * 1024;

    /// <summary>Nesting of a CMEK manifest: the document needs 4 levels.</summary>
    public const int ManifestDepth = 32;

    /// <summary>An answer from Vault or the Cloud API: the largest real ones (a LIST of many leases) are far below.</summary>
    public const long AnswerBytes = 16 * 1024 * 1024;

    /// <summary>Nesting of an answer from Vault or the Cloud API (System.Text.Json's default).</summary>
    public const int AnswerDepth = 64;

    /// <summary>PEM text or a certificate file: a bundle of many CAs fits comfortably.</summary>
    public const long PemBytes = 1024 * 1024;

    /// <summary>Small files: a store key recovery record, ~/.vault-token, a private key file (PEM or PKCS#8 DER; an RSA-8192 key is 6 KiB).</summary>
    public const long SmallFileBytes = 64 * 1024;

    /// <summary>A lease ledger file (JSON lines): about 400 bytes per lease, so ~20 000 issues and revocations.</summary>
    public const long LedgerBytes = 8 * 1024 * 1024;

    /// <summary>One ledger line: ours stay far below; a longer one is hostile or damaged and is skipped.</summary>
    public const int LedgerLineBytes = 4096;

    /// <summary>
    /// Reads a whole file whose size must not exceed <paramref name="maxBytes"/>; the size is checked
    /// before reading, and reading stops at the cap in case the file grows meanwhile.
    /// </summary>
    /// <param name="tooLarge">Builds the exception for a file over the cap, from its size in bytes.</param>
    public static byte[] ReadFile(string path, long maxBytes, Func<long, Exception> tooLarge)
    {
        // A FIFO blocks the open until someone writes to it (no Ctrl+C helps), a device may never end: only regular files are read.
        if (Files.UnixFileStatus.IsRegularFile(path) == false)
            throw new IOException($"'{path}' is not a regular file (a FIFO, a device, a socket or a folder): it is not read.");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (stream.CanSeek && stream.Length > maxBytes) throw tooLarge(stream.Length);
        var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > maxBytes) throw tooLarge(buffer.Length + n);
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    /// <summary>A PEM file's text (a certificate, a CA bundle), refused with an ArgumentException past <see cref="PemBytes"/>.</summary>
    public static string ReadPemFile(string path) =>
        System.Text.Encoding.UTF8.GetString(ReadFile(path, PemBytes, size =>
            new ArgumentException($"'{path}' is {size / 1024} KiB: more than the {Describe(PemBytes)} a PEM certificate file may be.")));

    /// <summary>A private key file's bytes, refused with an ArgumentException past <see cref="SmallFileBytes"/>. The caller zeroes them.</summary>
    public static byte[] ReadKeyFile(string path) =>
        ReadFile(path, SmallFileBytes, size =>
            new ArgumentException($"'{path}' is {size / 1024} KiB: more than the {Describe(SmallFileBytes)} a private key file may be."));

    /// <summary>"1 MiB", "64 KiB": how budgets appear in messages.</summary>
    public static string Describe(long bytes) =>
        bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";
}
