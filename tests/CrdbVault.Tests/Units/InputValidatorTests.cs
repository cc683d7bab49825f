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
}
