using CrdbVault.Core.Leases;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Database;

/// <summary>Vault's SQL user lacks a privilege the role statements need; the message names it and the fix.</summary>
public sealed class DatabasePrivilegeException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>
/// Proves at setup that Vault's SQL user can run the statements credentials will need: it writes a
/// throwaway role with the statements Set-CrdbVaultRole builds (CREATE ROLE ... LOGIN PASSWORD ...
/// VALID UNTIL; REASSIGN OWNED BY, DROP OWNED BY, DROP ROLE), issues one user through Vault and
/// revokes it synchronously. A missing privilege then fails setup, named, instead of the first
/// revocation weeks later (PostgreSQL 15 with only CREATEROLE: "permission denied to reassign
/// objects"). On success nothing is left: no user, no role.
/// </summary>
public static class PrivilegeProbe
{
    /// <summary>The throwaway role's name (also what -AllowedRoles must admit).</summary>
    public const string RoleName = "crdbvault-privilege-probe";

    /// <summary>Whether a connection with these allowed_roles lets the probe role issue ("*" or a glob that matches, as Vault checks).</summary>
    public static bool AllowedBy(IEnumerable<string> allowedRoles) => allowedRoles.Any(pattern =>
        pattern == "*" || pattern == RoleName
        || (pattern.EndsWith('*') && RoleName.StartsWith(pattern[..^1], StringComparison.Ordinal))
        || (pattern.StartsWith('*') && RoleName.EndsWith(pattern[1..], StringComparison.Ordinal)));

    /// <summary>Runs the probe; returns the name of the user that was created and dropped again.</summary>
    public static async Task<string> RunAsync(DatabaseEngine engine, LeaseApi leases, string connectionName, string vaultUser, Action<string>? trace,
        CancellationToken ct)
    {
        RoleStatements statements = RoleStatements.Build([], [], allowRoleMembershipChange: false);
        await engine.WriteRoleAsync(RoleName, connectionName, statements, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10), ct).ConfigureAwait(false);

