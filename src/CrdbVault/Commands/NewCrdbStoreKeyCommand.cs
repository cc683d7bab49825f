using System.Management.Automation;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Creates a CockroachDB encryption-at-rest store key file from a Vault transit data key.</para>
/// <para type="description">Asks Vault transit for a new data key (transit/datakey/plaintext/&lt;TransitKey&gt;,
/// 128 or 256 bits) and writes it in CockroachDB's v1 key file format: a fresh random 32-byte key ID
/// followed by the raw AES key (48 or 64 bytes), mode 0600, atomically. Beside it goes
/// &lt;Path&gt;.vault.json, a recovery record with the key ID and the data key WRAPPED by transit (no
/// secret): Restore-CrdbStoreKey turns it back into the identical file through transit decrypt, for
/// example after losing a disk. The key itself never appears in any output, verbose text or error.
/// The folder must exist and be private (chmod 700); keep it off the store's data volume.
/// When the transit key does not exist, it is created (aes256-gcm96) with a verbose note, unless
/// -NoCreateTransitKey is given. The request for the data key is never retried.
/// Use the file with: cockroach start --enterprise-encryption=path=&lt;store dir&gt;,key=&lt;Path&gt;,old-key=plain
/// the first time. To rotate, create a NEW file and restart the node with
/// --enterprise-encryption=path=&lt;store&gt;,key=&lt;new.key&gt;,old-key=&lt;old.key&gt;; never reuse an old key
/// (CockroachDB refuses an inactive key ID as the active key again). 192-bit keys are valid for
/// CockroachDB but transit cannot make them: use 128 or 256.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "CrdbStoreKey", SupportsShouldProcess = true)]
[OutputType(typeof(StoreKey))]
[InputErrorId("InvalidStoreKeyArgument")]
public sealed class NewCrdbStoreKeyCommand : VaultCmdlet
{
    /// <summary>The key file to write, e.g. /var/lib/cockroach-keys/store-2026-11.key (its folder must exist, mode 700).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.WritePath)]
    public string Path { get; set; } = "";

    /// <summary>AES key size in bits: 256 (default) or 128.</summary>
    [Parameter]
    public int KeySize { get; set; } = 256;

    /// <summary>The transit key that wraps the data key. Default cockroach-ear.</summary>
    [Parameter]
    [Input(InputKind.NameSegment)]
    public string TransitKey { get; set; } = "cockroach-ear";

    /// <summary>Where the transit engine is mounted. Default transit.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "transit";

    /// <summary>Fail instead of creating the transit key when it does not exist.</summary>
    [Parameter]
    public SwitchParameter NoCreateTransitKey { get; set; }

    /// <summary>Replace an existing key file and recovery record (never the active key of a running store).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    // Acts once, in EndProcessing: the connection is resolved there, after the checks that need none.
    protected override void ProcessCheckedRecord()
    {
    }

    protected override void EndProcessing()
    {
        Checked(() => { StoreKeyFile.ValidateSize(KeySize); return KeySize; }, "InvalidStoreKeyArgument", Path);
        string full = FileSystemPath(Path, nameof(Path), "InvalidStoreKeyArgument");
        try
        {
            full = StoreKeys.CheckTarget(full, Force);
        }
        catch (StoreKeyTargetException ex)
        {
            ThrowTerminatingError(StoreKeyErrors.Record(ex, full));
            return;
        }

        if (!ShouldProcess(full, $"Write a new {KeySize}-bit CockroachDB store key from Vault transit key {MountPath.Trim('/')}/{TransitKey}, " +
            $"and its recovery record"))
            return;
        if (Force && StoreKeys.DescribeSet(full) is { Problem: string mixed })
            WriteWarning(mixed + " -Force replaces both now.");
        StoreKeyErrors.WarnAboutLeftovers(this, full);
        VaultClient client = ResolveSession().Client;
        var keys = new StoreKeys(client, MountPath, VerboseSink.Write);
        var request = new StoreKeyRequest
        {
            Path = full,
            KeySize = KeySize,
            TransitMount = keys.Transit.MountPath,
            TransitKey = TransitKey,
            Overwrite = Force,
            CreateTransitKeyWhenAbsent = !NoCreateTransitKey,
        };
        StoreKeyResult result = Run(ct => keys.CreateAsync(request, ct), full, null);
        WriteObject(StoreKey.From(result));
    }
}

/// <summary>Shared by the store key cmdlets.</summary>
internal static class StoreKeyErrors
{
    internal static ErrorRecord Record(StoreKeyTargetException ex, string target) => ex.Reason switch
    {
        "AlreadyExists" => new ErrorRecord(ex, "StoreKeyExists", ErrorCategory.ResourceExists, target),
        "SetInconsistent" => new ErrorRecord(ex, "StoreKeySetInconsistent", ErrorCategory.InvalidData, target),
        "DirectoryNotPrivate" => new ErrorRecord(ex, "StoreKeyDirectoryNotPrivate", ErrorCategory.SecurityError, target),
        "MissingDirectory" => new ErrorRecord(ex, "StoreKeyDirectoryMissing", ErrorCategory.ObjectNotFound, target),
        _ => new ErrorRecord(ex, "InvalidStoreKeyPath", ErrorCategory.InvalidArgument, target),
    };

    internal static void WarnAboutLeftovers(PSCmdlet cmdlet, string keyPath) =>
        LeftoverFiles.WarnAboutBackups(cmdlet, [keyPath, StoreKeyFile.RecoveryRecordPathFor(keyPath)]);
}
