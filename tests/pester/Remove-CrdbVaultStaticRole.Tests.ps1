#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Mount = New-CrdbStaticRoleMount $Sandbox
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
    $null = New-CrdbSandboxLoginUser $Sandbox retiring
    $null = Set-CrdbVaultStaticRole -Name retiring -ConnectionName pg -UserName retiring -RotationPeriod '1h'
}
AfterAll {
    Remove-CrdbStaticRoleMount
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Remove-CrdbVaultStaticRole' {
    It 'is exported with help' {
        $facts = Get-CrdbCommandFacts 'Remove-CrdbVaultStaticRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Remove-CrdbVaultStaticRole(\s|$)'
    }

    It '-WhatIf deletes nothing' {
        Remove-CrdbVaultStaticRole -Name retiring -WhatIf
        (Get-CrdbVaultStaticRole -Name retiring).Role | Should -Be 'retiring'
    }

    It 'deletes the role from the pipeline; the user keeps the password Vault set last' {
        $last = Get-CrdbStaticCredential -Role retiring
        Get-CrdbVaultStaticRole -Name retiring | Remove-CrdbVaultStaticRole
        Get-CrdbVaultStaticRole -Name retiring -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        { Get-CrdbStaticCredential -Role retiring -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound*'
        ($last | Test-CrdbConnection @Target).UserName | Should -Be 'retiring'
    }

    It 'refuses a name that is not a single path segment' {
        { Remove-CrdbVaultStaticRole -Name '../roles/x' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidStaticRoleName,*'
    }
}
