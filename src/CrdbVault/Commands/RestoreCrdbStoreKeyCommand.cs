using System.Management.Automation;
using CrdbVault.Core.Keys;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Rebuilds a CockroachDB store key file from its recovery record through Vault transit.</para>
/// <para type="description">Reads the recovery record (&lt;key file&gt;.vault.json written by
/// New-CrdbStoreKey, or a StoreKey object from the pipeline), asks transit to decrypt the wrapped data
/// key, and writes the identical key file again: same 32-byte key ID, same bytes, mode 0600,
/// atomically. -Path defaults to the record's FileName in the record's folder (or the StoreKey's
/// Path). The record is written beside the restored key too when none is there. Needs a token
/// allowed to update &lt;mount&gt;/decrypt/&lt;key&gt;. Works after transit key rotations as long as the
/// key's min_decryption_version still allows the record's version.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "CrdbStoreKey", SupportsShouldProcess = true, DefaultParameterSetName = RecordSet)]
[OutputType(typeof(StoreKey))]
public sealed class RestoreCrdbStoreKeyCommand : VaultCmdlet
{
    private const string RecordSet = "Record";
    private const string InputObjectSet = "InputObject";

    /// <summary>The recovery record file (&lt;key file&gt;.vault.json). A piped StoreKey binds -InputObject instead: it carries the record's contents, so the
    /// file need not be there.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = RecordSet)]
    [Alias("RecoveryRecordPath")]
    [Input(InputKind.ReadPath, ErrorId = "InvalidRecoveryRecord")]
    public string RecoveryRecord { get; set; } = "";

    /// <summary>A StoreKey from New-CrdbStoreKey (it carries the same information as the record).</summary>
    [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
    public StoreKey InputObject { get; set; } = null!;

    /// <summary>Where to write the key file. Default: where it was.</summary>
    [Parameter(Position = 1)]
    [Input(InputKind.WritePath, ErrorId = "InvalidStoreKeyPath")]
    public string? Path { get; set; }

    /// <summary>Replace an existing file at -Path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecordWithSession(VaultConnection vault)
    {
        StoreKeyRecovery record;
        string target;
        try
        {
            if (ParameterSetName == InputObjectSet)
            {
                record = new StoreKeyRecovery
                {
                    Version = StoreKeyRecovery.CurrentVersion,
                    KeyId = InputObject.KeyId,
                    TransitMount = InputObject.TransitMount,
                    TransitKey = InputObject.TransitKey,
                    Ciphertext = InputObject.Ciphertext,
                    KeySize = InputObject.KeySize,
                    CreatedAt = InputObject.CreatedAt,
                    FileName = System.IO.Path.GetFileName(InputObject.Path),
                };
                record.Validate("the StoreKey object");
                // A piped object's Path did not pass a parameter's check: it gets the same one here.
                string path = Path ?? Checked(() => Core.Validation.InputValidator.WritePath(InputObject.Path, "InputObject.Path"), "InvalidStoreKeyPath",
                    InputObject.Path);
                target = FileSystemPath(path, nameof(Path), "InvalidStoreKeyPath");
            }
            else
            {
                string recordPath = FileSystemPath(RecoveryRecord, nameof(RecoveryRecord), "InvalidRecoveryRecord");
                record = StoreKeyRecovery.Load(recordPath);
                target = Path is not null
                    ? FileSystemPath(Path, nameof(Path), "InvalidStoreKeyPath")
                    : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(recordPath)!, record.FileName);
            }
            target = StoreKeys.CheckRestoreTarget(target, record, Force);
        }
        catch (StoreKeyTargetException ex)
        {
            WriteError(StoreKeyErrors.Record(ex, Path ?? RecoveryRecord));
            return;
        }
        catch (Exception ex) when (ex is FormatException or FileNotFoundException)
        {
            WriteMapped(ex, RecoveryRecord.Length > 0 ? RecoveryRecord : null, ex switch
            {
                FileNotFoundException => "RecoveryRecordNotFound",
                StoreKeyRecordException => null, // its own ids: InvalidRecoveryRecord, RecoveryRecordVersionUnsupported, RecoveryRecordAltered
                _ => "InvalidRecoveryRecord",
            });
            return;
        }

        if (!ShouldProcess(target, $"Restore store key {record.KeyId} ({record.KeySize}-bit) " +
            $"by decrypting its wrapped copy with transit key {record.TransitMount}/{record.TransitKey}"))
            return;
        StoreKeyErrors.WarnAboutLeftovers(this, target);
        var keys = new StoreKeys(vault.Client, record.TransitMount, VerboseSink.Write);
        if (TryRun(ct => keys.RestoreAsync(record, target, Force, ct), out StoreKeyResult result, target, null))
            WriteObject(StoreKey.From(result));
    }
}
