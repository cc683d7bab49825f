#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl (Get-CrdbSandboxConnectionUrl $Sandbox) -Credential $Sandbox.AdminCredential -WarningAction SilentlyContinue
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbVaultRole' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Set-CrdbVaultRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Set-CrdbVaultRole(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultDatabaseRole'
    }

    It 'writes a CockroachDB-correct role with VALID UNTIL, grants and explicit revocation' {
        $r = Set-CrdbVaultRole -Name app -ConnectionName pg -Grant "CONNECT ON DATABASE $($Sandbox.PostgresDatabase)" -DefaultTtl '1h' -MaxTtl 86400 -WarningAction SilentlyContinue
        $r.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultDatabaseRole'
        $r.Name | Should -Be 'app'
        $r.ConnectionName | Should -Be 'pg'
        $r.DefaultTtl | Should -Be ([timespan]::FromHours(1))
        $r.MaxTtl | Should -Be ([timespan]::FromDays(1))   # 86400 is seconds, not ticks
        ($r.CreationStatements -join "`n") | Should -Match 'CREATE (ROLE|USER) .*VALID UNTIL'
        ($r.CreationStatements -join "`n") | Should -Match 'GRANT CONNECT ON DATABASE'
        ($r.RevocationStatements -join "`n") | Should -Match 'DROP (ROLE|USER) IF EXISTS'
    }

    It 'accepts roles from the pipeline by property name' {
        $roles = @(
            [pscustomobject]@{ Name = 'pipe1'; ConnectionName = 'pg' }
            [pscustomobject]@{ Name = 'pipe2'; ConnectionName = 'pg' }
        ) | Set-CrdbVaultRole -WarningAction SilentlyContinue
        $roles.Name | Should -Be @('pipe1', 'pipe2')
        (Get-CrdbVaultRole).Name | Should -Contain 'pipe2'
    }

    It '-WhatIf writes nothing' {
        Set-CrdbVaultRole -Name whatif -ConnectionName pg -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbVaultRole).Name | Should -Not -Contain 'whatif'
    }

    It 'refuses a default TTL longer than the max TTL, before any request' {
        { Set-CrdbVaultRole -Name bad -ConnectionName pg -DefaultTtl '2h' -MaxTtl '1h' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidRoleArgument,*'
    }

    It 'refuses a grant clause it cannot parse' {
        { Set-CrdbVaultRole -Name bad -ConnectionName pg -Grant 'EVERYTHING TO EVERYONE; DROP TABLE x' -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidRoleArgument,*'
    }

    It 'refuses a role name with a path separator' {
        { Set-CrdbVaultRole -Name 'a/b' -ConnectionName pg -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidRoleArgument,*'
    }
}
