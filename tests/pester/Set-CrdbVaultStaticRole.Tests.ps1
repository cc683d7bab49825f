#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Mount = New-CrdbStaticRoleMount $Sandbox
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
    # The docs' report_reader, under a name of this file's own: SQL users are shared by the whole run
    # (serve has a report_reader).
    $script:Reader = New-CrdbTestName 'report_reader'
}
AfterAll {
    Remove-CrdbStaticRoleMount
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbVaultStaticRole' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Set-CrdbVaultStaticRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Set-CrdbVaultStaticRole(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultStaticRole'
    }

    It 'creates a static role and Vault rotates the live password at once' {
        $dba = New-CrdbSandboxLoginUser $Sandbox $Reader
        (Test-CrdbConnection @Target -Credential $dba).UserName | Should -Be $Reader
        $role = Set-CrdbVaultStaticRole -Name reporting -ConnectionName pg -UserName $Reader -RotationPeriod '24h'
        $role.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultStaticRole'
        $role.RotationPeriod | Should -Be ([timespan]::FromHours(24))
        $role.RotationStatements | Should -Be @('ALTER USER "{{name}}" WITH PASSWORD ''{{password}}'';')
        { Test-CrdbConnection @Target -Credential $dba -ErrorAction Stop } | Should -Throw -ErrorId 'SqlAuthenticationFailed*'
        (Get-CrdbStaticCredential reporting | Test-CrdbConnection @Target).UserName | Should -Be $Reader
    }

    It 'says under -WhatIf that the password would change at once, and writes nothing' {
        $dba = New-CrdbSandboxLoginUser $Sandbox 'planned_user'
        $env:T_VAULT_ADDR = $Sandbox.VaultAddress; $env:T_VAULT_TOKEN = $Sandbox.VaultToken
        try {
            $text = & (Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')) -NoProfile -NonInteractive -Command "
                Import-Module '$($script:CrdbModuleManifest)'
                Connect-CrdbVault -Address `$env:T_VAULT_ADDR -Token (ConvertTo-SecureString `$env:T_VAULT_TOKEN -AsPlainText -Force) | Out-Null
                Set-CrdbVaultStaticRole -Name planned -ConnectionName pg -UserName planned_user -RotationPeriod '1h' -MountPath '$Mount' -WhatIf"
        }
        finally { Remove-Item Env:T_VAULT_ADDR, Env:T_VAULT_TOKEN }
        ($text -join ' ') | Should -Match "What if: .*Create static role for SQL user 'planned_user'.*NEW PASSWORD.*AT ONCE"
        Get-CrdbVaultStaticRole -ErrorAction SilentlyContinue | Where-Object Role -EQ planned | Should -BeNullOrEmpty
        (Test-CrdbConnection @Target -Credential $dba).UserName | Should -Be 'planned_user'
    }

    It 'updates the schedule of an existing role without rotating' {
        $before = Get-CrdbStaticCredential reporting
        $role = Set-CrdbVaultStaticRole -Name reporting -ConnectionName pg -UserName $Reader -RotationSchedule '0 3 * * *' -RotationWindow '2h'
        $role.RotationSchedule | Should -Be '0 3 * * *'
        $role.RotationWindow | Should -Be ([timespan]::FromHours(2))
        $role.RotationPeriod | Should -BeNullOrEmpty
        ($before | Test-CrdbConnection @Target).UserName | Should -Be $Reader
    }

    It 'refuses the user the connection itself logs in as' {
        { Set-CrdbVaultStaticRole -Name self -ConnectionName pg -UserName $Sandbox.AdminCredential.UserName -RotationPeriod '1h' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidStaticRoleArgument,*'
        (Test-CrdbConnection @Target -Credential $Sandbox.AdminCredential).UserName | Should -Be $Sandbox.AdminCredential.UserName
    }

    It 'refuses a schedule Vault cannot parse, before any request' {
        { Set-CrdbVaultStaticRole -Name bad -ConnectionName pg -UserName $Reader -RotationSchedule '@daily' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidStaticRoleArgument,*'
        { Set-CrdbVaultStaticRole -Name bad -ConnectionName pg -UserName $Reader -RotationPeriod '2s' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidStaticRoleArgument,*'
    }
}
