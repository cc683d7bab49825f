# User-level scenario: CockroachDB encryption-at-rest store keys from Vault transit.
# Core language only; throws on failure. Receives $VaultAddress, $VaultToken, $WorkDir.
$ErrorActionPreference = 'Stop'

$null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword)

# A private folder for keys (CockroachDB store keys must not be readable by others).
$keys = [System.IO.Path]::Combine($WorkDir, 'store-keys')
if ([System.OperatingSystem]::IsWindows()) {
    [void][System.IO.Directory]::CreateDirectory($keys)
} else {
    [void][System.IO.Directory]::CreateDirectory($keys, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
}
$first = [System.IO.Path]::Combine($keys, 'store-1.key')
$second = [System.IO.Path]::Combine($keys, 'store-2.key')

# 1. First key: the file CockroachDB reads with --enterprise-encryption=path=<store>,key=<file>,old-key=plain
$k1 = New-CrdbStoreKey -Path $first -KeySize 256
if ($k1.PSObject.TypeNames[0] -ne 'CrdbVault.StoreKey') { throw "expected a CrdbVault.StoreKey, got $($k1.PSObject.TypeNames[0])" }
$bytes1 = [System.IO.File]::ReadAllBytes($first)
if ($bytes1.Length -ne 64) { throw "a 256-bit v1 store key file is 64 bytes, got $($bytes1.Length)" }
if ([System.Convert]::ToHexString($bytes1, 0, 32).ToLowerInvariant() -ne $k1.KeyId) { throw 'the key ID is not the first 32 bytes of the file' }
if (-not [System.IO.File]::Exists($k1.RecoveryRecordPath)) { throw 'no recovery record beside the key' }
if (-not [System.OperatingSystem]::IsWindows()) {
    $mode = [System.IO.File]::GetUnixFileMode($first)
    if ($mode -ne [System.IO.UnixFileMode]'UserRead, UserWrite') { throw "key file mode is $mode, expected 0600" }
}

# 2. Never overwritten by accident.
$refused = $false
try { New-CrdbStoreKey -Path $first } catch { $refused = $_.FullyQualifiedErrorId -like 'StoreKeyExists*' }
if (-not $refused) { throw 'an existing key file was not protected' }

# 3. Rotation: a NEW key with a NEW key ID (key=<new>,old-key=<old>).
$k2 = New-CrdbStoreKey -Path $second -KeySize 128
if ($k2.KeyId -eq $k1.KeyId) { throw 'rotation must use a new key ID' }
if ([System.IO.File]::ReadAllBytes($second).Length -ne 48) { throw 'a 128-bit v1 store key file is 48 bytes' }

# 4. The disk is lost: rebuild the identical file from the recovery record through transit.
[System.IO.File]::Delete($first)
$restored = Restore-CrdbStoreKey -RecoveryRecord $k1.RecoveryRecordPath
if ($restored.KeyId -ne $k1.KeyId) { throw 'restored key has another key ID' }
$bytesBack = [System.IO.File]::ReadAllBytes($first)
if ([System.Convert]::ToBase64String($bytesBack) -ne [System.Convert]::ToBase64String($bytes1)) { throw 'restored key file differs from the original' }

# 5. The key never appears in what the cmdlets return.
$secret = [System.Convert]::ToBase64String($bytes1, 32, 32)
foreach ($o in @($k1, $restored)) {
    foreach ($p in $o.PSObject.Properties) {
        if ("$($p.Value)".Contains($secret)) { throw "property $($p.Name) shows the key" }
    }
}
'StoreKey scenario passed'
