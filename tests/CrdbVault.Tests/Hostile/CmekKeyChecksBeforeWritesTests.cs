using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using CrdbVault.Tests.Keys;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// Issue 8, defect 4: New-CrdbCmekKey used to create the KMS provider, the key and the distribution
/// and only then find that the key collection could never give a key URI. Every input is now
/// checked before the first write.
/// </summary>
public sealed class CmekKeyChecksBeforeWritesTests : IDisposable
{
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly PowerShellSession _ps;

    public CmekKeyChecksBeforeWritesTests()
    {
        _ps = new PowerShellSession(new Dictionary<string, object?> { ["VaultAddress"] = _vault.Address, ["VaultToken"] = _vault.RootToken });
        _ps.Run("$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword)").AssertSuccess();
    }

    public void Dispose()
    {
        _ps.Dispose();
        _vault.Dispose();
    }

    private IEnumerable<string> Writes => _vault.EngineRequests.Where(r => !r.StartsWith("GET ", StringComparison.Ordinal) && !r.StartsWith("LIST ", StringComparison.Ordinal));

    [Theory]
    [InlineData("awskms", "'not a region'", "-AwsAccountId 111122223333 -AuthPrincipal 'arn:aws:iam::111122223333:role/r'")]
    [InlineData("gcpckms", "'projects/p/keyRings/r'", "-AuthPrincipal 'crdb@p.iam.gserviceaccount.com'")]
    [InlineData("azurekeyvault", "'not a vault!'", "-Region eastus -AuthPrincipal '0f3f7c2e-1d2b-4c5a-9e8f-7a6b5c4d3e2f'")]
    public void A_key_collection_that_can_never_give_a_key_uri_is_refused_before_any_request(string provider, string collection, string rest)
    {
        ErrorRecord e = _ps.Run($"New-CrdbCmekKey -Name k1 -Provider {provider} -KmsName kms1 -KeyCollection {collection} {rest}").SingleError();

        Assert.Contains("KeyCollection", e.Exception.Message);
        Assert.Empty(_vault.EngineRequests);
    }

    [Fact]
    public async Task An_existing_provider_whose_key_collection_cannot_give_a_uri_is_refused_before_the_key_is_created()
    {
        using (var client = _vault.CreateClient())
            await client.WriteAsync("keymgmt/kms/legacy", new { provider = "awskms", key_collection = "not-a-region" }, Core.Vault.VaultRequestOptions.IdempotentWrite, CancellationToken.None);
        int writesBefore = Writes.Count();

        ErrorRecord e = _ps.Run("New-CrdbCmekKey -Name k2 -Provider awskms -KmsName legacy -AwsAccountId 111122223333 -AuthPrincipal 'arn:aws:iam::111122223333:role/r'").SingleError();

        Assert.Contains("not-a-region", e.Exception.Message);
        Assert.Equal(writesBefore, Writes.Count());
    }

    [Fact]
    public void A_malformed_aws_account_or_key_id_is_refused_before_any_request()
    {
        ErrorRecord account = _ps.Run("New-CrdbCmekKey -Name k3 -Provider awskms -KmsName kms3 -KeyCollection us-east-1 -AwsAccountId 12345 -AuthPrincipal 'arn:aws:iam::111122223333:role/r'").SingleError();
        Assert.Contains("AwsAccountId", account.Exception.Message);
        ErrorRecord keyId = _ps.Run("New-CrdbCmekKey -Name k3 -Provider awskms -KmsName kms3 -KeyCollection us-east-1 -AwsAccountId 111122223333 -AwsKeyId 'key/../x' -AuthPrincipal 'arn:aws:iam::111122223333:role/r'").SingleError();
        Assert.Contains("AwsKeyId", keyId.Exception.Message);
        Assert.Empty(_vault.EngineRequests);
    }
}
