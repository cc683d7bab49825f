using System.Text;
using System.Text.Json;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Leases;

/// <summary>
/// The ledger file: one JSON object per line, appended, never rewritten (README.md, "Long jobs").
/// Lines: <c>{"event":"issued","lease_id":…,"mount":…,"role":…,"user":…,"serial":…,"issued_at":…,"expires_at":…,
/// "token_expires_at":…,"pid":…,"at":…}</c> and <c>{"event":"revoked"|"gone","lease_id":…,"pid":…,"at":…}</c>. Never a secret.
/// </summary>
/// <remarks>
/// Concurrent writers: each append opens the file EXCLUSIVELY (FileShare.None: flock on Unix, a share mode on
/// Windows), writes one whole line and closes it; other writers wait their turn. Plain O_APPEND is not
/// available through .NET's FileStream, which writes at its own remembered offset (pwrite), so two processes
/// appending with it could write over each other's lines; the exclusive open needs no native code.
/// The file is input too: it may have been damaged or written by someone else. Reading has a size budget,
/// a line budget, refuses a file others may write or own (Linux) or a symbolic link, and skips (and counts) every line that
/// is not JSON, is too long, or names a lease that our own issue could not have produced.
/// </remarks>
public static class LedgerFile
{
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(15);
    private static readonly JsonDocumentOptions LineOptions = new() { MaxDepth = 2 };

    /// <summary>Appends one event line. Throws IOException with a clear message when the file cannot be used.</summary>
    public static void Append(string path, LedgerEvent e)
    {
        byte[] line = Encoding.UTF8.GetBytes(Format(e) + "\n");
        if (line.Length > InputBudgets.LedgerLineBytes)
            throw new IOException($"A ledger line for lease '{e.LeaseId}' would be {line.Length} bytes " +
                $"(the budget is {InputBudgets.LedgerLineBytes}); not written.");
        CheckSafe(path, creating: true);
        WithExclusive(path, FileMode.Append, FileAccess.Write, stream =>
        {
            stream.Write(line);
            stream.Flush(flushToDisk: true);
            return true;
        });
    }

    /// <summary>Reads every event line within the budgets; what is skipped is counted with a reason.</summary>
    public static LedgerFileContent Read(string path)
    {
        if (!File.Exists(path)) return new LedgerFileContent([], []);
        CheckSafe(path, creating: false);
        byte[] bytes = WithExclusive(path, FileMode.Open, FileAccess.Read, stream =>
        {
            if (stream.Length > InputBudgets.LedgerBytes)
                throw new IOException($"The lease ledger '{path}' is {stream.Length} bytes, over its budget of {InputBudgets.LedgerBytes}: " +
                    $"it is not read. Revoke what it lists by prefix (Revoke-CrdbLease -Prefix), then start a new ledger file.");
            var buffer = new byte[stream.Length];
            stream.ReadExactly(buffer);
            return buffer;
        });
        var events = new List<LedgerEvent>();
        var skipped = new List<string>();
        int lineNo = 0;
        foreach (ReadOnlyMemory<byte> raw in Lines(bytes))
        {
            lineNo++;
            if (raw.Length == 0) continue;
            if (raw.Length > InputBudgets.LedgerLineBytes)
            {
                skipped.Add($"line {lineNo}: {raw.Length} bytes, over the line budget of {InputBudgets.LedgerLineBytes}");
                continue;
            }
            try
            {
                events.Add(Parse(raw.Span));
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException)
            {
                skipped.Add($"line {lineNo}: {ServerText.Printable(ex.Message)}");
            }
        }
        return new LedgerFileContent(events, skipped);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Lines(byte[] bytes)
    {
        int start = 0;
        for (int i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == (byte)'\n')
            {
                int end = i > start && bytes[i - 1] == (byte)'\r' ? i - 1 : i;
                if (i < bytes.Length || end > start) yield return bytes.AsMemory(start, end - start);
                start = i + 1;
            }
        }
    }

