#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Mount = New-CrdbStaticRoleMount $Sandbox
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
    $null = New-CrdbSandboxLoginUser $Sandbox reporting_user
    $null = Set-CrdbVaultStaticRole -Name reporting -ConnectionName pg -UserName reporting_user -RotationPeriod '24h'
}
AfterAll {
    Remove-CrdbStaticRoleMount
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Reset-CrdbStaticCredential' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Reset-CrdbStaticCredential'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Reset-CrdbStaticCredential(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.StaticCredential'
    }

    It 'rotates now: the old password stops working, the new one logs in' {
        $old = Get-CrdbStaticCredential reporting
        Reset-CrdbStaticCredential -Role reporting | Should -BeNullOrEmpty
        { $old | Test-CrdbConnection @Target -ErrorAction Stop } | Should -Throw -ErrorId 'SqlAuthenticationFailed*'
        $new = Get-CrdbStaticCredential reporting
        $new.LastVaultRotation | Should -BeGreaterThan $old.LastVaultRotation
        ($new | Test-CrdbConnection @Target).UserName | Should -Be 'reporting_user'
    }

    It '-PassThru emits the new credential; a piped credential names the role' {
        $old = Get-CrdbStaticCredential reporting
        $new = $old | Reset-CrdbStaticCredential -PassThru
        $new.PSObject.TypeNames | Should -Contain 'CrdbVault.StaticCredential'
        $new.Credential.GetNetworkCredential().Password | Should -Not -Be $old.Credential.GetNetworkCredential().Password
        ($new | Test-CrdbConnection @Target).UserName | Should -Be 'reporting_user'
    }

    It '-WhatIf rotates nothing' {
        $before = Get-CrdbStaticCredential reporting
        Reset-CrdbStaticCredential -Role reporting -WhatIf
        ($before | Test-CrdbConnection @Target).UserName | Should -Be 'reporting_user'
    }

    It 'reports an unknown role as not found' {
        { Reset-CrdbStaticCredential -Role nope -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound*'
    }
}
