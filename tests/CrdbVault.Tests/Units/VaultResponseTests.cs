using System.Text;
using CrdbVault.Core.Leases;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

public class VaultResponseTests
{
    private static VaultResponse Parse(string json) => VaultResponse.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_the_envelope()
    {
        var r = Parse("""{"request_id":"r1","lease_id":"database/creds/app/abc","lease_duration":3600,"renewable":true,"data":{"username":"u","password":"p"},"warnings":null}""");
        Assert.Equal("database/creds/app/abc", r.LeaseId);
        Assert.Equal(TimeSpan.FromHours(1), r.LeaseDuration);
        Assert.True(r.Renewable);
        Assert.Equal("u", r.Data.GetProperty("username").GetString());
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void Tolerates_warnings_as_a_string_like_the_pki_samples()
    {
        Assert.Empty(Parse("""{"lease_id":"","data":{},"warnings":""}""").Warnings);
        Assert.Equal(["capped"], Parse("""{"lease_id":"","data":{},"warnings":"capped"}""").Warnings);
    }

    [Fact]
    public void A_raw_top_level_object_becomes_the_data()
    {
        var r = Parse("""{"initialized":true,"sealed":false,"version":"1.17.0"}""");
        Assert.Equal("1.17.0", r.Data.GetProperty("version").GetString());
    }

    [Fact]
    public void Empty_body_is_an_empty_response() => Assert.Null(VaultResponse.Parse(ReadOnlySpan<byte>.Empty).LeaseId);

    [Fact]
    public void Reads_the_auth_block_without_exposing_the_token()
    {
        var r = Parse("""{"auth":{"client_token":"hvs.SECRET","accessor":"acc","policies":["default"],"token_policies":["default","app"],"lease_duration":"1h","renewable":true},"data":null}""");
        Assert.Equal("acc", r.Auth!.Accessor);
        Assert.Equal(["default", "app"], r.Auth.Policies);
        Assert.Equal(TimeSpan.FromHours(1), r.Auth.LeaseDuration);
        Assert.DoesNotContain("SECRET", r.Auth.ToString());
        Assert.DoesNotContain("SECRET", r.ToString());
        Assert.Null(typeof(VaultAuthInfo).GetProperty("ClientTokenValue")?.GetGetMethod(nonPublic: false));
    }

    [Fact]
    public void Errors_are_read_tolerantly()
    {
        Assert.Equal(["1 error occurred:\n\t* permission denied\n\n"], VaultResponse.ParseErrors(Encoding.UTF8.GetBytes("""{"errors":["1 error occurred:\n\t* permission denied\n\n"]}""")));
        Assert.Empty(VaultResponse.ParseErrors(Encoding.UTF8.GetBytes("<html>bad gateway</html>")));
    }

    [Fact]
    public void Lease_lookup_is_parsed_in_both_documented_and_real_shapes()
    {
        var real = Parse("""{"data":{"id":"database/creds/app/x","issue_time":"2026-11-23T10:00:00Z","expire_time":"2026-11-23T11:00:00Z","last_renewal":null,"renewable":true,"ttl":3599}}""");
        var l = LeaseApi.Parse(real.Data, "fallback");
        Assert.Equal("database/creds/app/x", l.LeaseId);
        Assert.Equal(TimeSpan.FromSeconds(3599), l.Ttl);
        Assert.Null(l.LastRenewal);
        var documented = Parse("""{"id":"database/creds/app/y","issue_time":"2026-11-23T10:00:00Z","expire_time":"2026-11-23T11:00:00Z","last_renewal_time":"2026-11-23T10:30:00Z","renewable":true,"ttl":1800}""");
        var d = LeaseApi.Parse(documented.Data.ValueKind == System.Text.Json.JsonValueKind.Object ? documented.Data : documented.Raw, "fallback");
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 30, 0, TimeSpan.Zero), d.LastRenewal);
    }

    [Theory]
    [InlineData("database/creds/app", "database/creds/app/")]
    [InlineData("database/creds/app/", "database/creds/app/")]
    [InlineData("/database/creds/app/", "database/creds/app/")]
    public void Lease_prefixes_take_an_optional_trailing_slash(string input, string expected) =>
        Assert.Equal(expected, LeaseApi.NormalisePrefix(input));

    [Theory]
    [InlineData("database/creds/../x")]
    [InlineData("database/creds/app/x?y")]
    [InlineData("a b")]
    [InlineData("")]
    public void Lease_ids_that_change_the_request_are_refused(string id) =>
        Assert.Throws<ArgumentException>(() => LeaseApi.ValidateLeaseId(id));

    [Fact]
    public void Hcp_lease_ids_with_a_namespace_suffix_are_accepted() =>
        Assert.Equal("database/creds/crdb-role/5rPhNN6aG0dNRs97UmRYMmJH.iMXtW", LeaseApi.ValidateLeaseId("database/creds/crdb-role/5rPhNN6aG0dNRs97UmRYMmJH.iMXtW"));
}
