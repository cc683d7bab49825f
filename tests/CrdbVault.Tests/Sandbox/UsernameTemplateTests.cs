using CrdbVault.Sandbox.Vault;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>Vault's username template language (Go templates + Vault's functions).</summary>
public sealed class UsernameTemplateTests
{
    private static string Render(string template, string display = "token", string role = "crdb-role") =>
        UsernameTemplate.Parse(template).Render(display, role);

    [Fact]
    public void Postgres_default_matches_the_tutorials_shape()
    {
        string name = Render(UsernameTemplate.PostgresDefault, "token", "crdb-role");
        Assert.Matches("^v-token-crdb-rol-[A-Za-z0-9]{20}-[0-9]{10}$", name);
    }

    [Theory]
    [InlineData("{{ .RoleName | truncate 4 }}", "crdb")]
    [InlineData("{{ .RoleName | uppercase }}", "CRDB-ROLE")]
    [InlineData("{{ .DisplayName | lowercase }}", "token")]
    [InlineData("{{ .RoleName | replace \"-\" \"_\" }}", "crdb_role")]
    [InlineData("{{ .RoleName | truncate_sha256 20 }}", "crdb-role")]
    [InlineData("pre-{{.RoleName}}-post", "pre-crdb-role-post")]
    [InlineData("{{ printf \"%s_%s\" .DisplayName .RoleName }}", "token_crdb-role")]
    [InlineData("{{ printf \"%s\" (.RoleName | truncate 2) | uppercase }}", "CR")]
    [InlineData("{{ .RoleName | base64 }}", "Y3JkYi1yb2xl")]
    [InlineData("a  {{- .RoleName -}}  b", "acrdb-roleb")]
    [InlineData("{{ `raw` }}", "raw")]
    public void Functions_and_pipes(string template, string expected) => Assert.Equal(expected, Render(template));

    [Fact]
    public void Truncate_sha256_keeps_a_hash_suffix_when_too_long()
    {
        string s = Render("{{ .RoleName | truncate_sha256 12 }}", role: "a-very-long-role-name");
        Assert.Equal(12, s.Length);
        Assert.StartsWith("a-ve", s);
        Assert.Matches("^a-ve[0-9a-f]{8}$", s);
    }

    [Fact]
    public void Random_time_and_uuid()
    {
        Assert.Matches("^[A-Za-z0-9]{20}$", Render("{{ random 20 }}"));
        Assert.Matches("^[0-9]{10}$", Render("{{ unix_time }}"));
        Assert.Matches("^[0-9]{13}$", Render("{{ unix_time_millis }}"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", Render("{{ uuid }}"));
    }

    [Fact]
    public void Timestamp_uses_go_layouts()
    {
        var clock = new FixedClock(new DateTimeOffset(2022, 5, 25, 22, 12, 42, TimeSpan.Zero));
        string s = UsernameTemplate.Parse("{{ timestamp \"2006-01-02T15:04:05Z07:00\" }}|{{ timestamp \"20060102\" }}", clock).Render("d", "r");
        Assert.Equal("2022-05-25T22:12:42Z|20220525", s);
    }

    [Theory]
    [InlineData("{{ .RoleName | nosuch }}")]
    [InlineData("{{ .RoleName ")]
    [InlineData("{{ .Nope }}")]
    [InlineData("{{ .RoleName | truncate \"x\" }}")]
    [InlineData("{{ truncate 0 .RoleName }}")]
    [InlineData("{{ (.RoleName }}")]
    public void Bad_templates_are_rejected_at_parse(string template) =>
        Assert.Throws<FormatException>(() => UsernameTemplate.Parse(template));
}

/// <summary>A clock stopped at one instant.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
