#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    function New-EnabledCluster {
        $id = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $null = 'us-east-1', 'us-west-2' | ForEach-Object {
            New-CrdbCmekRegionSpec -Region $_ -Type AWS_KMS -Uri "arn:aws:kms:${_}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek'
        } | Set-CrdbCmek -ClusterId $id
        $id
    }
}
AfterAll {
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Revoke-CrdbCmek' {
    It 'is exported with help, an OutputType, -WhatIf and ConfirmImpact High' {
        $facts = Get-CrdbCommandFacts 'Revoke-CrdbCmek'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Revoke-CrdbCmek(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CmekStatus'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
        $facts.Command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact | Should -Be 'High'
    }

    It 'Example 2: -WhatIf names the cluster and sends nothing' {
        $clusterId = New-EnabledCluster
        Revoke-CrdbCmek -ClusterId $clusterId -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbCmek -ClusterId $clusterId).Status | Should -Be 'ENABLED'
    }

    It 'Example 3: where nobody can answer a prompt it fails safe and sends nothing unless -Confirm:$false' {
        $clusterId = New-EnabledCluster
        # A non-interactive pwsh, like an Azure Automation job or a CI step.
        $pwsh = Get-CrdbPwshCommand
        $script = "Import-Module '$script:CrdbModuleManifest'; `$null = Connect-CrdbCloud; Revoke-CrdbCmek -ClusterId $clusterId"
        $env:COCKROACH_API_KEY = $Sandbox.CloudApiKey
        $env:COCKROACH_SERVER = $Sandbox.CloudServer
        try { $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script 2>&1 | Out-String }
        finally { Remove-Item Env:COCKROACH_API_KEY, Env:COCKROACH_SERVER }
        $LASTEXITCODE | Should -Not -Be 0
        $out | Should -Match 'Confirm:\$false'
        (Get-CrdbCmek -ClusterId $clusterId).Status | Should -Be 'ENABLED'

        $s = Revoke-CrdbCmek -ClusterId $clusterId -Confirm:$false -TimeoutSeconds 3600 -WarningVariable w -WarningAction SilentlyContinue
        $s.Status | Should -Be 'REVOKED'
        $s.Regions.Status | Should -Be @('REVOKED', 'REVOKED')
        "$w" | Should -Match 'will not be able to read its data'
    }

    It 'is final: Set-CrdbCmek -Rotate on a revoked cluster is refused' {
        $clusterId = New-EnabledCluster
        $null = Revoke-CrdbCmek -ClusterId $clusterId -Confirm:$false -WarningAction SilentlyContinue
        { 'us-east-1', 'us-west-2' | ForEach-Object {
                New-CrdbCmekRegionSpec -Region $_ -Type AWS_KMS -Uri "arn:aws:kms:${_}:111122223333:key/9876fedc-98fe-76dc-54ba-fedcba987654" -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek'
            } | Set-CrdbCmek -ClusterId $clusterId -Rotate -ErrorAction Stop } | Should -Throw
        (Get-CrdbCmek -ClusterId $clusterId).Status | Should -Be 'REVOKED'
    }

    It 'refuses a cluster without CMEK with an error naming it' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        $err = { Revoke-CrdbCmek -ClusterId $clusterId -Confirm:$false -ErrorAction Stop -WarningAction SilentlyContinue } | Should -Throw -PassThru
        "$err" | Should -Match 'not enabled'
    }
}
