using System.Management.Automation;
using System.Text.Json.Nodes;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// The store key cmdlets when records or files are not what they should be: altered or old
/// records, and key sets left mixed by an interrupted write, as a user meets them.
/// </summary>
public sealed class StoreKeyIntegrityCmdletTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly PowerShellSession _ps;
    private readonly string _dir = StoreKeyTests.PrivateDir();

    public StoreKeyIntegrityCmdletTests()
    {
        _ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = _vault.Address, ["VaultToken"] = _vault.RootToken, ["Dir"] = _dir });
        _ps.Run("$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword)").AssertSuccess();
    }

    public void Dispose()
    {
        _ps.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string P(string name) => Path.Combine(_dir, name);

    private void EditRecord(string record, Action<JsonObject> edit)
    {
        JsonObject json = JsonNode.Parse(File.ReadAllText(record))!.AsObject();
        edit(json);
        File.WriteAllText(record, json.ToJsonString());
    }

    [Fact]
    public void Restore_refuses_a_record_with_another_records_ciphertext_and_writes_nothing()
    {
        _ps.Run("$null = New-CrdbStoreKey -Path ($Dir + '/a.key'); $null = New-CrdbStoreKey -Path ($Dir + '/b.key')").AssertSuccess();
        string bCiphertext = JsonNode.Parse(File.ReadAllText(P("b.key.vault.json")))!["Ciphertext"]!.GetValue<string>();
        EditRecord(P("a.key.vault.json"), j => j["Ciphertext"] = bCiphertext);
        File.Delete(P("a.key"));

        ErrorRecord e = _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/a.key.vault.json')").SingleError();

        Assert.StartsWith("RecoveryRecordAltered", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.SecurityError, e.CategoryInfo.Category);
        Assert.Contains("Nothing was written", e.Exception.Message);
        Assert.False(File.Exists(P("a.key")));
    }

    [Fact]
    public void Restore_refuses_an_unversioned_record_and_says_how_to_make_a_new_key()
    {
        _ps.Run("$null = New-CrdbStoreKey -Path ($Dir + '/old.key')").AssertSuccess();
        EditRecord(P("old.key.vault.json"), j => { j.Remove("Version"); j["Format"] = "crdbvault-store-key-v1"; });
        File.Delete(P("old.key"));

        ErrorRecord e = _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/old.key.vault.json')").SingleError();

        Assert.StartsWith("RecoveryRecordVersionUnsupported", e.FullyQualifiedErrorId);
        Assert.Contains("New-CrdbStoreKey -Path", e.Exception.Message);
        Assert.False(File.Exists(P("old.key")));
        Assert.DoesNotContain(_vault.EngineRequests, r => r.Contains("/decrypt/"));
    }

    [Fact]
    public void A_mixed_set_is_reported_by_both_cmdlets_and_restore_with_force_repairs_it()
    {
        // What New-CrdbStoreKey -Force leaves when killed between its two renames: the new record
        // beside the old key.
        _ps.Run("$null = New-CrdbStoreKey -Path ($Dir + '/a.key'); $null = New-CrdbStoreKey -Path ($Dir + '/b.key')").AssertSuccess();
        File.Copy(P("b.key.vault.json"), P("a.key.vault.json"), overwrite: true);
        EditRecord(P("a.key.vault.json"), j => j["FileName"] = "a.key");
        byte[] oldKey = File.ReadAllBytes(P("a.key"));

        ErrorRecord again = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/a.key')").SingleError();
        Assert.StartsWith("StoreKeySetInconsistent", again.FullyQualifiedErrorId);
        Assert.Contains("Restore-CrdbStoreKey -RecoveryRecord", again.Exception.Message);

        ErrorRecord restore = _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/a.key.vault.json')").SingleError();
        Assert.StartsWith("StoreKeySetInconsistent", restore.FullyQualifiedErrorId);
        Assert.Equal(oldKey, File.ReadAllBytes(P("a.key")));

        _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/a.key.vault.json') -Force").AssertSuccess();
        Assert.Equal(File.ReadAllBytes(P("b.key")), File.ReadAllBytes(P("a.key")));
    }

    [Fact]
    public void The_next_run_removes_temporaries_and_reports_old_backups()
    {
        _ps.Run("$null = New-CrdbStoreKey -Path ($Dir + '/k.key')").AssertSuccess();
        string temp = P(".k.key." + Guid.NewGuid().ToString("N") + ".tmp");
        string backup = P("k.key." + Guid.NewGuid().ToString("N") + ".bak");
        File.WriteAllBytes(temp, new byte[64]);
        File.WriteAllBytes(backup, new byte[64]);
        string unrelated = P(".k.key.notours.tmp");
        File.WriteAllBytes(unrelated, [1]);

        ScriptResult r = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/k.key') -Force", verbose: true).AssertSuccess();

        Assert.False(File.Exists(temp));
        Assert.Contains(r.Verbose, v => v.Contains(temp) && v.Contains("interrupted write"));
        Assert.True(File.Exists(backup), "a backup may be the only copy of a key: reported, never deleted");
        Assert.Contains(r.Warnings, w => w.Contains(backup) && w.Contains("rename the backup back"));
        Assert.True(File.Exists(unrelated), "only files named like our temporaries are removed");
    }
}
