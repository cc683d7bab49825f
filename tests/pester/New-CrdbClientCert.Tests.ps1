#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $script:Ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:Dir = New-CrdbPrivateDirectory

    function Get-IssuedSerials { @((Invoke-CrdbSandboxVaultApi $Sandbox LIST 'cockroach_client_ca/certs').data.keys) }
    function Test-Revoked([string] $Serial) { (Invoke-CrdbSandboxVaultApi $Sandbox GET "cockroach_client_ca/cert/$Serial").data.revocation_time -gt 0 }
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbClientCert' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'New-CrdbClientCert'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbClientCert(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.ClientCertificate'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: writes ca.crt, client.alice.crt and a 0600 client.alice.key that belong together' {
        $certs = Join-Path $Dir 'alice'
        $c = New-CrdbClientCert -User alice -CertsDir $certs
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.ClientCertificate'
        $c.User | Should -Be 'alice'
        $c.Certificate.Subject | Should -Be 'CN=alice'
        $c.PrivateKey | Should -BeNullOrEmpty   # the key is in the file, not in the output
        $c.CertificatePath | Should -Be (Join-Path $certs 'client.alice.crt')
        $c.KeyPath | Should -Be (Join-Path $certs 'client.alice.key')
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($c.KeyPath) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        $pair = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($c.CertificatePath, $c.KeyPath)
        $pair.HasPrivateKey | Should -BeTrue
        $pair.Thumbprint | Should -Be $c.Thumbprint
        (Read-CrdbPemCertificate (Join-Path $certs 'ca.crt')).Thumbprint | Should -Be $Ca.Thumbprint
        # A client certificate: clientAuth, not a CA, issued by the mount's CA.
        Get-CrdbExtendedKeyUsage $c.Certificate | Should -Contain '1.3.6.1.5.5.7.3.2'
        $c.Certificate.Issuer | Should -Be 'CN=Cockroach CA'
    }

    It 'Example 2: -Pkcs8 also writes the DER key for JDBC, -Ttl sets the lifetime and -Force replaces a set' {
        $certs = Join-Path $Dir 'reader'
        $first = New-CrdbClientCert -User app_reader -CertsDir $certs -Pkcs8 -Ttl 720h
        $c = New-CrdbClientCert -User app_reader -CertsDir $certs -Pkcs8 -Ttl 720h -Force
        $c.SerialNumber | Should -Not -Be $first.SerialNumber
        $c.Pkcs8Path | Should -Be (Join-Path $certs 'client.app_reader.key.pk8')
        $key = [System.Security.Cryptography.RSA]::Create()
        $read = 0
        $key.ImportPkcs8PrivateKey([IO.File]::ReadAllBytes($c.Pkcs8Path), [ref] $read)
        $read | Should -Be ([IO.File]::ReadAllBytes($c.Pkcs8Path).Length)
        $key.ExportSubjectPublicKeyInfo() | Should -Be $c.Certificate.PublicKey.ExportSubjectPublicKeyInfo()
        ($c.NotAfter - [DateTimeOffset]::UtcNow).TotalDays | Should -BeGreaterThan 29
        ($c.NotAfter - [DateTimeOffset]::UtcNow).TotalDays | Should -BeLessOrEqual 30.01
    }

    It 'refuses to overwrite without -Force before asking Vault: no certificate is wasted, the key is unchanged' {
        $certs = Join-Path $Dir 'bob'
        $c = New-CrdbClientCert -User bob -CertsDir $certs
        $before = [IO.File]::ReadAllText($c.KeyPath)
        $issued = (Get-IssuedSerials).Count
        { New-CrdbClientCert -User bob -CertsDir $certs -ErrorAction Stop } | Should -Throw
        [IO.File]::ReadAllText($c.KeyPath) | Should -Be $before
        (Get-IssuedSerials).Count | Should -Be $issued
    }

    It 'Example 3: piped user names give in-memory certificates with SecureString keys, revoked at the end' {
        $certs = 'ci_migrate', 'ci_verify' | New-CrdbClientCert -Ttl 1h
        $certs.Count | Should -Be 2
        $certs.User | Should -Be @('ci_migrate', 'ci_verify')
        foreach ($c in $certs) {
            $c.PrivateKey | Should -BeOfType [securestring]
            $pem = [System.Net.NetworkCredential]::new('', $c.PrivateKey).Password
            $pair = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($c.Certificate.ExportCertificatePem(), $pem)
            $pair.HasPrivateKey | Should -BeTrue
            # The key shows nowhere a user looks.
            ($c | Format-List * | Out-String) + ($c | Out-String) + "$c" | Should -Not -Match 'PRIVATE KEY'
        }
        $certs | Revoke-CrdbCertificate
        foreach ($c in $certs) { Test-Revoked $c.SerialNumber | Should -BeTrue }
    }

    It 'refuses a user name CockroachDB would not accept, before any request' {
        $issued = (Get-IssuedSerials).Count
        { New-CrdbClientCert -User 'App Reader' -ErrorAction Stop } | Should -Throw -ErrorId 'Invalid*'
        (Get-IssuedSerials).Count | Should -Be $issued
    }

    It '-WhatIf issues nothing' {
        $issued = (Get-IssuedSerials).Count
        New-CrdbClientCert -User whatif_user -CertsDir (Join-Path $Dir 'whatif') -WhatIf | Should -BeNullOrEmpty
        (Get-IssuedSerials).Count | Should -Be $issued
        Test-Path (Join-Path $Dir 'whatif' 'client.whatif_user.key') | Should -BeFalse
    }
}
