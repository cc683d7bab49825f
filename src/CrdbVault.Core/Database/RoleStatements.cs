using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Database;

/// <summary>
/// Creation, revocation and renew statements for a CockroachDB dynamic-credential role
/// (docs/cockroachdb-notes.md#sql-users). Vault runs each list in one transaction.
/// </summary>
public sealed class RoleStatements
{
    private const string Name = "\"{{name}}\"";

    /// <summary>Roles whose membership makes a user an administrator of the cluster.</summary>
    public static IReadOnlyList<string> AdminRoles { get; } = ["admin", "root"];

    public required IReadOnlyList<string> Creation { get; init; }
    public required IReadOnlyList<string> Revocation { get; init; }
    public required IReadOnlyList<string> Renew { get; init; }

    /// <summary>
    /// Builds the statements. The user gets LOGIN with a password valid until the lease ends, the
    /// privileges of <paramref name="grants"/> and membership in <paramref name="grantRoles"/>
    /// (the recommended pattern: membership-only users drop cleanly). Revocation undoes each grant
    /// explicitly, hands anything the user created to the Vault connection's user, drops remaining
    /// privileges and finally the role, so it succeeds even when the user owns objects.
    /// </summary>
    /// <param name="allowRoleMembershipChange">Prefix each list with
    /// <c>SET allow_role_memberships_to_change_during_transaction = true</c> (CockroachDB only).</param>
    /// <param name="allowAdminRole">Allow <paramref name="grantRoles"/> to name admin or root: every issued user would be a cluster administrator.</param>
    public static RoleStatements Build(IEnumerable<GrantClause> grants, IEnumerable<string> grantRoles, bool allowRoleMembershipChange,
        bool allowAdminRole = false)
    {
        var grantList = grants.ToList();
        var names = grantRoles.Select(r => InputValidator.SqlUserName(r, "GrantRole")).ToList();
        if (!allowAdminRole && names.FirstOrDefault(r => AdminRoles.Contains(r)) is string admin)
            throw new ArgumentException(
                $"-GrantRole '{admin}' would make every user issued from this role a CockroachDB administrator (all privileges on every database, " +
                    $"user management). If that is really meant, add -AllowAdminRole; otherwise grant a role with only the privileges the application needs.",
                "GrantRole");
        var roles = names.Select(GrantClause.Quote).Distinct().ToList();

        var creation = new List<string>();
        var revocation = new List<string>();
        if (allowRoleMembershipChange)
        {
            creation.Add("SET allow_role_memberships_to_change_during_transaction = true;");
            revocation.Add("SET allow_role_memberships_to_change_during_transaction = true;");
        }
        creation.Add($"CREATE ROLE {Name} WITH LOGIN PASSWORD '{{{{password}}}}' VALID UNTIL '{{{{expiration}}}}';");
        creation.AddRange(grantList.Select(g => g.GrantTo(Name)));
        creation.AddRange(roles.Select(r => $"GRANT {r} TO {Name};"));

        revocation.AddRange(grantList.Select(g => g.RevokeFrom(Name)));
        // Role memberships need no REVOKE: DROP ROLE removes them in both directions.
        revocation.Add($"REASSIGN OWNED BY {Name} TO CURRENT_USER;");
        revocation.Add($"DROP OWNED BY {Name};");
        revocation.Add($"DROP ROLE IF EXISTS {Name};");

        return new RoleStatements
        {
            Creation = creation,
            Revocation = revocation,
            Renew = [$"ALTER ROLE {Name} WITH VALID UNTIL '{{{{expiration}}}}';"],
        };
    }
}
