#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Facts = Get-CrdbCommandFacts 'Set-CrdbCertificateIssuerPolicy'
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbCertificateAuthority -MountPath pester_pki -CommonName 'Pester CA' -KeyType ec
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbCertificateIssuerPolicy' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $Facts.Command.ModuleName | Should -Be 'CrdbVault'
        $Facts.Synopsis | Should -Not -Match '^\s*Set-CrdbCertificateIssuerPolicy(\s|$)'
        $Facts.OutputType | Should -Contain 'CrdbVault.CertificateIssuerPolicy'
        $Facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'writes a policy pinned to its users and returns it' {
        $p = Set-CrdbCertificateIssuerPolicy -Name pester-issuer -User app_reader, app_writer -MountPath pester_pki
        $p.PSObject.TypeNames | Should -Contain 'CrdbVault.CertificateIssuerPolicy'
        $p.Users | Should -Be @('app_reader', 'app_writer')
        $p.Rules | Should -Match '"common_name" = \["app_reader", "app_writer"\]'
        ($p | Out-String) | Should -Match 'pester-issuer'
    }

    It 'refuses root without -AllowPrivilegedUser, before any request' {
        { Set-CrdbCertificateIssuerPolicy -Name pester-root -User root -MountPath pester_pki -ErrorAction Stop } |
            Should -Throw -ErrorId 'PrivilegedUserRefused,*'
    }

    It '-WhatIf writes nothing' {
        Set-CrdbCertificateIssuerPolicy -Name pester-whatif -User app_reader -MountPath pester_pki -WhatIf | Should -BeNullOrEmpty
    }
}