    internal static string Format(LedgerEvent e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event", e.Event);
            w.WriteString("lease_id", e.LeaseId);
            if (e.Event == LedgerEvent.Issued)
            {
                w.WriteString("mount", e.MountPath);
                w.WriteString("role", e.Role);
                if (e.UserName is not null) w.WriteString("user", e.UserName);
                if (e.SerialNumber is not null) w.WriteString("serial", e.SerialNumber);
                w.WriteString("issued_at", e.IssuedAt);
                if (e.ExpiresAt is DateTimeOffset x) w.WriteString("expires_at", x);
                if (e.TokenExpiresAt is DateTimeOffset t) w.WriteString("token_expires_at", t);
            }
            w.WriteNumber("pid", e.ProcessId);
            w.WriteString("at", e.At);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>One line: a flat object whose every value passes the checks our own issue applies.</summary>
    internal static LedgerEvent Parse(ReadOnlySpan<byte> line)
    {
        using JsonDocument doc = JsonDocument.Parse(line.ToArray(), LineOptions);
        JsonElement o = doc.RootElement;
        if (o.ValueKind != JsonValueKind.Object) throw new FormatException("not a JSON object");
        string kind = Text(o, "event") ?? throw new FormatException("no event");
        if (kind is not (LedgerEvent.Issued or LedgerEvent.Revoked or LedgerEvent.Gone)) throw new FormatException("unknown event");
        string leaseId = InputValidator.LeaseId(Text(o, "lease_id"), "lease_id");
        var e = new LedgerEvent
        {
            Event = kind,
            LeaseId = leaseId,
            ProcessId = o.TryGetProperty("pid", out JsonElement pid) && pid.TryGetInt32(out int p) ? p : 0,
            At = Time(o, "at") ?? DateTimeOffset.MinValue,
        };
        if (kind != LedgerEvent.Issued) return e;
        string mount = InputValidator.MountPath(Text(o, "mount"), "mount");
        string role = InputValidator.PathSegment(Text(o, "role"), "role");
        // Only a lease our own issue could have produced: <mount>/creds/<role>/… or <mount>/issue/<role>/…. A line
        // naming any other lease (someone else's, a sys/ path) is not ours to revoke.
        if (!leaseId.StartsWith($"{mount}/creds/{role}/", StringComparison.Ordinal) && !leaseId.StartsWith($"{mount}/issue/{role}/", StringComparison.Ordinal))
            throw new FormatException($"lease '{leaseId}' is not under {mount}/creds/{role}/ or {mount}/issue/{role}/, so the module did not issue it");
        string? user = Text(o, "user");
        if (user is not null) InputValidator.SqlUserName(user, "user");
        string? serial = Text(o, "serial");
        if (serial is not null) Certificates.CertificateChecks.NormalizeSerial(serial);
        return e with
        {
            MountPath = mount,
            Role = role,
            UserName = user,
            SerialNumber = serial,
            IssuedAt = Time(o, "issued_at") ?? throw new FormatException("no issued_at"),
            ExpiresAt = Time(o, "expires_at"),
            TokenExpiresAt = Time(o, "token_expires_at"),
        };
    }

    private static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement o, string name) =>
        o.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out DateTimeOffset t) ? t : null;

    /// <summary>A ledger others may write, or a link to somewhere else, could make us revoke or forget what it likes: refused.</summary>
    private static void CheckSafe(string path, bool creating)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            if (!creating) return;
            string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null && !Directory.Exists(dir))
                throw new IOException($"The folder of the lease ledger '{path}' does not exist; create it or choose another -LedgerPath.");
            return;
        }
        if (info.LinkTarget is not null)
            throw new IOException($"The lease ledger '{path}' is a symbolic link: refused (a link could point the ledger at another file). " +
                $"Use the file itself.");
        if (Files.UnixFileStatus.IsOwnedByCurrentUser(path) == false)
            throw new IOException($"The lease ledger '{path}' belongs to another user, who can write it whatever its mode and so add leases for this " +
                $"job to revoke: refused. Use a file of your own (a new -LedgerPath, or delete this one if it is not yours).");
        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new IOException($"The lease ledger '{path}' can be written by other users, who could add leases for this job to revoke: refused. " +
                $"Make it the owner's only (chmod 600 '{path}') or use a new file.");
    }

    private static T WithExclusive<T>(string path, FileMode mode, FileAccess access, Func<FileStream, T> use)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.None, BufferSize = 0 };
        if (!OperatingSystem.IsWindows() && mode != FileMode.Open) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        DateTime deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                using var stream = new FileStream(path, options);
                return use(stream);
            }
            catch (IOException ex) when (IsSharingViolation(ex) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(1, 8));
            }
        }
    }

    private static bool IsSharingViolation(IOException ex) => (ex.HResult & 0xFFFF) is 32 or 33 || ex.HResult == 11;
}

/// <summary>One ledger line.</summary>
public sealed record LedgerEvent
{
    public const string Issued = "issued";
    public const string Revoked = "revoked";
    public const string Gone = "gone";

    public required string Event { get; init; }
    public required string LeaseId { get; init; }
    public string MountPath { get; init; } = "";
    public string Role { get; init; } = "";
    public string? UserName { get; init; }
    public string? SerialNumber { get; init; }
    public DateTimeOffset IssuedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? TokenExpiresAt { get; init; }
    public int ProcessId { get; init; }
    public DateTimeOffset At { get; init; }
}

/// <summary>What a ledger file holds: the events read, and why lines were skipped.</summary>
public sealed record LedgerFileContent(IReadOnlyList<LedgerEvent> Events, IReadOnlyList<string> Skipped);
