#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role keep
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Remove-CrdbVaultRole' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Remove-CrdbVaultRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Remove-CrdbVaultRole(\s|$)'
        $facts.Command.OutputType | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf keeps the role' {
        Remove-CrdbVaultRole keep -WhatIf
        (Get-CrdbVaultRole).Name | Should -Contain 'keep'
    }

    It 'removes a role piped from Get-CrdbVaultRole' {
        $null = Set-CrdbVaultRole -Name gone -ConnectionName pg -WarningAction SilentlyContinue
        Get-CrdbVaultRole gone | Remove-CrdbVaultRole
        (Get-CrdbVaultRole).Name | Should -Not -Contain 'gone'
        (Get-CrdbVaultRole).Name | Should -Contain 'keep'
    }

    It 'leaves credentials already issued from the role valid until revoked' {
        $null = Set-CrdbVaultRole -Name shortlived -ConnectionName pg -Grant "CONNECT ON DATABASE $($Sandbox.PostgresDatabase)" -WarningAction SilentlyContinue
        $cred = New-CrdbDynamicCredential shortlived
        Remove-CrdbVaultRole shortlived
        $target = Get-CrdbSandboxSqlTarget $Sandbox
        ($cred | Test-CrdbConnection @target).UserName | Should -Be $cred.UserName
        $cred | Revoke-CrdbLease -Sync
    }

    It 'refuses a name that is not a single path segment' {
        { Remove-CrdbVaultRole 'x/../y' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidRoleName,*'
    }
}
