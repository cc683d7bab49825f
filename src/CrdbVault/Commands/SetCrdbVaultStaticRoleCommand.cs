using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Creates or updates a static role: Vault manages and rotates the password of one existing SQL user.</para>
/// <para type="description">Writes &lt;mount&gt;/static-roles/&lt;Name&gt; for -UserName on connection -ConnectionName,
/// rotated every -RotationPeriod (at least 5 seconds) or on the cron -RotationSchedule (five fields,
/// at most once a minute; -RotationWindow, at least 1 hour, bounds how late a missed rotation may still
/// happen). CREATING a static role makes Vault set a new password for the user AT ONCE: whatever still
/// logs in with the current password stops working, and from then on only Vault knows it (read it with
/// Get-CrdbStaticCredential). Updating an existing role changes its schedule without rotating. The
/// connection's own admin user is refused (Vault would lock its own connection out), so the token needs
/// read access to &lt;mount&gt;/config/&lt;ConnectionName&gt;. The default rotation statement is
/// ALTER USER "{{name}}" WITH PASSWORD '{{password}}', which CockroachDB accepts; -RotationStatements
/// replaces it and must use {{name}} and {{password}}.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbVaultStaticRole", SupportsShouldProcess = true, DefaultParameterSetName = PeriodSet)]
[OutputType(typeof(VaultStaticRole))]
[InputErrorId("InvalidStaticRoleArgument")]
public sealed class SetCrdbVaultStaticRoleCommand : VaultCmdlet
{
    private const string PeriodSet = "Period";
    private const string ScheduleSet = "Schedule";

    /// <summary>Static role name (database/static-roles/&lt;Name&gt;); its password is read from database/static-creds/&lt;Name&gt;.</summary>
    /// <remarks>A static role from Get-CrdbVaultStaticRole can be piped in to apply it again (with changes).</remarks>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Input(InputKind.NameSegment, PipelineProperty = "Role", PipelineTypes = ["CrdbVault.VaultStaticRole", InputAttribute.PsCustomObject])]
    public string Name { get; set; } = "";

    /// <summary>The connection made by Initialize-CrdbVaultDatabase (-Name there); Vault runs the rotation as its user.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseConnectionCompleter))]
    [Input(InputKind.NameSegment)]
    public string ConnectionName { get; set; } = "";

    /// <summary>The existing SQL user whose password Vault takes over (never the connection's own user).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.SqlUser)]
    public string UserName { get; set; } = "";

    /// <summary>Rotate this long after each rotation: '24h', 86400 (seconds) or a TimeSpan; at least 5 seconds.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PeriodSet)]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? RotationPeriod { get; set; }

    /// <summary>Rotate on this cron schedule: minute hour day-of-month month day-of-week, e.g. '0 3 * * *' (03:00 daily).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ScheduleSet)]
    [Input(InputKind.FreeText, MaxLength = 256)]
    public string RotationSchedule { get; set; } = "";

    /// <summary>How long after each scheduled time a rotation may still happen (at least 1 hour); without it, no limit.</summary>
    [Parameter(ParameterSetName = ScheduleSet)]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? RotationWindow { get; set; }

    /// <summary>SQL that sets the password, with {{name}} and {{password}}. Default: ALTER USER "{{name}}" WITH PASSWORD '{{password}}';</summary>
    [Parameter]
    [Input(InputKind.FreeText, MaxLength = 65536)]
    public string[] RotationStatements { get; set; } = [];

    /// <summary>Where the database secrets engine is mounted. Default database.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        StaticRoleRequest request = Checked(() => StaticRoles.Validate(new StaticRoleRequest
        {
            Name = Name,
            ConnectionName = ConnectionName,
            UserName = UserName,
            RotationPeriod = ParameterSetName == PeriodSet ? RotationPeriod : null,
            RotationSchedule = ParameterSetName == ScheduleSet ? RotationSchedule : null,
            RotationWindow = RotationWindow,
            RotationStatements = RotationStatements,
        }), StaticRoles.InvalidArgumentId, Name);
        var roles = new StaticRoles(vault.Client, MountPath);
        string target = $"{roles.MountPath}/static-roles/{Name}";
        // Core's refusals carry their stable id (InvalidStaticRoleArgument): the mapping reports them.
        StaticRolePlan plan = Run(ct => roles.PlanAsync(request, ct), target);

        string rule = request.RotationPeriod is TimeSpan p ? $"every {p}" : $"on schedule '{request.RotationSchedule}'";
        string action = plan.Creates
            ? $"Create static role for SQL user '{UserName}' on connection '{ConnectionName}', rotated {rule}. " +
                $"Vault sets a NEW PASSWORD for '{UserName}' AT ONCE: anything still using the current password stops working"
            : $"Update static role for SQL user '{UserName}', rotated {rule} (the password is not rotated now)";
        if (!ShouldProcess(target, action)) return;
        Run(ct => roles.WriteAsync(plan, ct), target, "SetStaticRoleFailed");
        if (plan.Creates) WriteVerbose($"Vault now manages the password of '{UserName}'. Read it with: " +
            $"Get-CrdbStaticCredential -Role {Name} -MountPath '{roles.MountPath}'");
        StaticRoleInfo? info = Run(ct => roles.ReadAsync(Name, ct), target);
        if (info is not null) WriteObject(VaultStaticRole.From(info));
    }
}
