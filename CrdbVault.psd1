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
    CmdletsToExport      = @(
        'Connect-CrdbVault'
        'Disconnect-CrdbVault'
        'Initialize-CrdbVaultDatabase'
        'Set-CrdbVaultRole'
        'Get-CrdbVaultRole'
        'Remove-CrdbVaultRole'
        'Set-CrdbVaultStaticRole'
        'Get-CrdbVaultStaticRole'
        'Remove-CrdbVaultStaticRole'
        'Get-CrdbStaticCredential'
        'Reset-CrdbStaticCredential'
        'New-CrdbDynamicCredential'
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
            ReleaseNotes = '0.1.0: Vault connection (token, AppRole), CockroachDB-correct database secrets engine setup, dynamic credentials, leases, SQL connection tests.'
        }
    }
}
