using CrdbVault.Core.Validation;
using Xunit;

namespace CrdbVault.Tests.Units;

public class InputValidatorTests
{
    [Theory]
    [InlineData("app_reader")]
    [InlineData("v-token-app-abc-123")]
    [InlineData("_svc.batch")]
    [InlineData("9lives")]
    public void Accepts_cockroachdb_user_names(string name) => Assert.Equal(name, InputValidator.SqlUserName(name));

    // userpass and LDAP names are not SQL users: LDAP logs in 'alice@corp.example' or 'Alice.Smith'.
    [Theory]
    [InlineData("alice")]
    [InlineData("Alice.Smith")]
    [InlineData("alice@corp.example")]
    [InlineData("svc-deploy_01")]
    public void Accepts_vault_login_names(string name) => Assert.Equal(name, InputValidator.VaultLoginName(name));

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("a%2fb")]
    [InlineData("alice\n")]
    [InlineData("alice ")]
    [InlineData("CORP\\alice")]
    public void Rejects_login_names_that_would_change_the_login_path(string name) =>
        Assert.Throws<ArgumentException>(() => InputValidator.VaultLoginName(name.Replace("\\n", "\n")));

    [Theory]
    [InlineData("Alice", "use 'alice'")]
    [InlineData("bad name", "lower-case letters")]
    [InlineData("-leading", "lower-case letters")]
    [InlineData("a;drop", "lower-case letters")]
    [InlineData("", "empty")]
    [InlineData("public", "reserved")]
    [InlineData("node", "reserved")]
    [InlineData("pg_monitor", "reserved")]
    public void Rejects_invalid_user_names_saying_what_to_do(string name, string hint)
    {
        var ex = Assert.Throws<ArgumentException>(() => InputValidator.SqlUserName(name));
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public void Rejects_user_names_over_63_bytes()
    {
        var ex = Assert.Throws<ArgumentException>(() => InputValidator.SqlUserName(new string('a', 64)));
        Assert.Contains("63 bytes", ex.Message);
        Assert.Equal(new string('a', 63), InputValidator.SqlUserName(new string('a', 63)));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a?b")]
    [InlineData("a#b")]
    [InlineData("a b")]
    [InlineData("name.")]
    [InlineData(" ")]
    public void Rejects_path_segments_that_would_change_the_request(string segment) =>
        Assert.Throws<ArgumentException>(() => InputValidator.PathSegment(segment));

    [Theory]
    [InlineData("database", "database")]
    [InlineData("team/database", "team/database")]
    [InlineData("/team/database/", "team/database")]
    public void Accepts_nested_mounts(string mount, string expected) => Assert.Equal(expected, InputValidator.MountPath(mount));

    [Theory]
    [InlineData("team//database")]
    [InlineData("team/../database")]
    [InlineData("team/data base")]
    [InlineData("team/db?x")]
    public void Checks_each_mount_segment(string mount) => Assert.Throws<ArgumentException>(() => InputValidator.MountPath(mount));

    [Theory]
    [InlineData("https://vault.example.com:8200")]
    [InlineData("http://127.0.0.1:8200")]
    public void Accepts_vault_addresses(string address) => Assert.NotNull(InputValidator.VaultAddress(address));

    [Theory]
    [InlineData("vault.example.com")]
    [InlineData("ftp://vault")]
    [InlineData("https://user:pw@vault")]
    [InlineData("https://vault?x=1")]
    [InlineData("")]
    public void Rejects_malformed_addresses(string address) => Assert.Throws<ArgumentException>(() => InputValidator.VaultAddress(address));

    // ---- issue 8: every kind anchored, control characters refused, and the good values still pass ----

    [Theory]
    [InlineData("..\n")]
    [InlineData("app\n")]
    [InlineData("app\r")]
    [InlineData("app\u0000")]
    [InlineData("app\u200b")]
    [InlineData(" app")]
    [InlineData("a%2fb")]
    [InlineData("\u0430pp")]
    public void A_final_newline_or_any_control_or_invisible_character_is_no_name(string name) =>
        Assert.Throws<ArgumentException>(() => InputValidator.PathSegment(name));

    [Fact]
    public void Messages_spell_control_characters_out_and_cut_long_values()
    {
        string message = Assert.Throws<ArgumentException>(() => InputValidator.PathSegment("..\n")).Message;
        Assert.Contains("'..`n'", message);
        Assert.DoesNotContain("\n", message.Replace("`n", ""));
        string longOne = Assert.Throws<ArgumentException>(() => InputValidator.PathSegment(new string('a', 10_000))).Message;
        Assert.Contains("(10000 characters)", longOne);
        Assert.True(longOne.Length < 400);
    }

    [Theory]
    [InlineData("sys/mounts/database")]
    [InlineData("auth/token")]
    [InlineData("identity")]
    [InlineData("cubbyhole")]
    [InlineData("/Sys/x")]
    public void Mounts_inside_vault_system_paths_are_refused(string mount) =>
        Assert.Contains("system path", Assert.Throws<ArgumentException>(() => InputValidator.MountPath(mount)).Message);

    [Theory]
    [InlineData("database/creds/app/AbCd1234")]
    [InlineData("database/creds/app/2f6a614c.Hs7mR")]
    [InlineData("team/database/creds/app-rw/x_y-z")]
    [InlineData("cockroach_client_ca/issue/client/AbCd")]
    public void Real_lease_ids_pass(string id) => Assert.Equal(id, InputValidator.LeaseId(id));

    [Theory]
    [InlineData("$(CRDB_LEASE)", "macro")]
    [InlineData("${{ steps.x.outputs.lease }}", "macro")]
    [InlineData("$env:CRDB_LEASE", "macro")]
    [InlineData("database", "not a lease id")]
    [InlineData("a/../b", "'..'")]
    public void Values_that_cannot_be_lease_ids_are_refused(string id, string hint) =>
        Assert.Contains(hint, Assert.Throws<ArgumentException>(() => InputValidator.LeaseId(id)).Message);

    [Theory]
    [InlineData("database", true)]
    [InlineData("team/database", true)]
    [InlineData("database/creds", true)]
    [InlineData("database/creds/app", false)]
    [InlineData("database/creds/app/AbCd", false)]
    [InlineData("pki/issue/client", false)]
    public void A_prefix_wider_than_one_role_is_broad(string prefix, bool broad) =>
        Assert.Equal(broad, InputValidator.IsBroadLeasePrefix(InputValidator.LeasePrefix(prefix)));

    [Theory]
    [InlineData("localhost")]
    [InlineData("crdb.example.com")]
    [InlineData("db-1.internal.")]
    [InlineData("*.db.internal")]
    [InlineData("10.0.0.5")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("fe80::1")]
    public void Hosts_are_names_or_addresses(string host) => Assert.Equal(host, InputValidator.Host(host));

    [Theory]
    [InlineData("localhost/postgres?port=1&sslmode=disable#")]
    [InlineData("db:26257")]
    [InlineData("[::1]:26257")]
    [InlineData("fe80::1%eth0")]
    [InlineData("1.2.3")]
    [InlineData("http://db")]
    [InlineData("db_x")]
    public void Anything_more_than_a_host_is_refused(string host) => Assert.Throws<ArgumentException>(() => InputValidator.Host(host));

    [Theory]
    [InlineData("store.key", true)]
    [InlineData("*.key", false)]
    [InlineData("store?.key", false)]
    [InlineData("store[1].key", false)]
    public void Written_paths_refuse_wildcards_read_paths_take_them_literally(string path, bool writable)
    {
        Assert.Equal(path, InputValidator.ReadPath(path));
        if (writable) Assert.Equal(path, InputValidator.WritePath(path));
        else Assert.Contains("wildcard", Assert.Throws<ArgumentException>(() => InputValidator.WritePath(path)).Message);
    }

    [Theory]
    [InlineData("postgresql://root:Hunter2@db:26257/defaultdb")]
    [InlineData("postgresql://db:26257/defaultdb?sslmode=disable&password=Hunter2")]
    [InlineData("postgresql://db/defaultdb?sslpassword=Hunter2")]
    public void Database_urls_with_credentials_are_refused_without_repeating_them(string url)
    {
        string message = Assert.Throws<ArgumentException>(() => InputValidator.DatabaseUrl(url)).Message;
        Assert.DoesNotContain("Hunter2", message);
        Assert.Contains("***", message);
    }

    [Theory]
    [InlineData("https://ops:Hunter2@vault:8200", "https://ops:***@vault:8200")]
    [InlineData("postgresql://u:p%40ss@db/x?sslmode=require&password=Hunter2&x=1", "postgresql://u:***@db/x?sslmode=require&password=***&x=1")]
    [InlineData("postgresql://{{username}}:{{password}}@db:26257/x", "postgresql://{{username}}:{{password}}@db:26257/x")]
    [InlineData("postgresql://db/x?sslpassword=a&Password=b&token=c", "postgresql://db/x?sslpassword=***&Password=***&token=***")]
    [InlineData("not a url :pw@", "not a url :pw@")]
    public void Urls_are_shown_without_their_secrets(string url, string shown) => Assert.Equal(shown, UrlRedaction.Redact(url));

    [Theory]
    [InlineData("6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f")]
    [InlineData("6B1F4C2E-8D3A-4E5B-9C7D-0A1B2C3D4E5F")]
    public void Cluster_ids_are_uuids(string id) => Assert.Equal(id, InputValidator.ClusterId(id));

    [Theory]
    [InlineData("1d:2f:3a", "1d:2f:3a")]
    [InlineData("1D-2F-3A", "1d:2f:3a")]
    [InlineData("001D2F3A", "1d:2f:3a")]
    public void Serials_in_every_spelling_normalise(string serial, string expected) => Assert.Equal(expected, InputValidator.SerialNumber(serial));

    [Fact]
    public void Secrets_are_checked_without_being_shown()
    {
        var bad = new System.Net.NetworkCredential("", "hvs.Hunter2\n").SecurePassword;
        string message = Assert.Throws<ArgumentException>(() => InputValidator.Secret(bad, "Token")).Message;
        Assert.DoesNotContain("Hunter2", message);
        InputValidator.Secret(new System.Net.NetworkCredential("", "hvs.CAESIJ-ok_token.x").SecurePassword, "Token");
    }

    [Theory]
    [InlineData("app.", "'.'")]
    [InlineData("a..b", "'..'")]
    public void Sql_users_that_break_certificate_names_are_refused(string user, string hint) =>
        Assert.Contains(hint, Assert.Throws<ArgumentException>(() => InputValidator.SqlUserName(user)).Message);
}
