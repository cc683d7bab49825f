using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using CrdbVault.Core.Database;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Completes from the live session default connection; silently nothing when not connected or when
/// Vault refuses (completion must never throw or hang for long).
/// </summary>
public abstract class LiveCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        VaultConnection? connection = ConnectionStore.Vault;
        if (connection is null) return [];
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            IEnumerable<string> names = Task.Run(() => GetNames(connection, fakeBoundParameters, timeout.Token)).GetAwaiter().GetResult();
            var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
            return names.Where(n => pattern.IsMatch(n)).OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .Select(n => new CompletionResult(n.IndexOfAny([' ', '$', '\'']) >= 0 ? $"'{n}'" : n, n, CompletionResultType.ParameterValue, n)).ToList();
        }
        catch (Exception)
        {
            return [];
        }
    }

    private protected abstract Task<IEnumerable<string>> GetNames(VaultConnection connection, IDictionary bound, CancellationToken ct);

    private protected static string Mount(IDictionary bound, string fallback) =>
        bound["MountPath"] is string m && m.Length > 0 ? m : fallback;
}

/// <summary>Database role names on the mount given by -MountPath (default 'database').</summary>
public sealed class DatabaseRoleCompleter : LiveCompleter
{
    private protected override async Task<IEnumerable<string>> GetNames(VaultConnection c, IDictionary bound, CancellationToken ct) =>
        await new DatabaseEngine(c.Session.Client, Mount(bound, "database")).ListRolesAsync(ct).ConfigureAwait(false);
}

/// <summary>Database connection names on the mount given by -MountPath.</summary>
public sealed class DatabaseConnectionCompleter : LiveCompleter
{
    private protected override async Task<IEnumerable<string>> GetNames(VaultConnection c, IDictionary bound, CancellationToken ct) =>
        await new DatabaseEngine(c.Session.Client, Mount(bound, "database")).ListConnectionsAsync(ct).ConfigureAwait(false);
}

/// <summary>Mount paths from sys/mounts.</summary>
public sealed class MountPathCompleter : LiveCompleter
{
    private protected override async Task<IEnumerable<string>> GetNames(VaultConnection c, IDictionary bound, CancellationToken ct) =>
        await Core.Vault.VaultMounts.ListAsync(c.Session.Client, ct).ConfigureAwait(false);
}

/// <summary>Completes PKI role names on the mount given by -MountPath.</summary>
public sealed class PkiRoleCompleter : LiveCompleter
{
    private protected override async Task<IEnumerable<string>> GetNames(VaultConnection c, System.Collections.IDictionary bound, CancellationToken ct) =>
        await new Core.Certificates.PkiEngine(c.Session.Client, Mount(bound, "cockroach_client_ca")).ListRolesAsync(ct).ConfigureAwait(false);
}
