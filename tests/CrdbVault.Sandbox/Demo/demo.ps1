# The README's main job, as an admin would type it at a prompt. Run by `dotnet run --project
# tests/CrdbVault.Sandbox -- demo` in the hosted PowerShell engine against the sandbox (Vault double
# + a throwaway PostgreSQL standing in for CockroachDB's SQL layer, TLS only like a secure cluster).
param(
    [string] $ModulePath,
    [string] $VaultAddress,
    [string] $VaultToken,
    [string] $SqlHost,
    [int] $SqlPort,
    [string] $SqlAdmin,
    [string] $SqlAdminPassword,
    [string] $CaCertificate   # the cluster's CA (ca.crt): Vault and the SQL clients verify the server with it
)
$ErrorActionPreference = 'Stop'
$clock = [System.Diagnostics.Stopwatch]::StartNew()
function Step([string] $text) { "`n### $text   [$([int]$clock.Elapsed.TotalMilliseconds) ms]" | Out-Default }

Import-Module $ModulePath

Step '1. Connect to Vault (in real life: $env:VAULT_ADDR / $env:VAULT_TOKEN or AppRole)'
$token = [System.Net.NetworkCredential]::new('', $VaultToken).SecurePassword
Connect-CrdbVault -Address $VaultAddress -Token $token | Out-Default

Step '2. Point Vault''s database secrets engine at the cluster (once per cluster), verifying its certificate'
$admin = [pscredential]::new($SqlAdmin, [System.Net.NetworkCredential]::new('', $SqlAdminPassword).SecurePassword)
Initialize-CrdbVaultDatabase -Name crdb -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$CaCertificate" -Credential $admin | Out-Default

Step '3. A role whose users become members of the pre-created SQL role app_rw'
Set-CrdbVaultRole -Name app -ConnectionName crdb -GrantRole app_rw -DefaultTtl '15m' -MaxTtl '1h' | Out-Default

Step '4. Issue a short-lived SQL user'
$cred = New-CrdbDynamicCredential -Role app
$cred | Out-Default

Step '5. Log in with it (TLS verify-full)'
$cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $CaCertificate | Out-Default

Step '6. Renew the lease'
$cred | Update-CrdbLease -Increment '30m' | Out-Default

Step '7. Revoke it: Vault runs the revocation statements and the SQL user is dropped'
$cred | Revoke-CrdbLease -Sync -PassThru | Out-Default

Step '8. The same credential no longer logs in'
$result = $cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $CaCertificate -ErrorAction SilentlyContinue -ErrorVariable loginError
if ($result) { throw "The revoked credential still logs in." }
"Login refused as expected: [$($loginError[0].FullyQualifiedErrorId)] $($loginError[0].Exception.Message)" | Out-Default
$cred.UserName
