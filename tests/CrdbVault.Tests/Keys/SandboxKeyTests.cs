using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>
/// The key cmdlets against the full sandbox Vault double: engines mounted through sys/mounts,
/// tokens with ACL policies, so least-privilege use and permission errors are real.
/// </summary>
[Collection("sandbox")]
public sealed class SandboxKeyTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _dir = StoreKeyTests.PrivateDir();

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private PowerShellSession Connect(string token)
    {
        var ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = sandbox.World.VaultAddress, ["VaultToken"] = token, ["Dir"] = _dir });
        ps.Run("$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword)").AssertSuccess();
        return ps;
    }

    [Fact]
    public void A_Vault_without_a_keymgmt_mount_gets_an_error_that_says_how_to_enable_it()
    {
        // Vault answers 404 "no handler for route" when nothing is mounted there (a bare 404 before).
        using PowerShellSession ps = Connect(sandbox.World.RootToken);
        ps.SetVariable("Mount", SandboxFixture.Unique("nokeymgmt"));
        ErrorRecord e = ps.Run("""
            New-CrdbCmekKey -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 -AwsAccountId 111122223333 `
                -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek' -MountPath $Mount
            """).SingleError();
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        string mount = (string)ps.GetVariable("Mount")!;
        Assert.Contains($"is a Key Management secrets engine mounted at '{mount}/'?", e.Exception.Message);
        Assert.Contains($"vault secrets enable -path={mount} keymgmt", e.Exception.Message);
    }

    [Fact]
    public async Task Store_keys_work_with_a_token_that_may_only_make_data_keys_wrap_and_unwrap()
    {
        string mount = SandboxFixture.Unique("transit");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "transit" })).Code);
        Assert.Equal(200, (await sandbox.RootAsync("POST", $"{mount}/keys/ear", new { })).Code);
        string policy = SandboxFixture.Unique("ear");
        sandbox.World.Vault.WritePolicy(policy, $$"""
            path "{{mount}}/datakey/plaintext/ear" { capabilities = ["update"] }
            path "{{mount}}/encrypt/ear" { capabilities = ["update"] }
            path "{{mount}}/decrypt/ear" { capabilities = ["update"] }
            """);
        using PowerShellSession ps = Connect(sandbox.World.Vault.CreateToken([policy]).Id);
        ps.SetVariable("Mount", mount);

        PSObject key = Assert.Single(ps.Run("New-CrdbStoreKey -Path ($Dir + '/s.key') -MountPath $Mount -TransitKey ear -NoCreateTransitKey").AssertSuccess().Output);
        byte[] original = File.ReadAllBytes(Path.Combine(_dir, "s.key"));
        Assert.Equal(64, original.Length);
        Assert.Equal(mount, key.Properties["TransitMount"].Value);

        File.Delete(Path.Combine(_dir, "s.key"));
        ps.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/s.key.vault.json')").AssertSuccess();
        Assert.Equal(original, File.ReadAllBytes(Path.Combine(_dir, "s.key")));

        // Another transit key is out of bounds for this token: a permission error that names the path.
        ErrorRecord denied = ps.Run("New-CrdbStoreKey -Path ($Dir + '/t.key') -MountPath $Mount -TransitKey other").SingleError();
        Assert.StartsWith("VaultPermissionDenied", denied.FullyQualifiedErrorId);
        Assert.Contains($"{mount}/datakey/plaintext/other", denied.Exception.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "t.key")));
    }

    [Fact]
    public async Task Restore_without_decrypt_permission_is_a_permission_error_and_writes_nothing()
    {
        string mount = SandboxFixture.Unique("transit");
        await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "transit" });
        using PowerShellSession root = Connect(sandbox.World.RootToken);
        root.SetVariable("Mount", mount);
        root.Run("$null = New-CrdbStoreKey -Path ($Dir + '/r.key') -MountPath $Mount").AssertSuccess();
        File.Delete(Path.Combine(_dir, "r.key"));

        string policy = SandboxFixture.Unique("nodecrypt");
        sandbox.World.Vault.WritePolicy(policy, $$"""path "{{mount}}/datakey/*" { capabilities = ["update"] }""");
        using PowerShellSession limited = Connect(sandbox.World.Vault.CreateToken([policy]).Id);
        ErrorRecord e = limited.Run("Restore-CrdbStoreKey -RecoveryRecord ($Dir + '/r.key.vault.json')").SingleError();
        Assert.StartsWith("VaultPermissionDenied", e.FullyQualifiedErrorId);
        Assert.Contains($"{mount}/decrypt/cockroach-ear", e.Exception.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "r.key")));
    }

    [Fact]
    public async Task Cmek_key_through_a_keymgmt_mount_of_the_sandbox()
    {
        string mount = SandboxFixture.Unique("keymgmt");
        Assert.Equal(204, (await sandbox.RootAsync("POST", $"sys/mounts/{mount}", new { type = "keymgmt" })).Code);
        using PowerShellSession ps = Connect(sandbox.World.RootToken);
        ps.SetVariable("Mount", mount);
        PSObject spec = Assert.Single(ps.Run("""
            New-CrdbCmekKey -MountPath $Mount -Name crdb -Provider gcpckms -KmsName gcp -KeyCollection projects/acme-prod/locations/us-east1/keyRings/crdb `
                -AuthPrincipal crdb-cmek@acme-prod.iam.gserviceaccount.com -ProviderCredential @{ service_account_file = '/etc/vault/gcp.json' }
            """).AssertSuccess().Output);
        Assert.Equal("us-east1", spec.Properties["Region"].Value);
        Assert.Equal("GCP_CLOUD_KMS", spec.Properties["Type"].Value);
        Assert.Matches(@"^projects/acme-prod/locations/us-east1/keyRings/crdb/cryptoKeys/crdb-\d{10}$", (string)spec.Properties["Uri"].Value);

        var read = await sandbox.RootAsync("GET", $"{mount}/kms/gcp/key/crdb");
        Assert.Equal("encrypt,decrypt", (string?)read.Data!["purpose"]);
        Assert.EndsWith((string)read.Data!["name"]!, (string)spec.Properties["Uri"].Value);
    }
}
