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
    Revoke-CrdbLease -Prefix 'database/creds/app' -Sync -ErrorAction SilentlyContinue
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbDynamicCredential' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'New-CrdbDynamicCredential'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbDynamicCredential(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.DynamicCredential'
    }

    It 'issues a working SQL user with a lease' {
        $c = New-CrdbDynamicCredential -Role app
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.DynamicCredential'
        $c.Role | Should -Be 'app'
        $c.UserName | Should -MatchExactly '^[a-z0-9_.-]+$'
        $c.Password | Should -BeOfType [securestring]
        $c.Credential.UserName | Should -Be $c.UserName
        $c.LeaseId | Should -BeLike 'database/creds/app/*'
        $c.LeaseDuration | Should -Be ([timespan]::FromHours(1))
        $c.ExpiresAt | Should -BeGreaterThan $c.IssuedAt
        ($c | Test-CrdbConnection @Target).UserName | Should -Be $c.UserName
    }

    It 'never shows the password in its default view or ToString' {
        $c = New-CrdbDynamicCredential app
        $plain = $c.Credential.GetNetworkCredential().Password
        ($c | Out-String) + ($c | Format-List * | Out-String) + "$c" | Should -Not -Match ([regex]::Escape($plain))
    }

    It 'issues one credential per piped role object' {
        $creds = 'app', 'app' | ForEach-Object { [pscustomobject]@{ Role = $_ } } | New-CrdbDynamicCredential
        $creds.Count | Should -Be 2
        $creds[0].UserName | Should -Not -Be $creds[1].UserName
    }

    It '-WhatIf issues nothing' {
        $before = @(Get-CrdbLease -Prefix 'database/creds/app').Count
        New-CrdbDynamicCredential app -WhatIf | Should -BeNullOrEmpty
        @(Get-CrdbLease -Prefix 'database/creds/app').Count | Should -Be $before
    }

    It 'reports an unknown role as a Vault error, not a crash' {
        New-CrdbDynamicCredential nosuchrole -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^Vault(NotFound|InvalidRequest),'
        $e[0].Exception.Message | Should -Match 'nosuchrole'
    }

    It 'refuses a role name that is not a single path segment, before any request' {
        { New-CrdbDynamicCredential '../../sys/seal' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidRoleName,*'
    }

    It 'needs a connection' {
        Disconnect-CrdbVault
        try { { New-CrdbDynamicCredential app -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotConnected,*' }
        finally { $null = Connect-CrdbSandboxVault $Sandbox }
    }
}
