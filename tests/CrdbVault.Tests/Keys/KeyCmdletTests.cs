using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>The key cmdlets as a user types them, in the hosted engine, against the transit/keymgmt doubles over HTTP.</summary>
public sealed class KeyCmdletTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly PowerShellSession _ps;
    private readonly string _dir = StoreKeyTests.PrivateDir();

    public KeyCmdletTests()
    {
        _ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = _vault.Address, ["VaultToken"] = _vault.RootToken, ["Dir"] = _dir, ["WorkDir"] = _dir });
        _ps.Run("$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword)").AssertSuccess();
    }

    public void Dispose()
    {
        _ps.Dispose();
        _vault.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void New_CrdbStoreKey_writes_the_key_and_never_shows_it()
    {
        ScriptResult r = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/store.key') -KeySize 128", verbose: true).AssertSuccess();
        PSObject o = Assert.Single(r.Output);
        Assert.Equal("CrdbVault.StoreKey", o.TypeNames[0]);
        byte[] file = File.ReadAllBytes(P("store.key"));
        Assert.Equal(48, file.Length);
        Assert.Equal(o.Properties["KeyId"].Value, Convert.ToHexString(file, 0, 32).ToLowerInvariant());
        Assert.Equal(128, o.Properties["KeySize"].Value);
        Assert.Equal(P("store.key") + ".vault.json", o.Properties["RecoveryRecordPath"].Value);
        Assert.StartsWith("vault:v1:", (string)o.Properties["Ciphertext"].Value);
        Assert.Contains(r.Verbose, v => v.Contains("Created transit key transit/keys/cockroach-ear"));

        byte[] key = file[32..];
        string all = r.AllText();
        foreach (string form in new[] { Convert.ToBase64String(key), Convert.ToHexString(key), Convert.ToHexString(key).ToLowerInvariant() })
            Assert.DoesNotContain(form, all, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Refusals_come_before_any_request_with_a_fix_in_the_message()
    {
        File.WriteAllBytes(P("exists.key"), [1, 2, 3]);
        ErrorRecord exists = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/exists.key')").SingleError();
        Assert.Equal("StoreKeyExists,CrdbVault.Commands.NewCrdbStoreKeyCommand", exists.FullyQualifiedErrorId);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(P("exists.key")));

        ErrorRecord size = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/k.key') -KeySize 192").SingleError();
        Assert.StartsWith("InvalidStoreKeyArgument", size.FullyQualifiedErrorId);
        Assert.Contains("transit generates data keys of 128, 256 or 512 bits", size.Exception.Message);

        ErrorRecord missing = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/no/k.key')").SingleError();
        Assert.StartsWith("StoreKeyDirectoryMissing", missing.FullyQualifiedErrorId);

        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(P("open"));
            File.SetUnixFileMode(P("open"), (UnixFileMode)Convert.ToInt32("755", 8));
            ErrorRecord open = _ps.Run("New-CrdbStoreKey -Path ($Dir + '/open/k.key')").SingleError();
            Assert.StartsWith("StoreKeyDirectoryNotPrivate", open.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.SecurityError, open.CategoryInfo.Category);
            Assert.Contains($"chmod 700 '{P("open")}'", open.Exception.Message);
        }
        Assert.Empty(_vault.EngineRequests);
    }

    [Fact]
    public void WhatIf_writes_nothing_and_asks_nothing()
    {
        _ps.Run("New-CrdbStoreKey -Path ($Dir + '/w.key') -WhatIf").AssertSuccess();
        Assert.False(File.Exists(P("w.key")));
        Assert.Empty(_vault.EngineRequests);
    }

    [Fact]
    public void Restore_from_the_record_or_the_pipeline_gives_the_identical_file()
    {
        _ps.Run("$k = New-CrdbStoreKey -Path ($Dir + '/a.key')").AssertSuccess();
        byte[] original = File.ReadAllBytes(P("a.key"));
        File.Delete(P("a.key"));

        ScriptResult r = _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/a.key.vault.json')").AssertSuccess();
        Assert.Equal(original, File.ReadAllBytes(P("a.key")));
        Assert.Equal("CrdbVault.StoreKey", Assert.Single(r.Output).TypeNames[0]);

        ErrorRecord exists = _ps.Run("$k | Restore-CrdbStoreKey").SingleError();
        Assert.StartsWith("StoreKeyExists", exists.FullyQualifiedErrorId);

        _ps.Run("$k | Restore-CrdbStoreKey -Path ($Dir + '/b.key')").AssertSuccess();
        Assert.Equal(original, File.ReadAllBytes(P("b.key")));
        Assert.True(File.Exists(P("b.key.vault.json")));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(P("b.key")));

        ErrorRecord bad = _ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/none.json')").SingleError();
        Assert.StartsWith("RecoveryRecordNotFound", bad.FullyQualifiedErrorId);
    }

    [Fact]
    public void New_CrdbCmekKey_returns_a_spec_that_binds_by_property_name()
    {
        ScriptResult r = _ps.Run("""
            $cred = @{ access_key = 'AKIAEXAMPLE'; secret_key = [System.Net.NetworkCredential]::new('', 'aws-secret-123').SecurePassword }
            New-CrdbCmekKey -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 -AwsAccountId 111122223333 `
                -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek' -ProviderCredential $cred
            """, verbose: true).AssertSuccess();
        PSObject spec = Assert.Single(r.Output);
        Assert.Equal("CrdbVault.CmekKeySpec", spec.TypeNames[0]);
        Assert.Equal("us-east-1", spec.Properties["Region"].Value);
        Assert.Equal("AWS_KMS", spec.Properties["Type"].Value);
        Assert.Matches(@"^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$", (string)spec.Properties["Uri"].Value);
        Assert.Equal("arn:aws:iam::111122223333:role/crdb-cmek", spec.Properties["AuthPrincipal"].Value);
        Assert.Contains(r.Verbose, v => v.Contains("crdb-cmek-") && v.Contains("awskms"));
        Assert.DoesNotContain("aws-secret-123", r.AllText());
        Assert.Equal("aws-secret-123", _vault.Keymgmt.CredentialsOf("aws-use1")["secret_key"]);

        // The same four property names bind into a cmdlet by name (as they will into Set-CrdbCmek).
        _ps.SetVariable("spec", spec);
        PSObject again = Assert.Single(_ps.Run("$spec | New-CrdbCmekRegionSpec").AssertSuccess().Output);
        Assert.Equal(spec.Properties["Uri"].Value, again.Properties["Uri"].Value);
    }

    [Fact]
    public void New_CrdbCmekKey_names_the_missing_parameter()
    {
        ErrorRecord e = _ps.Run("New-CrdbCmekKey -Name k -Provider awskms -KmsName a -KeyCollection us-east-1 -AuthPrincipal 'arn:aws:iam::111122223333:role/r'").SingleError();
        Assert.StartsWith("CmekParameterRequired", e.FullyQualifiedErrorId);
        Assert.Contains("add -AwsAccountId", e.Exception.Message);
        ErrorRecord p = _ps.Run("New-CrdbCmekKey -Name k -Provider gcpckms -KmsName g -KeyCollection projects/p-123456/locations/us-east1/keyRings/r").SingleError();
        Assert.StartsWith("InvalidCmekKeyArgument", p.FullyQualifiedErrorId);
        Assert.Contains("-AuthPrincipal is empty", p.Exception.Message);
        Assert.Empty(_vault.EngineRequests);
    }

    [Fact]
    public void New_CrdbCmekRegionSpec_validates_and_reports_each_bad_item()
    {
        ScriptResult r = _ps.Run("""
            @(
              [pscustomobject]@{ Region = 'us-central1'; Type = 'GCP_CLOUD_KMS'; Uri = 'projects/acme-prod/locations/us-central1/keyRings/r/cryptoKeys/k'; AuthPrincipal = 'crdb@acme-prod.iam.gserviceaccount.com' },
              [pscustomobject]@{ Region = 'us-east-1'; Type = 'AWS_KMS'; Uri = 'not-an-arn'; AuthPrincipal = 'arn:aws:iam::111122223333:role/r' },
              [pscustomobject]@{ Region = 'eastus'; Type = 'AZURE_KEY_VAULT'; Uri = 'https://kv1.vault.azure.net/keys/k/0123456789abcdef0123456789abcdef'; AuthPrincipal = '' }
            ) | New-CrdbCmekRegionSpec
            """);
        Assert.True(r.Output.Count == 1, string.Join("\n", r.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
        PSObject ok = r.Output[0];
        Assert.Equal("CrdbVault.CmekKeySpec", ok.TypeNames[0]);
        Assert.Equal(2, r.Errors.Count);
        Assert.Contains("not an AWS KMS key ARN", r.Errors[0].Exception.Message);
        Assert.Contains("-AuthPrincipal is empty", r.Errors[1].Exception.Message);
        Assert.All(r.Errors, e => Assert.StartsWith("InvalidCmekRegionSpec", e.FullyQualifiedErrorId));
    }

    [Fact]
    public void StoreKey_scenario_passes()
    {
        string script = File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios", "StoreKey.ps1"));
        ScriptResult r = _ps.Run(script).AssertSuccess();
        Assert.Equal("StoreKey scenario passed", r.Output[^1].ToString());
    }
}
