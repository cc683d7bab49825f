# User-level scenario: an empty PKI mount to a client certificate in a certs dir, checked and revoked.
# Core language only; throws on failure. Receives $VaultAddress, $VaultToken, $CertsDir.
$ErrorActionPreference = 'Stop'
$mount = 'scenario_ca_' + [guid]::NewGuid().ToString('N').Substring(0, 8)

Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword) | Out-Null
$ca = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Scenario Client CA'
if ($ca.MountPath -ne $mount) { throw "Initialize-CrdbCertificateAuthority returned mount '$($ca.MountPath)'" }

# Idempotent: the same CA again.
$again = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Scenario Client CA'
if ($again.Thumbprint -ne $ca.Thumbprint) { throw 'A second Initialize-CrdbCertificateAuthority changed the CA' }

$cert = New-CrdbClientCert -MountPath $mount -User app_reader -CertsDir $CertsDir -Pkcs8
foreach ($name in 'ca.crt', 'client.app_reader.crt', 'client.app_reader.key', 'client.app_reader.key.pk8') {
    if (-not [System.IO.File]::Exists([System.IO.Path]::Combine($CertsDir, $name))) { throw "$name was not written" }
}
if ($cert.Certificate.Subject -ne 'CN=app_reader') { throw "Subject is $($cert.Certificate.Subject)" }
if ($null -ne $cert.PrivateKey) { throw 'The key must not be in the output when written to a certs dir' }
if (-not $IsWindows) {
    $mode = [System.IO.File]::GetUnixFileMode($cert.KeyPath)
    if ($mode -ne [System.IO.UnixFileMode]'UserRead, UserWrite') { throw "client.app_reader.key has mode $mode" }
}
$caFile = [System.IO.File]::ReadAllText([System.IO.Path]::Combine($CertsDir, 'ca.crt')).Trim()
if ($caFile -ne $ca.Pem.Trim()) { throw 'ca.crt is not the mount CA' }

# A second issue without -Force must fail and leave the key as it was.
$before = [System.IO.File]::ReadAllText($cert.KeyPath)
$failed = $false
try { New-CrdbClientCert -MountPath $mount -User app_reader -CertsDir $CertsDir | Out-Null } catch { $failed = $true }
if (-not $failed) { throw 'Overwriting without -Force did not fail' }
if ([System.IO.File]::ReadAllText($cert.KeyPath) -ne $before) { throw 'The key changed without -Force' }

# Invalid user names never reach Vault.
$failed = $false
try { New-CrdbClientCert -MountPath $mount -User 'App Reader' | Out-Null } catch { $failed = $true }
if (-not $failed) { throw "'App Reader' was accepted as a user name" }

$cert | Revoke-CrdbCertificate
'ok'
