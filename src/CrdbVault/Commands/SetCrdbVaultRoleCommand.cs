using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Creates or replaces a CockroachDB-correct dynamic-credential role.</para>
/// <para type="description">Writes &lt;mount&gt;/roles/&lt;Name&gt; with statements built from parsed
/// parts, never pasted: CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL
/// '{{expiration}}', a GRANT per -Grant clause and per -GrantRole role, and revocation statements that
/// succeed even when the user holds grants or owns objects (REVOKE each grant, REASSIGN OWNED BY ...
/// TO CURRENT_USER, DROP OWNED BY, DROP ROLE IF EXISTS). Prefer -GrantRole with a role you created
/// beforehand: membership-only users drop cleanly and role membership changes are cheaper on CockroachDB.
/// On CockroachDB, GRANT/REVOKE are schema changes that can wait up to 5 minutes behind long
/// transactions; -AllowRoleMembershipChangeInTransaction sets
/// allow_role_memberships_to_change_during_transaction in Vault's statements (the applications'
/// sessions need it too: ALTER ROLE ALL SET allow_role_memberships_to_change_during_transaction = true).
/// The connection must exist on the mount (a role for a missing one is refused and nothing is
/// written), and granting the admin (or root) role needs -AllowAdminRole.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbVaultRole", SupportsShouldProcess = true)]
[OutputType(typeof(VaultDatabaseRole))]
[InputErrorId("InvalidRoleArgument")]
public sealed class SetCrdbVaultRoleCommand : VaultCmdlet
{
    /// <summary>Role name (database/roles/&lt;Name&gt;); credentials are issued from database/creds/&lt;Name&gt;.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>The connection made by Initialize-CrdbVaultDatabase (-Name there).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseConnectionCompleter))]
    [Input(InputKind.NameSegment)]
    public string ConnectionName { get; set; } = "";

    /// <summary>Privilege clauses, e.g. 'ALL ON DATABASE defaultdb', 'SELECT ON TABLE app.public.orders'.</summary>
    [Parameter]
    [Input(InputKind.FreeText)]
    public string[] Grant { get; set; } = [];

    /// <summary>Existing SQL roles the user becomes a member of (recommended over -Grant). admin and root need -AllowAdminRole.</summary>
    [Parameter]
    [Input(InputKind.SqlUser)]
    public string[] GrantRole { get; set; } = [];

    /// <summary>Lease TTL of issued credentials: '1h', 3600 (seconds) or a TimeSpan. Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? DefaultTtl { get; set; }

    /// <summary>Longest a credential can be renewed to. Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? MaxTtl { get; set; }

    /// <summary>Where the database secrets engine is mounted (the -MountPath given to Initialize-CrdbVaultDatabase; nested paths like team-a/database work).
    /// Binds with -Name and -ConnectionName from a piped VaultDatabaseRole.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    /// <summary>CockroachDB only: add SET allow_role_memberships_to_change_during_transaction = true to the statements.</summary>
    [Parameter]
    public SwitchParameter AllowRoleMembershipChangeInTransaction { get; set; }

    /// <summary>Allow -GrantRole admin (or root): every user issued from the role is then a CockroachDB administrator.</summary>
    [Parameter]
    public SwitchParameter AllowAdminRole { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        if (DefaultTtl is TimeSpan d && MaxTtl is TimeSpan m && d > m)
            ThrowInvalidArgument($"-DefaultTtl ({d}) is longer than -MaxTtl ({m}). Make -DefaultTtl at most -MaxTtl.", "InvalidRoleArgument", Name);
        RoleStatements statements = Checked(() => RoleStatements.Build(Grant.Select(GrantClause.Parse).ToList(), GrantRole,
            AllowRoleMembershipChangeInTransaction, AllowAdminRole), "InvalidRoleArgument", Name);
        var engine = new DatabaseEngine(vault.Client, MountPath);

        if (Grant.Length == 0 && GrantRole.Length == 0)
            WriteWarning($"Role '{Name}' grants nothing: its users can log in but not read or write. " +
                $"Add -GrantRole <existing role> or -Grant '<privileges> ON ...'.");
        DatabaseConnectionInfo? connection = RequireConnection(engine);
        WarnAboutSchemaChanges(engine, connection);

        string target = $"{engine.MountPath}/roles/{Name}";
        if (!ShouldProcess(target, $"Write role using connection '{ConnectionName}' ({statements.Creation.Count} creation statement(s))"))
            return;
        Run(ct => engine.WriteRoleAsync(Name, ConnectionName, statements, DefaultTtl, MaxTtl, ct), target, "SetRoleFailed");
        DatabaseRoleInfo? info = Run(ct => engine.ReadRoleAsync(Name, ct), target);
        if (info is not null) WriteObject(VaultDatabaseRole.From(info));
    }

    /// <summary>
    /// The connection the role will use, read before anything is written: a missing one is an error
    /// (Vault would store the role and fail only when a credential is asked for). A token that may not
    /// read it cannot check: a warning says so and the role is written.
    /// </summary>
    private DatabaseConnectionInfo? RequireConnection(DatabaseEngine engine)
    {
        try
        {
            DatabaseConnectionInfo connection = Await(ct => engine.RequireConnectionAsync(ConnectionName, ct));
            if (connection.AllowedRoles.Count > 0 && !connection.AllowedRoles.Any(r => new WildcardPattern(r).IsMatch(Name)))
                WriteWarning($"Connection '{ConnectionName}' allows only the roles {string.Join(", ", connection.AllowedRoles)}; '{Name}' is not among them, " +
                    $"so Vault will refuse to issue credentials from it. Add it with Initialize-CrdbVaultDatabase -AllowedRoles.");
            return connection;
        }
        catch (DatabaseConnectionNotFoundException ex)
        {
            ThrowMapped(ex, $"{engine.MountPath}/config/{ConnectionName}", "DatabaseConnectionNotFound");
            return null;
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.PermissionDenied)
        {
            WriteWarning($"Could not check that connection '{ConnectionName}' exists: this token may not read {engine.MountPath}/config/{ConnectionName}. " +
                $"If it does not exist, credentials from this role will fail.");
            return null;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            ThrowMapped(ex, $"{engine.MountPath}/config/{ConnectionName}");
            return null;
        }
    }

    private void WarnAboutSchemaChanges(DatabaseEngine engine, DatabaseConnectionInfo? connection)
    {
        if (AllowRoleMembershipChangeInTransaction) return;
        // Only Vault knows where the connection points; a token that may not read it just gets no warning.
        if (connection is null)
        {
            WriteVerbose($"Could not read {engine.MountPath}/config/{ConnectionName}; skipping the CockroachDB check.");
            return;
        }
        if (VaultConnectionUrl.TryParseHostPort(connection.ConnectionUrl) is (string host, int port) && VaultConnectionUrl.LooksLikeCockroachDb(host, port))
        {
            WriteWarning("On CockroachDB, CREATE ROLE/GRANT/REVOKE are schema changes: " +
                "inside Vault's transaction they can wait up to 5 minutes behind long-running transactions, and block other sessions meanwhile. " +
                "Remedy: run 'ALTER ROLE ALL SET allow_role_memberships_to_change_during_transaction = true' on the cluster (the application sessions need " +
                    "it), and pass -AllowRoleMembershipChangeInTransaction here. Prefer -GrantRole over -Grant.");
        }
    }
}
