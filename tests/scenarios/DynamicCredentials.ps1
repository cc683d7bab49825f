# User-level scenario: the dynamic-credential lifecycle as an admin types it.
# Core language only (runs in the hosted engine and under Pester). Throws on any failure.
# Variables: $VaultAddress, $VaultToken, $SqlHost, $SqlPort, $SqlCa (the server's CA), $SqlAdmin, $SqlAdminPassword, $Mount, $GroupRole
$ErrorActionPreference = 'Stop'
$secure = { param($text) [System.Net.NetworkCredential]::new('', $text).SecurePassword }

$connection = Connect-CrdbVault -Address $VaultAddress -Token (& $secure $VaultToken)
if ($connection.AuthMethod -ne 'token') { throw "expected a token connection, got $($connection.AuthMethod)" }

$admin = [pscredential]::new($SqlAdmin, (& $secure $SqlAdminPassword))
$db = Initialize-CrdbVaultDatabase -Name scenario -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
if ($db.ConnectionUrl -notlike 'postgresql://{{username}}:{{password}}@*') { throw "connection URL not templated: $($db.ConnectionUrl)" }

$role = Set-CrdbVaultRole -Name app -ConnectionName scenario -MountPath $Mount -GrantRole $GroupRole -DefaultTtl '5m' -MaxTtl '1h'
if ($role.DefaultTtl -ne [timespan]::FromMinutes(5)) { throw "DefaultTtl is $($role.DefaultTtl)" }

$cred = $role | New-CrdbDynamicCredential -MountPath $Mount
if ($cred.UserName -cne $cred.UserName.ToLowerInvariant()) { throw "user name is not lower case: $($cred.UserName)" }
if ($cred.Password -isnot [securestring]) { throw 'the password must be a SecureString' }

$login = $cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa
if ($login.UserName -ne $cred.UserName) { throw "logged in as $($login.UserName), expected $($cred.UserName)" }

$renewed = $cred | Update-CrdbLease -Increment '10m'
if ($renewed.LeaseDuration -ne [timespan]::FromMinutes(10)) { throw "renewal granted $($renewed.LeaseDuration)" }

$listed = @(Get-CrdbLease -Prefix "$Mount/creds/app")
if ($listed.Count -ne 1 -or $listed[0].LeaseId -ne $cred.LeaseId) { throw "lease listing is wrong: $($listed.LeaseId -join ', ')" }

$cred | Revoke-CrdbLease -Sync
$after = $cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa -ErrorAction SilentlyContinue -ErrorVariable refused
if ($after -or $refused[0].CategoryInfo.Category -ne 'AuthenticationError') { throw 'the revoked credential still logs in' }

'DynamicCredentials scenario passed'
