using CrdbVault.Core.Database;
using Xunit;

namespace CrdbVault.Tests.Units;

public class VaultConnectionUrlTests
{
    [Fact]
    public void Inserts_placeholders_and_keeps_an_explicit_sslmode()
    {
        var u = VaultConnectionUrl.Build("postgresql://crdb.example.com:26257/defaultdb?sslmode=verify-full&sslrootcert=/etc/vault/ca.crt", null);
        Assert.Equal("postgresql://{{username}}:{{password}}@crdb.example.com:26257/defaultdb?sslmode=verify-full&sslrootcert=%2Fetc%2Fvault%2Fca.crt", u.TemplatedUrl);
        Assert.False(u.ServerIdentityUnverified);
    }

    [Fact]
    public void Uses_verify_full_with_a_root_certificate_on_the_vault_server()
    {
        var u = VaultConnectionUrl.Build("postgresql://crdb:26257/defaultdb", "/vault/ca.crt");
        Assert.Equal("verify-full", u.SslMode);
        Assert.Contains("sslrootcert=%2Fvault%2Fca.crt", u.TemplatedUrl);
    }

    [Fact]
    public void Falls_back_to_require_and_flags_it()
    {
        var u = VaultConnectionUrl.Build("postgres://crdb/app", null);
        Assert.Equal("require", u.SslMode);
        Assert.True(u.ServerIdentityUnverified);
        Assert.Equal(26257, u.Port);
        Assert.Equal("postgresql://{{username}}:{{password}}@crdb:26257/app?sslmode=require", u.TemplatedUrl);
    }

    [Theory]
    [InlineData("postgresql://root:secret@crdb:26257/defaultdb", "Remove 'user:password@'")]
    [InlineData("mysql://crdb/db", "not a postgresql:// URL")]
    [InlineData("crdb:26257", "not a postgresql:// URL")]
    [InlineData("postgresql://crdb/db?sslmode=sometimes", "is not one of")]
    public void Rejects_bad_urls(string url, string hint)
    {
        var ex = Assert.Throws<ArgumentException>(() => VaultConnectionUrl.Build(url, null));
        Assert.Contains(hint, ex.Message);
        Assert.DoesNotContain("secret", ex.Message);
    }

    [Theory]
    [InlineData("db.example.com", 26257, true)]
    [InlineData("x.aws-us-east-1.cockroachlabs.cloud", 5432, true)]
    [InlineData("127.0.0.1", 5432, false)]
    public void Recognises_cockroachdb_targets(string host, int port, bool expected) =>
        Assert.Equal(expected, VaultConnectionUrl.LooksLikeCockroachDb(host, port));

    [Fact]
    public void Username_template_is_lower_cased_and_sanitised() =>
        Assert.EndsWith("| truncate 63 | lowercase }}", UsernameTemplates.CockroachDbSafe);
}
