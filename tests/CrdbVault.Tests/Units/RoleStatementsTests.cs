using CrdbVault.Core.Database;
using Xunit;

namespace CrdbVault.Tests.Units;

public class RoleStatementsTests
{
    [Fact]
    public void Creation_creates_a_login_role_valid_until_the_lease_end_then_grants()
    {
        var s = RoleStatements.Build([GrantClause.Parse("ALL ON DATABASE defaultdb")], ["app_rw"], allowRoleMembershipChange: false);
        Assert.Equal("CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';", s.Creation[0]);
        Assert.Equal("GRANT ALL ON DATABASE defaultdb TO \"{{name}}\";", s.Creation[1]);
        Assert.Equal("GRANT app_rw TO \"{{name}}\";", s.Creation[2]);
        Assert.Equal(3, s.Creation.Count);
    }

    [Fact]
    public void Revocation_undoes_grants_hands_over_owned_objects_and_drops_the_role_last()
    {
        var s = RoleStatements.Build([GrantClause.Parse("SELECT ON TABLE public.orders")], ["app_rw"], false);
        Assert.Equal(
        [
            "REVOKE SELECT ON TABLE public.orders FROM \"{{name}}\";",
            "REASSIGN OWNED BY \"{{name}}\" TO CURRENT_USER;",
            "DROP OWNED BY \"{{name}}\";",
            "DROP ROLE IF EXISTS \"{{name}}\";",
        ], s.Revocation);
        Assert.Equal(["ALTER ROLE \"{{name}}\" WITH VALID UNTIL '{{expiration}}';"], s.Renew);
    }

    [Fact]
    public void The_cockroachdb_remedy_goes_first_in_both_lists_only_when_asked()
    {
        var on = RoleStatements.Build([], ["r"], true);
        Assert.StartsWith("SET allow_role_memberships_to_change_during_transaction = true", on.Creation[0]);
        Assert.StartsWith("SET allow_role_memberships_to_change_during_transaction = true", on.Revocation[0]);
        var off = RoleStatements.Build([], ["r"], false);
        Assert.DoesNotContain(off.Creation.Concat(off.Revocation), x => x.Contains("allow_role_memberships"));
    }

    [Fact]
    public void Granted_roles_are_validated_as_sql_user_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => RoleStatements.Build([], ["App\"; DROP"], false));
        Assert.Contains("GrantRole", ex.Message);
    }
}
