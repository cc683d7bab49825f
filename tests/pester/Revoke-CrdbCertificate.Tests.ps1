#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Surface checks for Revoke-CrdbCertificate; the area's behaviour tests go in this file too (Common.ps1 has
# Start-CrdbSandbox / Connect-CrdbSandboxVault for tests that need the Vault double).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Facts = Get-CrdbCommandFacts 'Revoke-CrdbCertificate'
}

Describe 'Revoke-CrdbCertificate' {
    It 'is exported by the module' {
        $Facts.Command | Should -Not -BeNullOrEmpty
        $Facts.Command.ModuleName | Should -Be 'CrdbVault'
    }

    It 'has a help synopsis (not just the generated syntax line)' {
        $Facts.Synopsis | Should -Not -BeNullOrEmpty
        $Facts.Synopsis | Should -Not -Match '^\s*Revoke-CrdbCertificate(\s|$)'
    }

    It 'declares [OutputType] with CrdbVault or BCL types' {
        $Facts.Command.OutputType | Should -Not -BeNullOrEmpty
        $Facts.OutputType | ForEach-Object { $_ | Should -Match '^(CrdbVault\.|System\.)' }
    }

    It 'supports -WhatIf/-Confirm when it changes something' {
        if ('Revoke-CrdbCertificate'.Split('-')[0] -in 'New', 'Set', 'Remove', 'Revoke', 'Initialize', 'Restore', 'Update') {
            $Facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
            $Facts.Command.Parameters.Keys | Should -Contain 'Confirm'
        }
        else {
            $Facts.Command.Verb | Should -BeIn 'Get', 'Connect'
        }
    }
}
