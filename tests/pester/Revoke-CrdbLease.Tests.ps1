#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Revoke-CrdbLease' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Revoke-CrdbLease'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Revoke-CrdbLease(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultLease'
    }

    It 'revokes a piped credential: the SQL user can no longer log in' {
        $c = New-CrdbDynamicCredential app
        ($c | Test-CrdbConnection @Target).UserName | Should -Be $c.UserName
        $c | Revoke-CrdbLease -Sync
        $c | Test-CrdbConnection @Target -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^SqlAuthenticationFailed,'
    }

    It '-PassThru emits the lease as it was' {
        $c = New-CrdbDynamicCredential app
        $l = $c | Revoke-CrdbLease -Sync -PassThru
        $l.LeaseId | Should -Be $c.LeaseId
        $l.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultLease'
    }

    It '-WhatIf keeps the lease' {
        $c = New-CrdbDynamicCredential app
        $c | Revoke-CrdbLease -WhatIf
        (Get-CrdbLease $c.LeaseId).LeaseId | Should -Be $c.LeaseId
        $c | Revoke-CrdbLease -Sync
    }

    It '-Prefix revokes every lease under it' {
        1..3 | ForEach-Object { $null = New-CrdbDynamicCredential app }
        Revoke-CrdbLease -Prefix 'database/creds/app' -Sync
        @(Get-CrdbLease -Prefix 'database/creds/app' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'skips piped objects with an empty LeaseId with a MissingLeaseId error, and goes on' {
        $c = New-CrdbDynamicCredential app
        $out = [pscustomobject]@{ LeaseId = '' }, $c | Revoke-CrdbLease -Sync -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^MissingLeaseId,'
        $out.LeaseId | Should -Be $c.LeaseId
    }

    It 'leaves objects without any LeaseId property to PowerShell''s binder (InputObjectNotBound)' {
        # Nothing binds by property name, so PowerShell rejects the object before the cmdlet runs.
        [pscustomobject]@{ Name = 'no lease here' } | Revoke-CrdbLease -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InputObjectNotBound,'
    }

    It 'refuses a bad prefix before any request' {
        { Revoke-CrdbLease -Prefix 'database/../sys' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidLeasePrefix,*'
    }
}
