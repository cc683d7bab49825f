using System.Text;
using CrdbVault.Core.Leases;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

/// <summary>The ledger file is parsed input: hostile and damaged lines are skipped and counted, never acted on.</summary>
public sealed class LeaseLedgerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-ledger-").FullName;

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static LeaseLedger NewLedger(string? path) => new(() => new TokenLifetime("acc"), TimeProvider.System) { FilePath = path };

    private const string Good = """{"event":"issued","lease_id":"database/creds/app/AbC1","mount":"database","role":"app","user":"v-app-1","issued_at":"2026-12-01T10:00:00+00:00","expires_at":"2026-12-01T11:00:00+00:00","pid":7,"at":"2026-12-01T10:00:00+00:00"}""";

    [Fact]
    public void Issues_and_revocations_are_lines_without_secrets_and_read_back()
    {
        string path = PathOf("l.jsonl");
        LeaseLedger ledger = NewLedger(path);
        ledger.RecordIssued("database/creds/app/AbC1", "database", "app", "v-app-1", null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddHours(1));
        ledger.RecordIssued("pki/issue/client/XyZ2", "pki", "client", null, "1a:2b", DateTimeOffset.UtcNow, null);
        ledger.RecordEnded("database/creds/app/AbC1", LeaseState.Revoked);
        Assert.Empty(ledger.TakeFileFailures());

        string[] lines = File.ReadAllLines(path);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, l => Assert.True(Encoding.UTF8.GetByteCount(l) < 1024));
        Assert.DoesNotContain("password", File.ReadAllText(path), StringComparison.OrdinalIgnoreCase);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        // A new process (a new ledger on the same file) sees what is still outstanding.
        var (outstanding, all, skipped) = NewLedger(path).Collect();
        Assert.Empty(skipped);
        Assert.Equal(2, all.Count);
        LedgerEntry cert = Assert.Single(outstanding);
        Assert.Equal("certificate 1a:2b", cert.IssuedAs);
    }

    public static TheoryData<string, string> HostileLines => new()
    {
        { "not json {", "" },
        { "[1,2,3]", "not a JSON object" },
        { """{"event":"issued"}""", "lease_id" },
        { """{"event":"exploded","lease_id":"database/creds/app/AbC1"}""", "unknown event" },
        { Good.Replace("database/creds/app/AbC1", "database/creds/app/Ab\\u001bC1"), "lease_id" },
        { Good.Replace("database/creds/app/AbC1", "database/creds/app/../../sys/AbC1"), "lease_id" },
        // A lease the module could not have issued: someone else's role, a sys/ path, another mount.
        { Good.Replace("database/creds/app/AbC1", "database/creds/admin/AbC1"), "did not issue it" },
        { Good.Replace("database/creds/app/AbC1", "sys/raw/AbC1"), "did not issue it" },
        { Good.Replace("\"mount\":\"database\"", "\"mount\":\"../database\""), "mount" },
        { Good.Replace("\"user\":\"v-app-1\"", "\"user\":\"v-app-1\\u0000x\""), "user" },
        { """{"event":"issued","lease_id":{"deep":{"deeper":1}}}""", "depth" },
        { Good.Replace("\"issued_at\":\"2026-12-01T10:00:00+00:00\",", ""), "issued_at" },
    };

    [Theory]
    [MemberData(nameof(HostileLines))]
    public void A_hostile_or_damaged_line_is_skipped_with_a_reason_and_the_good_ones_still_count(string hostile, string reason)
    {
        string path = PathOf("h.jsonl");
        File.WriteAllText(path, hostile + "\n" + Good + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (outstanding, _, skipped) = NewLedger(path).Collect();
        string why = Assert.Single(skipped);
        Assert.StartsWith("line 1:", why);
        Assert.Contains(reason, why, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain('\u001b', why); // shown printable
        Assert.Equal("database/creds/app/AbC1", Assert.Single(outstanding).LeaseId);
    }

    [Fact]
    public void A_huge_line_is_skipped_and_a_huge_file_is_refused_before_reading()
    {
        string path = PathOf("big.jsonl");
        File.WriteAllText(path, "{\"event\":\"issued\",\"x\":\"" + new string('a', 100_000) + "\"}\n" + Good + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (outstanding, _, skipped) = NewLedger(path).Collect();
        Assert.Contains("line budget", Assert.Single(skipped));
        Assert.Single(outstanding);

        using (var f = new FileStream(path, FileMode.Open)) f.SetLength(InputBudgets.LedgerBytes + 1);
        var ex = Assert.Throws<IOException>(() => NewLedger(path).Collect());
        Assert.Contains("budget", ex.Message);
    }

    [Fact]
    public void A_ledger_others_can_write_or_a_symbolic_link_is_refused()
    {
        if (OperatingSystem.IsWindows()) return;
        string path = PathOf("shared.jsonl");
        File.WriteAllText(path, Good + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherWrite);
        Assert.Contains("other users", Assert.Throws<IOException>(() => NewLedger(path).Collect()).Message);
        LeaseLedger writer = NewLedger(path);
        writer.RecordIssued("database/creds/app/Q1", "database", "app", "v-1", null, DateTimeOffset.UtcNow, null);
        Assert.Contains("other users", Assert.Single(writer.TakeFileFailures())); // issued all the same; the failure is told

        string target = PathOf("target.jsonl");
        File.WriteAllText(target, "");
        string link = PathOf("link.jsonl");
        File.CreateSymbolicLink(link, target);
        LeaseLedger viaLink = NewLedger(link);
        viaLink.RecordIssued("database/creds/app/Q2", "database", "app", "v-2", null, DateTimeOffset.UtcNow, null);
        Assert.Contains("symbolic link", Assert.Single(viaLink.TakeFileFailures()));
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void A_ledger_another_user_owns_is_refused_even_when_only_its_owner_may_write_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        string path = PathOf("theirs.jsonl");
        File.WriteAllText(path, Good.Replace("app", "other", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.True(CrdbVault.Core.Files.UnixFileStatus.IsOwnedByCurrentUser(path)); // ours: read as before
        Assert.Single(NewLedger(path).Collect().All);

        // Only root can hand a file to another user; CI containers and this machine's tests run as root.
        if (Environment.UserName != "root") return;
        using (var chown = System.Diagnostics.Process.Start("chown", ["nobody", path])) chown.WaitForExit();
        Assert.False(CrdbVault.Core.Files.UnixFileStatus.IsOwnedByCurrentUser(path));
        Assert.Contains("belongs to another user", Assert.Throws<IOException>(() => NewLedger(path).Collect()).Message);
        LeaseLedger writer = NewLedger(path);
        writer.RecordIssued("database/creds/app/Q2", "database", "app", "v-2", null, DateTimeOffset.UtcNow, null);
        Assert.Contains("belongs to another user", Assert.Single(writer.TakeFileFailures()));
    }

    [Fact]
    public void Revocations_from_the_file_mark_entries_and_stray_revocations_are_ignored()
    {
        string path = PathOf("r.jsonl");
        File.WriteAllText(path, Good + "\n" +
            """{"event":"gone","lease_id":"database/creds/app/AbC1","pid":8,"at":"2026-12-01T12:00:00+00:00"}""" + "\n" +
            """{"event":"revoked","lease_id":"database/creds/app/Unknown","pid":8,"at":"2026-12-01T12:00:00+00:00"}""" + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var (outstanding, all, skipped) = NewLedger(path).Collect();
        Assert.Empty(outstanding);
        Assert.Equal(LeaseState.AlreadyGone, Assert.Single(all).State);
        Assert.Empty(skipped);
    }

    [Fact]
    public void Appends_from_many_threads_lose_no_line()
    {
        string path = PathOf("c.jsonl");
        Parallel.For(0, 8, w =>
        {
            LeaseLedger ledger = NewLedger(path);
            for (int i = 0; i < 50; i++) ledger.RecordIssued($"database/creds/app/W{w}N{i}", "database", "app", $"v-{w}-{i}", null, DateTimeOffset.UtcNow, null);
            Assert.Empty(ledger.TakeFileFailures());
        });
        var (outstanding, _, skipped) = NewLedger(path).Collect();
        Assert.Empty(skipped);
        Assert.Equal(400, outstanding.Count);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
