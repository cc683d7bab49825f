using System.Text;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>Store key files through Core and the transit double over HTTP.</summary>
public sealed class StoreKeyTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly VaultClient _client;
    private readonly StoreKeys _keys;
    private readonly string _dir;

    public StoreKeyTests()
    {
        _client = _vault.CreateClient();
        _keys = new StoreKeys(_client);
        _dir = PrivateDir();
    }

    internal static string PrivateDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "crdbvault-keys-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    public void Dispose()
    {
        _client.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private StoreKeyResult Create(string name = "store.key", int size = 256, bool overwrite = false) =>
        _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(_dir, name), KeySize = size, Overwrite = overwrite }, CancellationToken.None).GetAwaiter().GetResult();

    [Theory]
    [InlineData(128, 48)]
    [InlineData(256, 64)]
    public async Task Writes_the_v1_format_key_id_then_the_transit_data_key(int bits, int fileLength)
    {
        StoreKeyResult r = Create(size: bits);
        byte[] file = File.ReadAllBytes(r.Path);
        Assert.Equal(fileLength, file.Length);
        Assert.Equal(r.KeyId, Convert.ToHexString(file, 0, 32).ToLowerInvariant());
        Assert.Equal(64, r.KeyId.Length);
        Assert.Equal(bits, r.KeySize);
        // The record's ciphertext wraps the whole file: decrypting it gives key ID and key back.
        byte[] plain = await new TransitEngine(_client).DecryptAsync("cockroach-ear", r.Ciphertext, CancellationToken.None);
        Assert.Equal(file, plain);
        Assert.Equal((r.KeyId, bits), StoreKeyFile.Describe(file));
        Assert.True(r.TransitKeyCreated);
        Assert.Equal(1, _vault.Transit.LatestVersionOf("cockroach-ear"));
    }

    [Fact]
    public void Every_key_gets_a_new_id_and_new_key()
    {
        StoreKeyResult a = Create("a.key");
        StoreKeyResult b = Create("b.key");
        StoreKeyResult a2 = Create("a.key", overwrite: true);
        Assert.NotEqual(a.KeyId, b.KeyId);
        Assert.NotEqual(a.KeyId, a2.KeyId);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(_dir, "b.key"))[32..], File.ReadAllBytes(a2.Path)[32..]);
        Assert.False(b.TransitKeyCreated);
    }

    [Fact]
    public void Key_file_is_0600_and_the_record_is_beside_it()
    {
        StoreKeyResult r = Create();
        Assert.Equal(r.Path + ".vault.json", r.RecoveryRecordPath);
        Assert.True(File.Exists(r.RecoveryRecordPath));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(r.Path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Recovery_record_holds_no_secret()
    {
        StoreKeyResult r = Create();
        byte[] key = File.ReadAllBytes(r.Path)[32..];
        string json = File.ReadAllText(r.RecoveryRecordPath);
        foreach (string form in new[] { Convert.ToBase64String(key), Convert.ToHexString(key), Convert.ToHexString(key).ToLowerInvariant(), Convert.ToBase64String(File.ReadAllBytes(r.Path)) })
            Assert.DoesNotContain(form, json, StringComparison.OrdinalIgnoreCase);
        StoreKeyRecovery record = StoreKeyRecovery.Load(r.RecoveryRecordPath);
        Assert.Equal(r.KeyId, record.KeyId);
        Assert.Equal("transit", record.TransitMount);
        Assert.Equal("cockroach-ear", record.TransitKey);
        Assert.Equal(r.Ciphertext, record.Ciphertext);
        Assert.StartsWith("vault:v1:", record.Ciphertext);
        Assert.Equal(256, record.KeySize);
        Assert.Equal("store.key", record.FileName);
        Assert.DoesNotContain(Encoding.UTF8.GetString(key), record.ToString());
    }

    [Fact]
    public async Task Restore_yields_the_byte_identical_file_even_after_a_transit_rotation()
    {
        StoreKeyResult r = Create();
        byte[] original = File.ReadAllBytes(r.Path);
        StoreKeyRecovery record = StoreKeyRecovery.Load(r.RecoveryRecordPath);
        File.Delete(r.Path);
        await _keys.Transit.RotateKeyAsync("cockroach-ear", CancellationToken.None);

        StoreKeyResult restored = await _keys.RestoreAsync(record, r.Path, overwrite: false, CancellationToken.None);
        Assert.Equal(original, File.ReadAllBytes(r.Path));
        Assert.Equal(r.KeyId, restored.KeyId);
        Assert.False(restored.RecoveryRecordWritten); // the record was still there
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(r.Path));

        // Elsewhere (a new disk): key and record both land there.
        string other = PrivateDir();
        try
        {
            StoreKeyResult moved = await _keys.RestoreAsync(record, Path.Combine(other, "node1.key"), false, CancellationToken.None);
            Assert.Equal(original, File.ReadAllBytes(moved.Path));
            Assert.True(moved.RecoveryRecordWritten);
            Assert.Equal("node1.key", StoreKeyRecovery.Load(moved.RecoveryRecordPath).FileName);
        }
        finally
        {
            Directory.Delete(other, true);
        }
    }

    [Fact]
    public void Restore_refuses_to_overwrite_and_reports_an_altered_record()
    {
        StoreKeyResult r = Create();
        StoreKeyRecovery record = StoreKeyRecovery.Load(r.RecoveryRecordPath);
        var exists = Assert.Throws<StoreKeyTargetException>(() => _keys.RestoreAsync(record, r.Path, false, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("AlreadyExists", exists.Reason);

        byte[] raw = Convert.FromBase64String(record.Ciphertext["vault:v1:".Length..]);
        raw[20] ^= 0xff;
        StoreKeyRecovery altered = record with { Ciphertext = "vault:v1:" + Convert.ToBase64String(raw) };
        string target = Path.Combine(_dir, "restored.key");
        var ex = Assert.Throws<VaultApiException>(() => _keys.RestoreAsync(altered, target, false, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains("cannot decrypt", ex.Message);
        Assert.Contains("message authentication failed", ex.Message);
        Assert.False(File.Exists(target));

        var wrongSize = Assert.ThrowsAny<FormatException>(() => _keys.RestoreAsync(record with { KeySize = 128 }, target, false, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains("altered", wrongSize.Message);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Refuses_to_overwrite_without_asking_before_any_request()
    {
        StoreKeyResult r = Create();
        byte[] before = File.ReadAllBytes(r.Path);
        int requests = _vault.EngineRequests.Count();
        var ex = Assert.Throws<StoreKeyTargetException>(() => Create());
        Assert.Equal("AlreadyExists", ex.Reason);
        Assert.Contains("-Force", ex.Message);
        Assert.Equal(before, File.ReadAllBytes(r.Path));
        Assert.Equal(requests, _vault.EngineRequests.Count());
    }

    [Fact]
    public void Missing_or_world_readable_folder_is_refused_before_any_request()
    {
        var missing = Assert.Throws<StoreKeyTargetException>(() => _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(_dir, "nope", "k.key") }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("MissingDirectory", missing.Reason);
        Assert.Contains("mkdir -m 700", missing.Message);

        if (!OperatingSystem.IsWindows())
        {
            string open = Path.Combine(_dir, "open");
            Directory.CreateDirectory(open);
            File.SetUnixFileMode(open, (UnixFileMode)Convert.ToInt32("755", 8));
            var world = Assert.Throws<StoreKeyTargetException>(() => _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(open, "k.key") }, CancellationToken.None).GetAwaiter().GetResult());
            Assert.Equal("DirectoryNotPrivate", world.Reason);
            Assert.Contains($"chmod 700 '{open}'", world.Message);
            Assert.Empty(Directory.GetFiles(open));
        }
        var isDir = Assert.Throws<StoreKeyTargetException>(() => _keys.CreateAsync(new StoreKeyRequest { Path = _dir }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("IsDirectory", isDir.Reason);
        Assert.Empty(_vault.EngineRequests);
    }

    [Theory]
    [InlineData("704")]
    [InlineData("701")]
    [InlineData("702")]
    [InlineData("720")]
    [InlineData("730")]
    [InlineData("770")]
    [InlineData("777")]
    [InlineData("1777")] // sticky /tmp-like folders too: others may still create files in them
    public void A_folder_others_may_read_or_anyone_but_the_owner_may_write_is_refused_with_chmod_700(string octal)
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Path.Combine(_dir, "d" + octal);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32(octal, 8));
        var ex = Assert.Throws<StoreKeyTargetException>(() => _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(dir, "k.key") }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal("DirectoryNotPrivate", ex.Reason);
        Assert.Contains($"chmod 700 '{dir}'", ex.Message);
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Empty(_vault.EngineRequests);
    }

    [Theory]
    [InlineData("700")]
    [InlineData("750")]
    [InlineData("710")]
    public void A_folder_only_its_owner_may_write_is_accepted(string octal)
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Path.Combine(_dir, "ok" + octal);
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32(octal, 8));
        Assert.Equal(Path.Combine(dir, "k.key"), StoreKeys.CheckTarget(Path.Combine(dir, "k.key"), overwrite: false));
    }

    [Fact]
    public void KeySize_192_is_a_clear_error_naming_the_sizes_transit_supports()
    {
        var ex = Assert.Throws<ArgumentException>(() => Create(size: 192));
        Assert.Contains("192", ex.Message);
        Assert.Contains("128, 256 or 512", ex.Message);
        Assert.Contains("-KeySize 256", ex.Message);
        Assert.Throws<ArgumentException>(() => Create(size: 512));
        Assert.Empty(_vault.EngineRequests);
    }

    [Fact]
    public void Without_permission_to_create_the_transit_key_the_error_says_how_to_create_it()
    {
        var ex = Assert.Throws<VaultApiException>(() => _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(_dir, "k.key"), CreateTransitKeyWhenAbsent = false }, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Equal(VaultErrorKind.NotFound, ex.Kind);
        Assert.Contains("vault write -f transit/keys/cockroach-ear", ex.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "k.key")));
    }

    [Fact]
    public void File_format_helpers_check_lengths_and_ids()
    {
        byte[] id = StoreKeyFile.NewKeyId();
        Assert.Equal(56, StoreKeyFile.Compose(id, new byte[24]).Length); // 192-bit files are valid CockroachDB keys
        Assert.Equal(192, StoreKeyFile.Describe(StoreKeyFile.Compose(id, new byte[24])).KeySize);
        Assert.Throws<ArgumentException>(() => StoreKeyFile.Compose(id, new byte[20]));
        Assert.Throws<ArgumentException>(() => StoreKeyFile.Compose(new byte[16], new byte[32]));
        Assert.Throws<FormatException>(() => StoreKeyFile.Describe(new byte[50]));
        Assert.Equal(id, StoreKeyFile.ParseKeyId(StoreKeyFile.KeyIdHex(id)));
        Assert.Throws<FormatException>(() => StoreKeyFile.ParseKeyId("zz"));
        Assert.ThrowsAny<FormatException>(() => StoreKeyRecovery.Parse("{\"KeyId\":\"x\"}"u8, "test"));
    }
}
