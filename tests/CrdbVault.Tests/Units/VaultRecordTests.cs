using System.Text;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Database;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

/// <summary>
/// Each endpoint's record reads every shape Vault's docs or servers show for it: the tolerance the
/// engines relied on when they read fields by name lives in these records now.
/// </summary>
public sealed class VaultRecordTests
{
    private static T Data<T>(string json) where T : class => VaultResponse.Parse(Encoding.UTF8.GetBytes(json)).DataAs<T>()!;

    [Fact]
    public void A_connection_is_read_nested_as_servers_send_it_and_flat_as_the_docs_show_it()
    {
        var nested = Data<DatabaseConfigData>("""
            {"data":{"plugin_name":"postgresql-database-plugin","allowed_roles":["app","ro"],
             "connection_details":{"connection_url":"postgresql://{{username}}:{{password}}@db:26257/defaultdb","username":"vault","verify_connection":false}}}
            """);
        Assert.Equal("vault", nested.ConnectionDetails!.Username);
        Assert.False(nested.ConnectionDetails.VerifyConnection);
        Assert.Equal(["app", "ro"], nested.AllowedRoles);

        var flat = Data<DatabaseConfigData>("""{"data":{"plugin_name":"p","connection_url":"postgresql://x","username":"u","allowed_roles":"app,ro"}}""");
        Assert.Null(flat.ConnectionDetails);
        Assert.Equal("u", flat.Username);
        Assert.Null(flat.VerifyConnection);
        Assert.Equal(["app", "ro"], flat.AllowedRoles);
    }

    [Fact]
    public void Role_statements_come_as_a_list_or_as_one_string_and_ttls_as_seconds_or_durations()
    {
        var list = Data<DatabaseRoleData>("""{"data":{"db_name":"pg","creation_statements":["CREATE ROLE a, b","GRANT x"],"default_ttl":3600,"max_ttl":"24h"}}""");
        Assert.Equal(["CREATE ROLE a, b", "GRANT x"], list.CreationStatements);
        Assert.Equal(TimeSpan.FromHours(1), list.DefaultTtl);
        Assert.Equal(TimeSpan.FromHours(24), list.MaxTtl);

        // Never split on commas: SQL has them.
        var one = Data<DatabaseRoleData>("""{"data":{"creation_statements":"CREATE ROLE \"{{name}}\" WITH LOGIN; GRANT a, b TO x;","default_ttl":"","max_ttl":null}}""");
        Assert.Equal(["CREATE ROLE \"{{name}}\" WITH LOGIN; GRANT a, b TO x;"], one.CreationStatements);
        Assert.Equal(TimeSpan.Zero, one.DefaultTtl);
        Assert.Equal(TimeSpan.Zero, one.MaxTtl);
    }

    [Fact]
    public void Static_credentials_read_a_period_or_a_schedule_and_go_zero_time_as_never()
    {
        var period = Data<CredentialData>("""{"data":{"username":"u","password":"p","ttl":"59","rotation_period":"1h","last_vault_rotation":"2026-11-23T10:00:00.123Z"}}""");
        Assert.Equal(TimeSpan.FromSeconds(59), period.Ttl);
        Assert.Equal(TimeSpan.FromHours(1), period.RotationPeriod);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero), period.LastVaultRotation);

        var schedule = Data<CredentialData>("""{"data":{"username":"u","password":"p","rotation_schedule":"0 3 * * *","rotation_window":3600,"last_vault_rotation":"0001-01-01T00:00:00Z"}}""");
        Assert.Null(schedule.Ttl);
        Assert.Null(schedule.LastVaultRotation);
        Assert.Equal("0 3 * * *", schedule.RotationSchedule);
        Assert.Equal(TimeSpan.FromHours(1), schedule.RotationWindow);
    }

    [Fact]
    public void A_value_of_an_unexpected_kind_reads_as_absent()
    {
        var odd = Data<CredentialData>("""{"data":{"username":42,"password":["p"],"last_vault_rotation":17}}""");
        Assert.Null(odd.Username);
        Assert.Null(odd.Password);
        Assert.Null(odd.LastVaultRotation);
        var token = Data<TokenLookupData>("""{"data":{"accessor":"a","policies":"default,crdb","renewable":"true","ttl":"768h"}}""");
        Assert.Equal(["default", "crdb"], token.Policies);
        Assert.False(token.Renewable); // only JSON true is true
        Assert.Equal(TimeSpan.FromHours(768), token.Ttl);
    }

    [Fact]
    public void An_issued_certificate_reads_its_chain_from_ca_chain_or_issuing_ca()
    {
        var chain = Data<IssuedCertificateData>("""{"data":{"certificate":"C","private_key":"K","ca_chain":["A","B"],"serial_number":"01:02"}}""");
        Assert.Equal(["A", "B"], chain.CaChain);
        var issuing = Data<IssuedCertificateData>("""{"data":{"certificate":"C","private_key":"K","issuing_ca":"A"},"warnings":""}""");
        Assert.Null(issuing.CaChain);
        Assert.Equal("A", issuing.IssuingCa);
        Assert.Equal(1700000000, Data<RevocationData>("""{"data":{"revocation_time":1700000000}}""").RevocationTime);
        Assert.Equal(1700000000, Data<RevocationData>("""{"data":{"revocation_time":"1700000000"}}""").RevocationTime);
    }

    [Fact]
    public void Transit_versions_are_seconds_or_objects_with_a_creation_time()
    {
        var symmetric = Data<TransitKeyData>("""{"data":{"name":"k","type":"aes256-gcm96","keys":{"1":1700000000,"2":1700000600},"latest_version":2,"deletion_allowed":false}}""");
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000600), symmetric.Keys![2]);
        var asymmetric = Data<TransitKeyData>("""{"data":{"keys":{"1":{"creation_time":"2026-11-23T10:00:00Z","public_key":"x"}},"latest_version":"1"}}""");
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), asymmetric.Keys![1]);
        Assert.Equal(1, asymmetric.LatestVersion);
        Assert.Null(Data<TransitKeyData>("""{"data":{"keys":"none"}}""").Keys);
    }

    [Fact]
    public void Keymgmt_version_maps_keep_numbers_and_texts()
    {
        var distribution = Data<KeyDistributionData>("""{"data":{"name":"k-1700000000","purpose":"encrypt,decrypt","protection":"hsm","versions":{"1":"abc","2":7,"x":"skipped"}}}""");
        Assert.Equal(["encrypt", "decrypt"], distribution.Purpose);
        Assert.Equal("abc", distribution.Versions![1]);
        Assert.Equal("7", distribution.Versions[2]);
        Assert.Equal(2, distribution.Versions.Count);
    }

    [Fact]
    public void A_list_is_an_array_or_a_comma_separated_string()
    {
        Assert.Equal(["a", "b/"], Data<KeyListData>("""{"data":{"keys":["a","b/"]}}""").Keys);
        Assert.Equal(["a", "b/"], Data<KeyListData>("""{"data":{"keys":"a, b/"}}""").Keys);
    }

    [Fact]
    public void The_documented_tune_read_is_a_raw_object_and_still_reads()
    {
        Assert.Equal(TimeSpan.FromHours(87600), Data<MountTuneData>("""{"default_lease_ttl":3600,"max_lease_ttl":315360000,"force_no_cache":false}""").MaxLeaseTtl);
        Assert.Equal(TimeSpan.FromHours(87600), Data<MountTuneData>("""{"data":{"max_lease_ttl":"87600h"},"request_id":"1"}""").MaxLeaseTtl);
    }
}
