using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Gets dynamic-credential roles of a database secrets engine.</para>
/// <para type="description">Without -Name, every role on -MountPath; -Name takes wildcards.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "CrdbVaultRole")]
[OutputType(typeof(VaultDatabaseRole))]
public sealed class GetCrdbVaultRoleCommand : VaultCmdlet
{
    /// <summary>Role name; wildcards allowed. Default: all.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(DatabaseRoleCompleter))]
    public string[]? Name { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    public string MountPath { get; set; } = "database";

    protected override void ProcessRecord()
    {
        DatabaseEngine engine;
        try
        {
            Core.Validation.InputValidator.MountPath(MountPath);
        }
        catch (ArgumentException ex)
        {
            ThrowInvalidArgument(ex.Message, "InvalidMountPath", MountPath);
            return;
        }
        engine = new DatabaseEngine(Client, MountPath);

        string[] patterns = Name is { Length: > 0 } ? Name : ["*"];
        IReadOnlyList<string>? all = null;
        foreach (string pattern in patterns)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                try
                {
                    InputValidator.PathSegment(pattern, nameof(Name));
                }
                catch (ArgumentException ex)
                {
                    WriteError(new ErrorRecord(ex, "InvalidRoleName", ErrorCategory.InvalidArgument, pattern));
                    continue;
                }
                if (TryRun(ct => engine.ReadRoleAsync(pattern, ct), out DatabaseRoleInfo? one, pattern))
                {
                    if (one is null)
                        WriteError(new ErrorRecord(new ItemNotFoundException($"Vault has no database role '{pattern}' at '{engine.MountPath}/'. List roles with Get-CrdbVaultRole -MountPath '{engine.MountPath}'."),
                            "VaultRoleNotFound", ErrorCategory.ObjectNotFound, pattern));
                    else WriteObject(RoleView.From(one));
                }
                continue;
            }
            all ??= Run(ct => engine.ListRolesAsync(ct), engine.MountPath);
            var wildcard = new WildcardPattern(pattern, WildcardOptions.IgnoreCase);
            foreach (string name in all.Where(n => wildcard.IsMatch(n)))
            {
                if (TryRun(ct => engine.ReadRoleAsync(name, ct), out DatabaseRoleInfo? info, name) && info is not null)
                    WriteObject(RoleView.From(info));
            }
        }
    }
}
