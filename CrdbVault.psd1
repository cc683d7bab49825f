@{
    RootModule           = 'CrdbVault.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0d7a53-8a0e-4c1f-9b7e-2f4f7c0b6a11'
    Author               = 'CrdbVault contributors'
    CompanyName          = 'CrdbVault'
    Copyright            = '(c) CrdbVault contributors. Apache License 2.0.'
    Description          = 'Every CockroachDB secret from HashiCorp Vault: dynamic SQL credentials, client and node certificates from Vault PKI, the Cloud client CA, CMEK keys and encryption-at-rest store keys, as typed objects that pipe into each other.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('CrdbVault.format.ps1xml')
    TypesToProcess       = @('CrdbVault.types.ps1xml')
    CmdletsToExport      = @(
        'Connect-CrdbVault'
        'Disconnect-CrdbVault'
        'Initialize-CrdbVaultDatabase'
        'Initialize-CrdbVaultJwtAuth'
        'Set-CrdbVaultRole'
        'Get-CrdbVaultRole'
        'Remove-CrdbVaultRole'
        'Set-CrdbVaultStaticRole'
        'Get-CrdbVaultStaticRole'
        'Remove-CrdbVaultStaticRole'
        'Get-CrdbStaticCredential'
        'Reset-CrdbStaticCredential'
        'New-CrdbDynamicCredential'
        'Use-CrdbDynamicCredential'
        'Get-CrdbLease'
        'Update-CrdbLease'
        'Revoke-CrdbLease'
        'Test-CrdbConnection'
        'Get-CrdbConnectionString'
        'Set-CrdbPipelineVariable'
        'Initialize-CrdbCertificateAuthority'
        'Get-CrdbCertificateAuthority'
        'New-CrdbClientCert'
        'New-CrdbNodeCert'
        'Revoke-CrdbCertificate'
        'Set-CrdbCertificateIssuerPolicy'
        'Connect-CrdbCloud'
        'Set-CrdbClientCaCert'
        'Get-CrdbClientCaCert'
        'Remove-CrdbClientCaCert'
        'New-CrdbCmekKey'
        'New-CrdbCmekRegionSpec'
        'Set-CrdbCmek'
        'Get-CrdbCmek'
        'Revoke-CrdbCmek'
        'New-CrdbStoreKey'
        'Restore-CrdbStoreKey'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('CockroachDB', 'Vault', 'HashiCorp', 'PKI', 'Secrets', 'Credentials', 'CMEK', 'Encryption', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            LicenseUri   = 'https://github.com/crdbvault/CrdbVault/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/crdbvault/CrdbVault'
            # The CHANGELOG.md entry of ModuleVersion, word for word (ReleaseFilesTests checks it).
            ReleaseNotes = @'
First release. Every CockroachDB secret from HashiCorp Vault, as typed objects that pipe into each other; PowerShell 7.4 and later on Windows, Linux and macOS.
- Vault: Connect-CrdbVault (token, VAULT_TOKEN, ~/.vault-token or AppRole; renews in the background at about 2/3 of the token's TTL and logs in again when it cannot, failures shown by the next command), Disconnect-CrdbVault.
- Secretless logins for unattended jobs: Connect-CrdbVault -AzureDevOps (the pipeline's or a service connection's OIDC token), -ManagedIdentity (Azure Automation, App Service, VMs), -GitHubActions, -Jwt / -JwtPath, and -Credential for userpass and LDAP; a fresh external token at every login; errors ExternalTokenUnavailable and VaultLoginRejected say what to fix. Initialize-CrdbVaultJwtAuth sets up a jwt mount and a pinned role for Azure DevOps or GitHub in one idempotent step.
- Dynamic SQL credentials: Initialize-CrdbVaultDatabase (a CockroachDB-correct database secrets engine), Set-CrdbVaultRole, Get-CrdbVaultRole, Remove-CrdbVaultRole, New-CrdbDynamicCredential, Get-CrdbLease, Update-CrdbLease, Revoke-CrdbLease, Test-CrdbConnection, Get-CrdbConnectionString.
- Long jobs: Use-CrdbDynamicCredential (a SQL user for one script block, renewed while it runs, revoked however it ends); TokenExpiresAt and EffectiveExpiresAt on credentials and leases (a lease dies with its token) with a warning when the token ends first; a lease ledger (Get-CrdbLease -Issued, Revoke-CrdbLease -Issued, Connect-CrdbVault -LedgerPath / CRDBVAULT_LEDGER, a default file in Azure DevOps and GitHub Actions jobs) so a clean-up step revokes what earlier steps or crashed processes issued.
- Static roles (Vault rotates one existing SQL user's password): Set-CrdbVaultStaticRole, Get-CrdbVaultStaticRole, Remove-CrdbVaultStaticRole, Get-CrdbStaticCredential, Reset-CrdbStaticCredential.
- CI: Set-CrdbPipelineVariable (secret variables for Azure DevOps and GitHub Actions); inside either, every secret the module hands out is registered for masking first.
- Certificates from Vault PKI in the cockroach certs-dir layout: Initialize-CrdbCertificateAuthority, Get-CrdbCertificateAuthority, New-CrdbClientCert, New-CrdbNodeCert, Revoke-CrdbCertificate, Set-CrdbCertificateIssuerPolicy (issuers that can never get root or node, or only their own users).
- Certificate renewal on a schedule: New-CrdbClientCert and New-CrdbNodeCert -RenewWithin keep the certificate in -CertsDir while it is current (Status Current: nothing issued or written) and replace the set otherwise (Status Issued); a job run hourly with -RenewWithin 8h keeps 24-hour certificates fresh, and SIGHUP makes CockroachDB load them without a restart.
- CockroachDB Cloud client CA: Connect-CrdbCloud, Set-CrdbClientCaCert, Get-CrdbClientCaCert, Remove-CrdbClientCaCert.
- Encryption keys: New-CrdbCmekKey, New-CrdbCmekRegionSpec, Set-CrdbCmek, Get-CrdbCmek, Revoke-CrdbCmek (CMEK for Cloud Advanced); New-CrdbStoreKey, Restore-CrdbStoreKey (encryption-at-rest store keys through Vault transit).
- Least-privilege Vault policies per job: Get-Help about_CrdbVault_Policies.
- Full help for every cmdlet, -WhatIf/-Confirm on every change, format views, stable error ids; passwords, keys and tokens never reach the console, logs, JSON or CliXml.
'@
        }
    }
}
