#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Dir = New-CrdbPrivateDirectory
    $script:Role = 'arn:aws:iam::111122223333:role/crdb-cmek'
}
AfterAll {
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbCmekRegionSpec' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'New-CrdbCmekRegionSpec'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbCmekRegionSpec(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CmekKeySpec'
    }

    It 'Example 1: a spec for a key made outside Vault' {
        $spec = New-CrdbCmekRegionSpec -Region us-east-1 -Type AWS_KMS `
            -Uri arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab `
            -AuthPrincipal arn:aws:iam::111122223333:role/crdb-cmek
        $spec.PSObject.TypeNames | Should -Contain 'CrdbVault.CmekKeySpec'
        $spec.Region | Should -Be 'us-east-1'
        $spec.Type | Should -Be 'AWS_KMS'
        $spec.Uri | Should -Be 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
        $spec.AuthPrincipal | Should -Be $Role
    }

    It 'Example 2: CSV rows bind by property name and enable CMEK through Set-CrdbCmek' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $csv = Join-Path $Dir 'cmek-keys.csv'
        @(
            [pscustomobject]@{ Region = 'us-east-1'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'; AuthPrincipal = $Role }
            [pscustomobject]@{ Region = 'us-west-2'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:us-west-2:111122223333:key/9876fedc-98fe-76dc-54ba-fedcba987654'; AuthPrincipal = $Role }
        ) | Export-Csv -Path $csv -NoTypeInformation
        $status = Import-Csv $csv | New-CrdbCmekRegionSpec | Set-CrdbCmek -ClusterId $clusterId
        $status.Status | Should -Be 'ENABLED'
        $status.Regions.Region | Should -Be @('us-east-1', 'us-west-2')
    }

    It 'a bad row is a non-terminating error that says what to write; the other rows go on' {
        $rows = @(
            [pscustomobject]@{ Region = 'us-east-1'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'; AuthPrincipal = $Role }
            [pscustomobject]@{ Region = 'us-west-2'; Type = 'AWS_KMS'; Uri = 'not-an-arn'; AuthPrincipal = $Role }
            [pscustomobject]@{ Region = 'eu-west-1'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:eu-west-1:111122223333:key/9876fedc-98fe-76dc-54ba-fedcba987654'; AuthPrincipal = $Role }
        )
        $specs = $rows | New-CrdbCmekRegionSpec -ErrorVariable e -ErrorAction SilentlyContinue
        $specs.Region | Should -Be @('us-east-1', 'eu-west-1')
        $e.Count | Should -Be 1
        $e[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        "$($e[0])" | Should -Match 'arn:aws:kms'
    }

    It 'Example 3: GCP, positional' {
        $spec = New-CrdbCmekRegionSpec us-central1 GCP_CLOUD_KMS projects/acme-prod/locations/us-central1/keyRings/crdb/cryptoKeys/crdb-cmek crdb-cmek@acme-prod.iam.gserviceaccount.com
        $spec.Region | Should -Be 'us-central1'
        $spec.Type | Should -Be 'GCP_CLOUD_KMS'
        $spec.AuthPrincipal | Should -Be 'crdb-cmek@acme-prod.iam.gserviceaccount.com'
    }

    It 'refuses a URI that does not fit the type, saying what to give instead' {
        $err = { New-CrdbCmekRegionSpec -Region us-east-1 -Type GCP_CLOUD_KMS -Uri arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab -AuthPrincipal crdb@acme-prod.iam.gserviceaccount.com -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'projects/<project>'
    }
}
