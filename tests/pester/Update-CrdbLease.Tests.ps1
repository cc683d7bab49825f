#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app -DefaultTtl '10m'
}
AfterAll {
    Revoke-CrdbLease -Prefix 'database/creds/app' -Sync -ErrorAction SilentlyContinue
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Update-CrdbLease' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Update-CrdbLease'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Update-CrdbLease(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultLease'
    }

    It 'renews a piped credential by -Increment (a duration string, or seconds as a number)' {
        $c = New-CrdbDynamicCredential app
        $l = $c | Update-CrdbLease -Increment '30m'
        $l.LeaseId | Should -Be $c.LeaseId
        $l.LeaseDuration | Should -Be ([timespan]::FromMinutes(30))
        (Update-CrdbLease $c.LeaseId -Increment 1200).LeaseDuration | Should -Be ([timespan]::FromMinutes(20))
    }

    It 'warns when the role max TTL caps the increment' {
        $c = New-CrdbDynamicCredential app
        $null = $c | Update-CrdbLease -Increment '48h' -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Not -BeNullOrEmpty
    }

    It '-WhatIf renews nothing' {
        $c = New-CrdbDynamicCredential app
        $before = (Get-CrdbLease $c.LeaseId).ExpireTime
        $c | Update-CrdbLease -Increment '1h' -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbLease $c.LeaseId).ExpireTime | Should -Be $before
    }

    It 'refuses a negative increment' {
        Update-CrdbLease 'database/creds/app/x' -Increment ([timespan]::FromMinutes(-1)) -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InvalidLeaseId,'
        $e[0].Exception.Message | Should -Match 'negative'
    }

    It 'reports a revoked lease as a Vault error' {
        $c = New-CrdbDynamicCredential app
        $c | Revoke-CrdbLease -Sync
        $c | Update-CrdbLease -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^Vault'
    }
}
