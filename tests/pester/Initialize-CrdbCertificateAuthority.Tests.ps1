#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Initialize-CrdbCertificateAuthority' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Initialize-CrdbCertificateAuthority'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Initialize-CrdbCertificateAuthority(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CertificateAuthority'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: makes a CA with client and node roles and the issuer policy on cockroach_client_ca' {
        $ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
        $ca.PSObject.TypeNames | Should -Contain 'CrdbVault.CertificateAuthority'
        $ca.MountPath | Should -Be 'cockroach_client_ca'
        $ca.CommonName | Should -Be 'Cockroach CA'
        $ca.Certificate.Subject | Should -Be 'CN=Cockroach CA'
        $ca.Certificate.Extensions.Where({ $_ -is [System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension] }).CertificateAuthority | Should -BeTrue
        $ca.Pem | Should -Match '^-----BEGIN CERTIFICATE-----'
        (Invoke-CrdbSandboxVaultApi $Sandbox GET 'cockroach_client_ca/roles/client').data | Should -Not -BeNullOrEmpty
        (Invoke-CrdbSandboxVaultApi $Sandbox GET 'cockroach_client_ca/roles/node').data | Should -Not -BeNullOrEmpty
        $policy = (Invoke-CrdbSandboxVaultApi $Sandbox GET 'sys/policies/acl/cockroach_client_ca-client-issuer').data.policy
        $policy | Should -Match 'denied_parameters'
        $policy | Should -Match 'alt_names'
    }

    It 'Example 2: -WhatIf lists each change and makes none; the real run makes a client-only EC CA; a rerun changes nothing' {
        $mount = "team_$([guid]::NewGuid().ToString('n').Substring(0, 6))/pki"
        Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Team A SQL clients' -Kind Client -KeyType ec -KeyBits 384 -ClientMaxTtl 72h -WhatIf |
            Should -BeNullOrEmpty
        { Get-CrdbCertificateAuthority -MountPath $mount -ErrorAction Stop } | Should -Throw
        $ca = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Team A SQL clients' -Kind Client -KeyType ec -KeyBits 384 -ClientMaxTtl 72h
        $ca.Certificate.PublicKey.Oid.FriendlyName | Should -Be 'ECC'
        [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPublicKey($ca.Certificate).KeySize | Should -Be 384
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/roles/client").data.max_ttl | Should -Be (72 * 3600)
        { Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/roles/node" } | Should -Throw   # -Kind Client: no node role

        $again = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Team A SQL clients' -Kind Client -KeyType ec -KeyBits 384 -ClientMaxTtl 72h -Verbose 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'nothing changed'
        ($again | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Thumbprint | Should -Be $ca.Thumbprint
    }

    It 'Example 3: with -GenerateLease, revoking the lease of a client certificate revokes the certificate' {
        $mount = New-CrdbTestName 'leasepki'
        $null = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Cockroach CA' -GenerateLease
        $cert = New-CrdbClientCert -MountPath $mount -User ci_runner -Ttl 1h
        $cert.LeaseId | Should -BeLike "$mount/issue/client/*"
        $cert | Revoke-CrdbLease -Sync
        (Invoke-CrdbSandboxVaultApi $Sandbox GET "$mount/cert/$($cert.SerialNumber)").data.revocation_time | Should -BeGreaterThan 0
    }

    It 'refuses a mount path that is not a path before any request' {
        { Initialize-CrdbCertificateAuthority -MountPath '../sys' -CommonName x -ErrorAction Stop } | Should -Throw -ErrorId 'Invalid*'
    }

    It 'needs a connection' {
        Disconnect-CrdbVault
        try { { Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA' -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotConnected,*' }
        finally { $null = Connect-CrdbSandboxVault $Sandbox }
    }
}
