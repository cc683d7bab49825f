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
/// sessions need it too: ALTER ROLE ALL SET allow_role_memberships_to_change_during_transaction = true).</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbVaultRole", SupportsShouldProcess = true)]
[OutputType(typeof(VaultDatabaseRole))]
public sealed class SetCrdbVaultRoleCommand : VaultCmdlet
{
    /// <summary>Role name (database/roles/&lt;Name&gt;); credentials are issued from database/creds/&lt;Name&gt;.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    /// <summary>The connection made by Initialize-CrdbVaultDatabase (-Name there).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseConnectionCompleter))]
    public string ConnectionName { get; set; } = "";

    /// <summary>Privilege clauses, e.g. 'ALL ON DATABASE defaultdb', 'SELECT ON TABLE app.public.orders'.</summary>
    [Parameter]
    public string[] Grant { get; set; } = [];

    /// <summary>Existing SQL roles the user becomes a member of (recommended over -Grant).</summary>
    [Parameter]
    public string[] GrantRole { get; set; } = [];

    /// <summary>Lease TTL of issued credentials: '1h', 3600 (seconds) or a TimeSpan. Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? DefaultTtl { get; set; }

    /// <summary>Longest a credential can be renewed to. Default: the mount's.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? MaxTtl { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    public string MountPath { get; set; } = "database";

    /// <summary>CockroachDB only: add SET allow_role_memberships_to_change_during_transaction = true to the statements.</summary>
    [Parameter]
    public SwitchParameter AllowRoleMembershipChangeInTransaction { get; set; }

    protected override void ProcessRecord()
    {
        DatabaseEngine engine;
        RoleStatements statements;
        try
        {
            InputValidator.PathSegment(Name, nameof(Name));
            InputValidator.PathSegment(ConnectionName, nameof(ConnectionName));
            InputValidator.MountPath(MountPath);
            var grants = Grant.Select(GrantClause.Parse).ToList();
            statements = RoleStatements.Build(grants, GrantRole, AllowRoleMembershipChangeInTransaction);
            if (DefaultTtl is TimeSpan d && MaxTtl is TimeSpan m && d > m)
                throw new ArgumentException($"-DefaultTtl ({d}) is longer than -MaxTtl ({m}). Make -DefaultTtl at most -MaxTtl.", nameof(DefaultTtl));
            if (DefaultTtl is TimeSpan dz && dz <= TimeSpan.Zero || MaxTtl is TimeSpan mz && mz <= TimeSpan.Zero)
                throw new ArgumentException("-DefaultTtl and -MaxTtl must be longer than zero; leave them out to use the mount's defaults.", nameof(DefaultTtl));
        }
        catch (ArgumentException ex)
        {
            ThrowInvalidArgument(ex.Message, "InvalidRoleArgument", Name);
            return;
        }
        engine = new DatabaseEngine(Client, MountPath);

        if (Grant.Length == 0 && GrantRole.Length == 0)
            WriteWarning($"Role '{Name}' grants nothing: its users can log in but not read or write. Add -GrantRole <existing role> or -Grant '<privileges> ON ...'.");
        WarnAboutSchemaChanges(engine);

        string target = $"{engine.MountPath}/roles/{Name}";
        if (!ShouldProcess(target, $"Write role using connection '{ConnectionName}' ({statements.Creation.Count} creation statement(s))"))
            return;
        Run(ct => engine.WriteRoleAsync(Name, ConnectionName, statements, DefaultTtl, MaxTtl, ct), target, "SetRoleFailed");
        DatabaseRoleInfo? info = Run(ct => engine.ReadRoleAsync(Name, ct), target);
        if (info is not null) WriteObject(RoleView.From(info));
    }

    private void WarnAboutSchemaChanges(DatabaseEngine engine)
    {
        if (AllowRoleMembershipChangeInTransaction) return;
        // Only Vault knows where the connection points; a token that may not read it just gets no warning.
        DatabaseConnectionInfo? connection = null;
        try
        {
            connection = Await(ct => engine.ReadConnectionAsync(ConnectionName, ct));
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteVerbose($"Reading the connection failed: {ex.Message}");
        }
        if (connection is null)
        {
            WriteVerbose($"Could not read {engine.MountPath}/config/{ConnectionName}; skipping the CockroachDB check.");
            return;
        }
        if (VaultConnectionUrl.TryParseHostPort(connection.ConnectionUrl) is (string host, int port) && VaultConnectionUrl.LooksLikeCockroachDb(host, port))
        {
            WriteWarning("On CockroachDB, CREATE ROLE/GRANT/REVOKE are schema changes: inside Vault's transaction they can wait up to 5 minutes behind long-running transactions, and block other sessions meanwhile. " +
                "Remedy: run 'ALTER ROLE ALL SET allow_role_memberships_to_change_during_transaction = true' on the cluster (the application sessions need it), and pass -AllowRoleMembershipChangeInTransaction here. Prefer -GrantRole over -Grant.");
        }
    }
}

/// <summary>Turns Core's role record into the PowerShell type.</summary>
internal static class RoleView
{
    internal static VaultDatabaseRole From(DatabaseRoleInfo info) => new()
    {
        Name = info.Name,
        ConnectionName = info.ConnectionName,
        MountPath = info.MountPath,
        CreationStatements = [.. info.CreationStatements],
        RevocationStatements = [.. info.RevocationStatements],
        RenewStatements = [.. info.RenewStatements],
        DefaultTtl = info.DefaultTtl,
        MaxTtl = info.MaxTtl,
    };
}
