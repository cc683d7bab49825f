using CrdbVault.Core.Database;
using Xunit;

namespace CrdbVault.Tests.Units;

public class GrantClauseTests
{
    [Theory]
    [InlineData("ALL ON DATABASE defaultdb", "ALL ON DATABASE defaultdb")]
    [InlineData("all privileges on database defaultdb", "ALL ON DATABASE defaultdb")]
    [InlineData("SELECT ON TABLE app.public.orders", "SELECT ON TABLE app.public.orders")]
    [InlineData("select, insert on table Orders, public.items", "SELECT, INSERT ON TABLE orders, public.items")]
    [InlineData("SELECT ON ALL TABLES IN SCHEMA public", "SELECT ON ALL TABLES IN SCHEMA public")]
    [InlineData("USAGE ON SCHEMA \"My Schema\"", "USAGE ON SCHEMA \"My Schema\"")]
    [InlineData("CONNECT ON DATABASE \"app-db\"", "CONNECT ON DATABASE \"app-db\"")]
    public void Parses_and_renders_from_parts(string input, string expected) =>
        Assert.Equal(expected, GrantClause.Parse(input).ToString());

    [Theory]
    [InlineData("SELECT ON orders", "object type")]
    [InlineData("SELECT orders", "no 'ON'")]
    [InlineData("SELECT ON TABLE orders; DROP TABLE x", "';'")]
    [InlineData("SELECT ON TABLE orders -- comment", "';'")]
    [InlineData("SELECT ON TABLE 'orders'", "';'")]
    [InlineData("CONNECT ON TABLE orders", "does not apply to TABLE")]
    [InlineData("ALL, SELECT ON TABLE orders", "ALL already includes")]
    [InlineData("SELECT ON TABLE a.b.c.d", "more than 3")]
    [InlineData("ALL ON DATABASE a.b", "more than 1")]
    [InlineData("SELECT ON TABLE ", "names no object")]
    [InlineData("", "empty")]
    [InlineData("FOO ON TABLE t", "does not apply")]
    public void Rejects_what_is_not_a_privilege_clause(string input, string hint)
    {
        var ex = Assert.Throws<ArgumentException>(() => GrantClause.Parse(input));
        Assert.Contains(hint, ex.Message);
    }

    [Fact]
    public void Renders_grant_and_revoke()
    {
        var g = GrantClause.Parse("SELECT ON TABLE public.orders");
        Assert.Equal("GRANT SELECT ON TABLE public.orders TO \"{{name}}\";", g.GrantTo("\"{{name}}\""));
        Assert.Equal("REVOKE SELECT ON TABLE public.orders FROM \"{{name}}\";", g.RevokeFrom("\"{{name}}\""));
    }
}
