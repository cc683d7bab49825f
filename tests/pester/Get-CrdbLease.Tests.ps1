#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app
    $script:Creds = @(New-CrdbDynamicCredential app; New-CrdbDynamicCredential app)
}
AfterAll {
    Revoke-CrdbLease -Prefix 'database/creds/app' -Sync -ErrorAction SilentlyContinue
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbLease' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbLease'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbLease(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultLease'
    }

    It 'looks up a lease by id' {
        $l = Get-CrdbLease -LeaseId $Creds[0].LeaseId
        $l.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultLease'
        $l.LeaseId | Should -Be $Creds[0].LeaseId
        $l.Renewable | Should -BeTrue
        $l.Ttl | Should -BeGreaterThan ([timespan]::Zero)
        $l.ExpireTime | Should -BeGreaterThan $l.IssueTime
    }

    It 'takes LeaseId from a piped credential' {
        ($Creds | Get-CrdbLease).LeaseId | Should -Be $Creds.LeaseId
    }

    It 'lists the leases under a prefix' {
        $ids = (Get-CrdbLease -Prefix 'database/creds/app').LeaseId
        foreach ($c in $Creds) { $ids | Should -Contain $c.LeaseId }
    }

    It 'reports an unknown lease as a non-terminating error so the pipeline goes on' {
        $out = 'database/creds/app/nosuchlease', $Creds[0].LeaseId | ForEach-Object { [pscustomobject]@{ LeaseId = $_ } } |
            Get-CrdbLease -ErrorVariable e -ErrorAction SilentlyContinue
        $out.LeaseId | Should -Be $Creds[0].LeaseId
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^Vault(NotFound|InvalidRequest),'
    }

    It 'refuses a lease id with whitespace or ..' {
        Get-CrdbLease 'database/creds/../x' -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InvalidLeaseId,'
        { Get-CrdbLease -Prefix 'a b' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidLeasePrefix,*'
    }

    It 'Example 4: -Issued lists what the module issued with its live state and lifetimes' {
        $cred = New-CrdbDynamicCredential -Role app
        $gone = New-CrdbDynamicCredential -Role app
        $gone | Revoke-CrdbLease -Sync
        $issued = Get-CrdbLease -Issued
        $mine = $issued | Where-Object LeaseId -eq $cred.LeaseId
        $mine.State | Should -Be 'Live'
        $mine.IssuedAs | Should -Be "SQL user $($cred.UserName)"
        $mine.Ttl | Should -BeGreaterThan ([timespan]::Zero)
        $mine.EffectiveExpiresAt | Should -Be $mine.ExpireTime   # the root token does not end
        ($issued | Where-Object LeaseId -eq $gone.LeaseId).State | Should -Be 'Revoked'
        $cred | Revoke-CrdbLease -Sync
    }
}
