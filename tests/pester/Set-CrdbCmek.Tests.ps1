#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Keymgmt = Enable-CrdbSandboxSecretsEngine $Sandbox -Type keymgmt -Path (New-CrdbTestName 'keymgmt')
    $script:Role = 'arn:aws:iam::111122223333:role/crdb-cmek'
    $script:AwsCredential = [pscredential]::new('AKIAIOSFODNN7EXAMPLE', (ConvertTo-SecureString 'not-a-real-secret' -AsPlainText -Force))
    $script:Dir = New-CrdbPrivateDirectory
    # A key per region from Vault, as Example 1 makes them.
    function New-VaultSpec([string] $Region) {
        New-CrdbCmekKey -MountPath $Keymgmt -Name "crdb-$Region" -Provider awskms -KmsName "aws-$Region" -KeyCollection $Region `
            -AwsAccountId 111122223333 -AuthPrincipal $Role -ProviderCredential $AwsCredential
    }
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbCmek' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Set-CrdbCmek'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Set-CrdbCmek(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CmekStatus'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: enables CMEK with keys made in Vault, one per region, and waits until all are ENABLED' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $specs = @(
            New-VaultSpec us-east-1
            New-VaultSpec us-west-2
        )
        $s = $specs | Set-CrdbCmek -ClusterId $clusterId
        $s.PSObject.TypeNames | Should -Contain 'CrdbVault.CmekStatus'
        $s.Status | Should -Be 'ENABLED'
        $s.Configured | Should -BeTrue
        foreach ($r in $s.Regions) {
            $r.Status | Should -Be 'ENABLED'
            $r.Uri | Should -Be ($specs | Where-Object Region -EQ $r.Region).Uri
        }
    }

    It 'refuses specs that miss a region of the cluster before any request' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        { New-VaultSpec us-east-1 | Set-CrdbCmek -ClusterId $clusterId -ErrorAction Stop } | Should -Throw
        (Get-CrdbCmek -ClusterId $clusterId).Configured | Should -BeFalse
    }

    It 'Example 2: enables from a YAML region_specs manifest with -NoWait; the Cloud then settles on ENABLED' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        $manifest = Join-Path $Dir 'cmek.yaml'
        Set-Content -Path $manifest -Value @"
region_specs:
  - region: us-east-1
    key_spec:
      type: AWS_KMS
      uri: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
      auth_principal: $Role
"@
        $s = Set-CrdbCmek -ClusterId $clusterId -ManifestPath $manifest -NoWait
        $s.Status | Should -Not -Be 'ENABLED'   # accepted, not finished
        Wait-CrdbCloudState { (Get-CrdbCmek -ClusterId $clusterId).Status } -Until 'ENABLED'
    }

    It 'names the place of each problem in a manifest' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        $manifest = Join-Path $Dir 'bad.json'
        Set-Content -Path $manifest -Value '{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"alias/x","auth_principal":"arn:aws:iam::111122223333:role/crdb-cmek"}}]}'
        $err = { Set-CrdbCmek -ClusterId $clusterId -ManifestPath $manifest -ErrorAction Stop } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'region_specs\[0\]\.key_spec\.uri'
    }

    It 'Example 3: rotates with the specs of the keys in force; enabling again is refused with a hint to use -Rotate' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $null = 'us-east-1', 'us-west-2' | ForEach-Object { New-VaultSpec $_ } | Set-CrdbCmek -ClusterId $clusterId

        $err = { 'us-east-1', 'us-west-2' | ForEach-Object { New-VaultSpec $_ } | Set-CrdbCmek -ClusterId $clusterId -ErrorAction Stop } |
            Should -Throw -ErrorId 'CmekAlreadyEnabled,*' -PassThru
        $err.Exception.Message | Should -Match '-Rotate'

        $rotated = Get-CrdbCmek -ClusterId $clusterId | ForEach-Object Regions |
            New-CrdbCmekRegionSpec -Type AWS_KMS -AuthPrincipal $Role |
            Set-CrdbCmek -ClusterId $clusterId -Rotate
        $rotated.Status | Should -Be 'ENABLED'
        foreach ($r in $rotated.Regions) { $r.KeyHistory.Count | Should -BeGreaterOrEqual 2 }
    }

    It 'Example 4: adds a region with its key from Vault' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        $null = New-VaultSpec us-east-1 | Set-CrdbCmek -ClusterId $clusterId
        $s = New-VaultSpec eu-central-1 | Set-CrdbCmek -ClusterId $clusterId -AddRegion @{ 'eu-central-1' = 3 }
        $s.Regions.Region | Should -Contain 'eu-central-1'
        ($s.Regions | Where-Object Region -EQ 'eu-central-1').Status | Should -Be 'ENABLED'
    }

    It 'reports a region whose rotation failed, with the Cloud''s message' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $null = 'us-east-1', 'us-west-2' | ForEach-Object { New-VaultSpec $_ } | Set-CrdbCmek -ClusterId $clusterId
        Set-CrdbSandboxCloudFailure $Sandbox -ClusterId $clusterId -Kind cmek -Operation Rotate -Region us-west-2 -Message 'KMS key is disabled'
        $err = { Get-CrdbCmek -ClusterId $clusterId | ForEach-Object Regions | New-CrdbCmekRegionSpec -Type AWS_KMS -AuthPrincipal $Role |
                Set-CrdbCmek -ClusterId $clusterId -Rotate -ErrorAction Stop } | Should -Throw -PassThru
        $err.Exception.Message | Should -Match 'us-west-2'
        $err.Exception.Message | Should -Match 'KMS key is disabled'
    }

    It '-WhatIf sends nothing' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        New-VaultSpec us-east-1 | Set-CrdbCmek -ClusterId $clusterId -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbCmek -ClusterId $clusterId).Configured | Should -BeFalse
    }
}
