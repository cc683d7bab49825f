using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// A recovery record binds key ID, key size and key together: transit wraps the whole key file
/// (ID + key), so a record altered in any field that matters is refused and nothing is written.
/// Records live anywhere (backups, git), so every field is hostile input.
/// </summary>
public sealed class StoreKeyRecordTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly VaultClient _client;
    private readonly StoreKeys _keys;
    private readonly string _dir = StoreKeyTests.PrivateDir();

    public StoreKeyRecordTests()
    {
        _client = _vault.CreateClient();
        _keys = new StoreKeys(_client);
    }

    public void Dispose()
    {
        _client.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private StoreKeyResult Create(string name, int size = 256) =>
        _keys.CreateAsync(new StoreKeyRequest { Path = Path.Combine(_dir, name), KeySize = size }, CancellationToken.None).GetAwaiter().GetResult();

    private StoreKeyResult Restore(StoreKeyRecovery record, string target) =>
        _keys.RestoreAsync(record, target, overwrite: false, CancellationToken.None).GetAwaiter().GetResult();

    private static string OtherKeyId(string keyId) => (keyId[0] == '0' ? "1" : "0") + keyId[1..];

    public static TheoryData<string> AlteredFields => new() { "KeyId", "KeySize", "Ciphertext of another record", "Ciphertext bit flip", "TransitKey", "TransitMount", "Version", "Format" };

    [Theory]
    [MemberData(nameof(AlteredFields))]
    public async Task A_record_altered_in_any_binding_field_is_refused_and_nothing_is_written(string field)
    {
        StoreKeyResult a = Create("a.key");
        StoreKeyResult b = Create("b.key");
        StoreKeyRecovery record = StoreKeyRecovery.Load(a.RecoveryRecordPath);
        byte[] raw = Convert.FromBase64String(record.Ciphertext[(record.Ciphertext.LastIndexOf(':') + 1)..]);
        raw[raw.Length / 2] ^= 0x01;
        StoreKeyRecovery altered = field switch
        {
            "KeyId" => record with { KeyId = OtherKeyId(record.KeyId) },
            "KeySize" => record with { KeySize = 128 },
            "Ciphertext of another record" => record with { Ciphertext = b.Ciphertext },
            "Ciphertext bit flip" => record with { Ciphertext = record.Ciphertext[..(record.Ciphertext.LastIndexOf(':') + 1)] + Convert.ToBase64String(raw) },
            "TransitKey" => record with { TransitKey = "another-key" },
            "TransitMount" => record with { TransitMount = "keymgmt" },
            "Version" => record with { Version = 1 },
            "Format" => record with { Format = "crdbvault-store-key-v1" },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
        if (field == "TransitKey") await _keys.Transit.CreateKeyAsync("another-key", "aes256-gcm96", CancellationToken.None);
        string target = Path.Combine(_dir, "restored.key");

        Exception ex = Assert.ThrowsAny<Exception>(() => Restore(altered, target));

        Assert.True(ex is FormatException or VaultApiException or ArgumentException, ex.ToString());
        Assert.False(File.Exists(target), $"{field}: a key file was written");
        Assert.False(File.Exists(target + ".vault.json"), $"{field}: a record was written");
        Assert.Empty(Directory.GetFiles(_dir, ".restored.key*"));
    }

    [Fact]
    public void A_changed_key_id_or_pasted_ciphertext_is_called_altered_and_names_the_fix()
    {
        StoreKeyResult a = Create("a.key");
        StoreKeyResult b = Create("b.key");
        StoreKeyRecovery record = StoreKeyRecovery.Load(a.RecoveryRecordPath);
        string target = Path.Combine(_dir, "restored.key");

        var id = Assert.Throws<StoreKeyRecordException>(() => Restore(record with { KeyId = OtherKeyId(record.KeyId) }, target));
        Assert.Equal(StoreKeyRecordProblem.Altered, id.Problem);
        Assert.Contains("KeyId", id.Message);
        Assert.Contains("Nothing was written", id.Message);

        var pasted = Assert.Throws<StoreKeyRecordException>(() => Restore(record with { Ciphertext = b.Ciphertext }, target));
        Assert.Equal(StoreKeyRecordProblem.Altered, pasted.Problem);
        Assert.Contains(b.KeyId, pasted.Message); // says which key the ciphertext really holds
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Descriptive_fields_do_not_change_the_bytes_restored()
    {
        // FileName only picks the default destination and CreatedAt is informational: neither can
        // make a key file whose ID and key do not belong together.
        StoreKeyResult a = Create("a.key");
        byte[] original = File.ReadAllBytes(a.Path);
        StoreKeyRecovery record = StoreKeyRecovery.Load(a.RecoveryRecordPath) with { FileName = "elsewhere.key", CreatedAt = DateTimeOffset.UnixEpoch };
        StoreKeyResult restored = Restore(record, Path.Combine(_dir, "copy.key"));
        Assert.Equal(original, File.ReadAllBytes(restored.Path));
    }

    [Fact]
    public async Task The_ciphertext_wraps_the_whole_key_file_and_restores_byte_identical()
    {
        StoreKeyResult r = Create("k.key", 128);
        byte[] file = File.ReadAllBytes(r.Path);
        byte[] unwrapped = await _keys.Transit.DecryptAsync("cockroach-ear", r.Ciphertext, CancellationToken.None);
        Assert.Equal(file, unwrapped);
        Assert.Equal(48, unwrapped.Length);

        StoreKeyRecovery record = StoreKeyRecovery.Load(r.RecoveryRecordPath);
        Assert.Equal(StoreKeyRecovery.CurrentVersion, record.Version);
        File.Delete(r.Path);
        Restore(record, r.Path);
        Assert.Equal(file, File.ReadAllBytes(r.Path));
    }

    [Fact]
    public void An_unversioned_record_is_refused_with_how_to_make_a_new_key()
    {
        // The shape written before records had a version: the data key alone wrapped, no Version.
        string json = """
            {"Format":"crdbvault-store-key-v1","KeyId":"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
             "TransitMount":"transit","TransitKey":"cockroach-ear","Ciphertext":"vault:v1:AAAA","KeySize":256,
             "CreatedAt":"2026-01-01T00:00:00+00:00","FileName":"store.key"}
            """;
        var ex = Assert.Throws<StoreKeyRecordException>(() => StoreKeyRecovery.Parse(Encoding.UTF8.GetBytes(json), "old.vault.json"));
        Assert.Equal(StoreKeyRecordProblem.UnsupportedVersion, ex.Problem);
        Assert.Contains("New-CrdbStoreKey", ex.Message);
        Assert.Contains("old-key=", ex.Message);

        JsonObject newer = JsonNode.Parse(json)!.AsObject();
        newer["Format"] = StoreKeyRecovery.FormatName;
        newer["Version"] = StoreKeyRecovery.CurrentVersion + 1;
        var future = Assert.Throws<StoreKeyRecordException>(() => StoreKeyRecovery.Parse(Encoding.UTF8.GetBytes(newer.ToJsonString()), "new.vault.json"));
        Assert.Equal(StoreKeyRecordProblem.UnsupportedVersion, future.Problem);
        Assert.Contains("newer", future.Message);
    }

    [Fact]
    public void Parsing_has_a_size_and_depth_budget()
    {
        string big = Path.Combine(_dir, "big.vault.json");
        File.WriteAllText(big, "{\"Format\":\"" + new string('x', 200_000) + "\"}");
        var tooBig = Assert.Throws<StoreKeyRecordException>(() => StoreKeyRecovery.Load(big));
        Assert.Contains("bytes", tooBig.Message);

        string deep = new string('[', 1000) + new string(']', 1000);
        Assert.ThrowsAny<FormatException>(() => StoreKeyRecovery.Parse(Encoding.UTF8.GetBytes("{\"KeyId\":" + deep + "}"), "deep"));
    }
}
