#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role reader
    $null = Set-CrdbVaultRole -Name writer -ConnectionName pg -WarningAction SilentlyContinue
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbVaultRole' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbVaultRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbVaultRole(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultDatabaseRole'
    }

    It 'lists every role on the mount' {
        $all = Get-CrdbVaultRole
        $all.Name | Should -Contain 'reader'
        $all.Name | Should -Contain 'writer'
        $all | ForEach-Object { $_.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultDatabaseRole' }
    }

    It 'reads one role with its statements and TTLs' {
        $r = Get-CrdbVaultRole reader
        $r.Name | Should -Be 'reader'
        $r.ConnectionName | Should -Be 'pg'
        $r.DefaultTtl | Should -Be ([timespan]::FromHours(1))
        $r.CreationStatements | Should -Not -BeNullOrEmpty
    }

    It 'takes names from the pipeline' {
        ('reader', 'writer' | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Get-CrdbVaultRole).Name | Should -Be @('reader', 'writer')
    }

    It 'reports an unknown role as VaultRoleNotFound and says how to list roles' {
        Get-CrdbVaultRole nosuchrole -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^VaultRoleNotFound,'
        $e[0].Exception.Message | Should -Match 'Get-CrdbVaultRole'
    }

    It 'filters with wildcards' {
        (Get-CrdbVaultRole 'read*').Name | Should -Be 'reader'
    }

    It 'refuses a bad mount path before any request' {
        { Get-CrdbVaultRole -MountPath '../sys' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidMountPath,*'
    }
}
