using CrdbVault.Core.Files;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// A store key set is a key file and its recovery record; two files cannot be swapped at once. The
/// writer's fault hook "kills the process" after each write and rename step; whatever is on disk
/// then must be the old set, the new set, or a mix that the next run reports — and the key
/// material in temporary files must be gone after the next run.
/// </summary>
public sealed class StoreKeyCrashTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly VaultClient _client;
    private readonly StoreKeys _keys;
    private readonly string _dir = StoreKeyTests.PrivateDir();

    public StoreKeyCrashTests()
    {
        _client = _vault.CreateClient();
        _keys = new StoreKeys(_client);
    }

    public void Dispose()
    {
        InternalHooks.AfterFileStep.Value = null;
        _client.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string KeyPath => Path.Combine(_dir, "store.key");

    private StoreKeyResult Create(bool overwrite) =>
        _keys.CreateAsync(new StoreKeyRequest { Path = KeyPath, Overwrite = overwrite }, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Thrown by the hook: the process "dies" here, so no clean-up code may run.</summary>
    private sealed class ProcessDied : Exception;

    private void CrashAfterStep(int step)
    {
        int seen = 0;
        InternalHooks.AfterFileStep.Value = _ => { if (++seen == step) throw new ProcessDied(); };
    }

    private string? KeyFileId() => File.Exists(KeyPath) ? StoreKeyFile.Describe(File.ReadAllBytes(KeyPath)).KeyId : null;

    private string? RecordId() => File.Exists(KeyPath + ".vault.json") ? StoreKeyRecovery.Load(KeyPath + ".vault.json").KeyId : null;

    private string[] Temporaries() => Directory.GetFiles(_dir, ".*.tmp");

    // A set is two files: a temporary each (steps 1-2), then a rename each (steps 3-4).
    public static TheoryData<int> Steps => new() { 1, 2, 3, 4 };

    /// <summary>Temporaries on disk after dying at step n: written minus renamed.</summary>
    private static readonly int[] TempsLeftAfter = [0, 1, 2, 1, 0];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Replacing_a_set_killed_after_any_step_leaves_old_new_or_a_reported_mix(int step)
    {
        StoreKeyResult old = Create(overwrite: false);
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => Create(overwrite: true));
        InternalHooks.AfterFileStep.Value = null;

        // The key path is never missing: each file is replaced by one rename.
        Assert.True(File.Exists(KeyPath), "the key file went missing");
        Assert.True(File.Exists(KeyPath + ".vault.json"), "the record went missing");
        string keyId = KeyFileId()!, recordId = RecordId()!;
        if (keyId == recordId)
        {
            Assert.True(keyId == old.KeyId || step == 4, $"after step {step} the set should still be the old one");
        }
        else
        {
            // A mix: the next run of New-CrdbStoreKey says so, with a stable reason and the repair.
            Assert.Equal(old.KeyId, keyId); // the record is placed first: a key never lacks its record
            var next = Assert.Throws<StoreKeyTargetException>(() => Create(overwrite: false));
            Assert.Equal("SetInconsistent", next.Reason);
            Assert.Contains("Restore-CrdbStoreKey", next.Message);
            Assert.Contains("-Force", next.Message);
            // ...and so does Restore-CrdbStoreKey without -Force: the repair is that restore with -Force.
            StoreKeyRecovery record = StoreKeyRecovery.Load(KeyPath + ".vault.json");
            var restore = Assert.Throws<StoreKeyTargetException>(() => StoreKeys.CheckRestoreTarget(KeyPath, record, overwrite: false));
            Assert.Equal("SetInconsistent", restore.Reason);
            await _keys.RestoreAsync(record, KeyPath, overwrite: true, CancellationToken.None);
            Assert.Equal(RecordId(), KeyFileId());
        }

        // Temporaries holding key material are removed by the next run.
        if (keyId == recordId) Assert.Equal(TempsLeftAfter[step], Temporaries().Length);
        Create(overwrite: true);
        Assert.Empty(Temporaries());
        Assert.Equal(RecordId(), KeyFileId());
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_first_set_killed_after_any_step_is_reported_by_the_next_run(int step)
    {
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => Create(overwrite: false));
        InternalHooks.AfterFileStep.Value = null;

        string? keyId = KeyFileId(), recordId = RecordId();
        Assert.False(keyId is not null && recordId is null, "a key file without its recovery record");
        Assert.Equal(TempsLeftAfter[step], Temporaries().Length);
        if (keyId is null && recordId is not null)
        {
            var next = Assert.Throws<StoreKeyTargetException>(() => Create(overwrite: false));
            Assert.Equal("SetInconsistent", next.Reason);
            Assert.Contains("Restore-CrdbStoreKey", next.Message);
            // The record alone restores the key it describes.
            await _keys.RestoreAsync(StoreKeyRecovery.Load(KeyPath + ".vault.json"), KeyPath, overwrite: false, CancellationToken.None);
            Assert.Equal(recordId, KeyFileId());
        }
        else if (keyId is null)
        {
            Create(overwrite: false); // nothing was placed: the next run just works
        }
        Assert.Equal(RecordId(), KeyFileId());
        Create(overwrite: true);
        Assert.Empty(Temporaries());
    }

    [Fact]
    public void A_real_failure_between_renames_names_what_was_replaced()
    {
        Create(overwrite: false);
        // A rename that fails for real (not a crash): the record is in place, the key is not.
        InternalHooks.AfterFileStep.Value = s => { if (s.Kind == WriteStepKind.Renamed && s.Index == 0) File.Delete(Directory.GetFiles(_dir, ".store.key.*.tmp").Single()); };
        var ex = Assert.Throws<PartialWriteException>(() => Create(overwrite: true));
        InternalHooks.AfterFileStep.Value = null;
        Assert.Equal([KeyPath + ".vault.json"], ex.Placed);
        Assert.Equal([KeyPath], ex.NotPlaced);
        Assert.Contains("-Force", ex.Message);
        Assert.Equal("SetInconsistent", Assert.Throws<StoreKeyTargetException>(() => Create(overwrite: false)).Reason);
    }
}
