#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:Dir = New-CrdbPrivateDirectory

    function Test-Revoked([string] $Serial, [string] $Mount = 'cockroach_client_ca') {
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$Mount/cert/$Serial").data.revocation_time -gt 0
    }
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Revoke-CrdbCertificate' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Revoke-CrdbCertificate'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Revoke-CrdbCertificate(\s|$)'
        $facts.Command.OutputType | Should -Not -BeNullOrEmpty
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: revokes a certificate piped from New-CrdbClientCert' {
        $cert = New-CrdbClientCert -User contractor_bob -CertsDir (Join-Path $Dir 'bob')
        Test-Revoked $cert.SerialNumber | Should -BeFalse
        $cert | Revoke-CrdbCertificate
        Test-Revoked $cert.SerialNumber | Should -BeTrue
    }

    It 'Example 2: revokes a certificate read from its file (bare hex serial) with -MountPath' {
        $certs = Join-Path $Dir 'alice'
        $cert = New-CrdbClientCert -User alice -CertsDir $certs
        Get-PfxCertificate -FilePath (Join-Path $certs 'client.alice.crt') | Revoke-CrdbCertificate -MountPath cockroach_client_ca
        Test-Revoked $cert.SerialNumber | Should -BeTrue
    }

    It 'Example 3: -WhatIf with a serial number sends nothing' {
        $cert = New-CrdbClientCert -User preview_user
        Revoke-CrdbCertificate -SerialNumber $cert.SerialNumber -WhatIf
        Test-Revoked $cert.SerialNumber | Should -BeFalse
        Revoke-CrdbCertificate -SerialNumber $cert.SerialNumber
        Test-Revoked $cert.SerialNumber | Should -BeTrue
    }

    It 'revokes a node certificate too and puts it on the mount''s CRL' {
        $node = New-CrdbNodeCert -Hosts db7.internal
        $node | Revoke-CrdbCertificate
        Test-Revoked $node.SerialNumber | Should -BeTrue
        $crl = Invoke-RestMethod "$($Sandbox.VaultAddress)/v1/cockroach_client_ca/crl/pem"
        $crl | Should -Match 'BEGIN X509 CRL'
    }

    It 'refuses a serial number that is not hex, before any request' {
        { Revoke-CrdbCertificate -SerialNumber 'zz:not:hex' -ErrorAction Stop } | Should -Throw -ErrorId 'Invalid*'
    }
}
