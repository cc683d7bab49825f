#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Role = 'arn:aws:iam::111122223333:role/crdb-cmek'
    # What Get-Credential returns at a prompt: access key id / secret access key.
    $script:Secret = 'wJalrXUtnFEMI/K7MDENG/' + [guid]::NewGuid().ToString('n')
    $script:AwsCredential = [pscredential]::new('AKIAIOSFODNN7EXAMPLE', (ConvertTo-SecureString $Secret -AsPlainText -Force))
    # Each example on a keymgmt mount of its own: they are alternatives, all naming the key crdb-cmek.
    function New-KeymgmtMount { Enable-CrdbSandboxSecretsEngine $Sandbox -Type keymgmt -Path (New-CrdbTestName 'keymgmt') }
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbCmekKey' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'New-CrdbCmekKey'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbCmekKey(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CmekKeySpec'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: AWS provider, key and distribution in one go; the spec enables CMEK; a rerun returns the same spec' {
        $mount = New-KeymgmtMount
        $spec = New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 `
            -AwsAccountId 111122223333 -AuthPrincipal $Role -ProviderCredential $AwsCredential -Verbose 4>&1
        $verbose = ($spec | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $spec = $spec | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $spec.PSObject.TypeNames | Should -Contain 'CrdbVault.CmekKeySpec'
        $spec.Region | Should -Be 'us-east-1'
        $spec.Type | Should -Be 'AWS_KMS'
        $spec.Uri | Should -Match '^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$'
        $spec.AuthPrincipal | Should -Be $Role
        $verbose | Should -Not -Match ([regex]::Escape($Secret))
        $verbose | Should -Match 'Created KMS provider'
        $key = (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/kms/aws-use1/key/crdb-cmek").data
        $key.purpose | Should -Be 'encrypt,decrypt'
        # Vault never returns the provider credential.
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/kms/aws-use1" | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($Secret))

        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        ($spec | Set-CrdbCmek -ClusterId $clusterId).Status | Should -Be 'ENABLED'

        $again = New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 `
            -AwsAccountId 111122223333 -AuthPrincipal $Role -ProviderCredential $AwsCredential
        $again.Uri | Should -Be $spec.Uri
    }

    It 'Example 2: GCP takes the region from the key ring and the credential as a file named in a hashtable' {
        $mount = New-KeymgmtMount
        $spec = New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider gcpckms -KmsName gcp -KeyCollection projects/acme-prod/locations/us-central1/keyRings/crdb `
            -AuthPrincipal crdb-cmek@acme-prod.iam.gserviceaccount.com -ProviderCredential @{ service_account_file = '/etc/vault/gcp-kms.json' }
        $spec.Region | Should -Be 'us-central1'
        $spec.Type | Should -Be 'GCP_CLOUD_KMS'
        $spec.Uri | Should -Match '^projects/acme-prod/locations/us-central1/keyRings/crdb/cryptoKeys/crdb-cmek-\d{10}$'
    }

    It 'Example 3: Azure gets an RSA key with the wrap purposes and the tenant as principal' {
        $mount = New-KeymgmtMount
        $azure = [pscredential]::new('00000000-1111-2222-3333-444444444444', (ConvertTo-SecureString $Secret -AsPlainText -Force))
        $spec = New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider azurekeyvault -KmsName az -KeyCollection acme-kv -Region eastus `
            -AuthPrincipal 72f988bf-86f1-41af-91ab-2d7cd011db47 -ProviderCredential $azure
        $spec.Type | Should -Be 'AZURE_KEY_VAULT'
        $spec.Region | Should -Be 'eastus'
        $spec.Uri | Should -Match '^https://acme-kv\.vault\.azure\.net/keys/crdb-cmek-\d{10}/[0-9a-f]+$'
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/key/crdb-cmek").data.type | Should -Be 'rsa-3072'
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/kms/az/key/crdb-cmek").data.purpose | Should -Match 'wrap'
    }

    It 'Example 4: -WhatIf creates and distributes nothing' {
        $mount = New-KeymgmtMount
        New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 -AwsAccountId 111122223333 -AuthPrincipal $Role -WhatIf |
            Should -BeNullOrEmpty
        { Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/key/crdb-cmek" } | Should -Throw
        { Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/kms/aws-use1" } | Should -Throw
    }

    It 'says which parameter to add when Vault does not give enough for the URI (AWS without an account id)' {
        $mount = New-KeymgmtMount
        $err = { New-CrdbCmekKey -MountPath $mount -Name crdb-cmek -Provider awskms -KmsName aws-use1 -KeyCollection us-east-1 -AuthPrincipal $Role -ProviderCredential $AwsCredential -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.Exception.Message | Should -Match '-AwsAccountId'
    }
}
