namespace CrdbVault.Core.Database;

/// <summary>The SQL Vault runs to set a static role's password.</summary>
public static class StaticRoleStatements
{
    /// <summary>
    /// CockroachDB accepts <c>ALTER USER name WITH PASSWORD '...'</c> (and so does PostgreSQL, where
    /// ALTER USER is ALTER ROLE). The name is quoted; CockroachDB folds it to lower case either way.
    /// </summary>
    public const string Default = "ALTER USER \"{{name}}\" WITH PASSWORD '{{password}}';";

    /// <summary>
    /// Checks statements given with -RotationStatements: something must set <c>{{password}}</c> for
    /// <c>{{name}}</c> (or <c>{{username}}</c>), or Vault would hand out a password the database never
    /// received. They are the caller's own SQL, run by the connection's admin user.
    /// </summary>
    public static IReadOnlyList<string> Resolve(IReadOnlyList<string>? statements)
    {
        if (statements is null || statements.Count == 0) return [Default];
        foreach (string s in statements)
        {
            if (string.IsNullOrWhiteSpace(s))
                throw new ArgumentException("-RotationStatements has an empty statement. Leave the parameter out to use the default: " +
                    "" + Default, "RotationStatements");
            if (s.Contains('\0'))
                throw new ArgumentException("-RotationStatements contains a NUL character.", "RotationStatements");
        }
        string all = string.Join("\n", statements);
        if (!all.Contains("{{password}}", StringComparison.Ordinal))
            throw new ArgumentException("-RotationStatements never uses {{password}}: Vault would hand out a password the database never got. Example: " +
                "" + Default, "RotationStatements");
        if (!all.Contains("{{name}}", StringComparison.Ordinal) && !all.Contains("{{username}}", StringComparison.Ordinal))
            throw new ArgumentException("-RotationStatements never names the user ({{name}} or {{username}}). Example: " + Default, "RotationStatements");
        return statements;
    }
}