        IssuedCredential probe;
        try
        {
            probe = await engine.IssueCredentialAsync(RoleName, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Kind is VaultErrorKind.ServerError or VaultErrorKind.InvalidRequest && ex.Errors.Count > 0)
        {
            // Vault runs the creation statements in one transaction: a refusal created nothing.
            await TryDeleteRoleAsync(engine, ct).ConfigureAwait(false);
            if (!IsPrivilegeError(Said(ex)))
                throw new VaultApiException(
                    $"The privilege check could not create a user through connection '{connectionName}': {Said(ex)}. The connection was written; " +
                        $"make the database reachable from Vault and run Initialize-CrdbVaultDatabase again (or pass -SkipPrivilegeCheck).",
                    ex.Kind, ex.Path, ex.Status, ex.Errors);
            throw new DatabasePrivilegeException(
                $"Vault could not create a user through connection '{connectionName}': {Said(ex)}. {Explain(Said(ex), vaultUser, creating: true)} " +
                "The connection was written; " +
                    "fix the privilege and run Initialize-CrdbVaultDatabase again (or pass -SkipPrivilegeCheck to skip this check).", ex);
        }
        trace?.Invoke($"Privilege check: Vault created probe user '{probe.UserName}'.");
        if (probe.LeaseId is null)
            throw new DatabasePrivilegeException($"Vault gave the probe user '{probe.UserName}' no lease, so it cannot revoke it: " +
                $"drop it by hand (DROP ROLE \"{probe.UserName}\"), and check the database engine at '{engine.MountPath}'.");

        try
        {
            await leases.RevokeAsync(probe.LeaseId, sync: true, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Status is >= 400 and < 600 && ex.Kind is not (VaultErrorKind.PermissionDenied or VaultErrorKind.InvalidToken))
        {
            if (!IsPrivilegeError(Said(ex)))
                throw new VaultApiException(
                    $"The privilege check created probe user '{probe.UserName}' but Vault could not drop it: {Said(ex)}. " +
                        $"Revoke it with Revoke-CrdbLease -LeaseId '{probe.LeaseId}' -Sync once the database is reachable again.",
                    ex.Kind, ex.Path, ex.Status, ex.Errors);
            throw new DatabasePrivilegeException(
                $"Vault created probe user '{probe.UserName}' but could not drop it again through connection '{connectionName}': {Said(ex)}. " +
                    $"{Explain(Said(ex), vaultUser, creating: false)} " +
                $"Every credential would fail the same way when its lease ends. The probe user is still in the database: after the fix, " +
                    $"revoke it with Revoke-CrdbLease -LeaseId '{probe.LeaseId}' -Sync " +
                $"(Vault also retries when its lease ends, within 10 minutes) " +
                    $"and run Initialize-CrdbVaultDatabase again (or pass -SkipPrivilegeCheck to skip this check).", ex);
        }
        trace?.Invoke($"Privilege check: Vault revoked probe user '{probe.UserName}' with the revocation statements (REASSIGN OWNED, DROP OWNED, DROP ROLE).");
        await TryDeleteRoleAsync(engine, ct).ConfigureAwait(false);
        return probe.UserName;
    }

    /// <summary>
    /// A refusal by the database's privilege checks (SQLSTATE 42501 insufficient_privilege, or
    /// PostgreSQL/CockroachDB wording), as opposed to a database that cannot be reached.
    /// </summary>
    internal static bool IsPrivilegeError(string said) =>
        said.Contains("42501", StringComparison.Ordinal)
        || said.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
        || said.Contains("must have", StringComparison.OrdinalIgnoreCase)
        || said.Contains("insufficient privilege", StringComparison.OrdinalIgnoreCase)
        || said.Contains("does not have", StringComparison.OrdinalIgnoreCase) && said.Contains("privilege", StringComparison.OrdinalIgnoreCase);

    private static async Task TryDeleteRoleAsync(DatabaseEngine engine, CancellationToken ct)
    {
        try { await engine.DeleteRoleAsync(RoleName, ct).ConfigureAwait(false); }
        catch (VaultApiException) { /* a leftover probe role issues nothing by itself; the next run rewrites it */ }
    }

    private static string Said(VaultApiException ex) =>
        ex.Errors.Count == 0 ? ex.Message : string.Join("; ", ex.Errors.Select(e => e.Replace("\n", " ").Replace("\t", " ").Trim()));

    /// <summary>Which privilege the database's refusal points to, and how to grant it on CockroachDB and on PostgreSQL.</summary>
    internal static string Explain(string said, string vaultUser, bool creating)
    {
        string u = vaultUser.Replace("\"", "\"\"");
        if (said.Contains("reassign objects", StringComparison.OrdinalIgnoreCase) || said.Contains("drop objects", StringComparison.OrdinalIgnoreCase))
            return $"The revocation statements REASSIGN OWNED BY / DROP OWNED BY the dynamic user need '{vaultUser}' to hold that user's privileges, " +
                $"which CREATEROLE alone does not give. " +
                $"PostgreSQL: make it a superuser (ALTER ROLE \"{u}\" SUPERUSER). CockroachDB: make it a member of admin (GRANT admin TO \"{u}\").";
        if (said.Contains("create role", StringComparison.OrdinalIgnoreCase) || said.Contains("CREATEROLE", StringComparison.Ordinal)
            || said.Contains("CREATELOGIN", StringComparison.Ordinal))
            return $"Creating a login role with a password needs CREATEROLE (PostgreSQL: ALTER ROLE \"{u}\" CREATEROLE) " +
                $"or CREATEROLE and CREATELOGIN (CockroachDB: ALTER USER \"{u}\" CREATEROLE CREATELOGIN, or GRANT admin TO \"{u}\").";
        if (said.Contains("drop role", StringComparison.OrdinalIgnoreCase))
            return $"DROP ROLE needs CREATEROLE on PostgreSQL (ALTER ROLE \"{u}\" CREATEROLE) and CREATEROLE or admin on CockroachDB.";
        if (IsPrivilegeError(said))
            return $"'{vaultUser}' lacks a privilege the {(creating ? "creation" : "revocation")} statements need; " +
                $"see the README's 'What Vault's SQL user needs'.";
        return $"See the README's 'What Vault's SQL user needs' for what '{vaultUser}' must be allowed.";
    }
}
