using System.Management.Automation;
using CrdbVault.Core.Files;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Backups an older CrdbVault made while replacing files (&lt;file&gt;.&lt;hex&gt;.bak) may hold the only
/// copy of a key after an interrupted write: the cmdlets that write key files say so and never
/// delete them. (Temporaries are removed by Core; they were never in use.)
/// </summary>
internal static class LeftoverFiles
{
    internal static void WarnAboutBackups(PSCmdlet cmdlet, IEnumerable<string> paths)
    {
        foreach (string backup in SecretFileWriter.FindLeftovers(paths).Backups)
            cmdlet.WriteWarning($"'{backup}' holds the earlier content of '{BackupOf(backup)}', left by an interrupted write of an older CrdbVault; " +
                $"it may be the only copy of a key. If '{BackupOf(backup)}' is missing or wrong, rename the backup back; " +
                $"otherwise delete it (it may be key material).");
    }

    private static string BackupOf(string backup)
    {
        string withoutBak = backup[..^4];
        return withoutBak[..withoutBak.LastIndexOf('.')];
    }
}
