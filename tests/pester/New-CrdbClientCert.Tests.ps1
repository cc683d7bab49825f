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
    # What a rename or a rewrite would change: inode (Unix), modification time and content of every file.
    function Get-FileIdentity([string] $Folder) {
        Get-ChildItem -File $Folder | Sort-Object Name | ForEach-Object {
            $inode = if ($IsWindows) { '' } else { & stat -c %i $_.FullName }
            '{0}|{1}|{2}|{3}' -f $_.Name, $inode, $_.LastWriteTimeUtc.Ticks, (Get-FileHash $_.FullName).Hash
        }
    }
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

Describe 'New-CrdbClientCert -RenewWithin' {
    BeforeEach {
        $script:certs = Join-Path $Dir ('renew-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
    }

    It 'Example 4: a fresh certificate is Current: nothing issued, nothing written, the paths and serial come back' {
        $first = New-CrdbClientCert -User alice -CertsDir $certs -Ttl 24h
        $first.Status | Should -Be 'Issued'
        $files = Get-FileIdentity $certs
        $issued = (Get-IssuedSerials).Count

        $kept = New-CrdbClientCert -User alice -CertsDir $certs -Ttl 24h -RenewWithin 8h

        $kept.Status | Should -Be 'Current'
        $kept.SerialNumber | Should -Be $first.SerialNumber
        $kept.NotAfter | Should -Be $first.NotAfter
        $kept.CertificatePath | Should -Be $first.CertificatePath
        $kept.KeyPath | Should -Be $first.KeyPath
        $kept.PrivateKey | Should -BeNullOrEmpty
        $kept.Certificate.HasPrivateKey | Should -BeFalse
        ($kept | Format-Table | Out-String) | Should -Match 'Current'
        (Get-IssuedSerials).Count | Should -Be $issued
        Get-FileIdentity $certs | Should -Be $files
        # 7200 = 2 h, as for every duration parameter
        (New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 7200).Status | Should -Be 'Current'
    }

    It 'renews inside the window without -Force: Issued, a new serial, a set that belongs together' {
        $first = New-CrdbClientCert -User alice -CertsDir $certs -Ttl 24h
        $renewed = New-CrdbClientCert -User alice -CertsDir $certs -Ttl 48h -RenewWithin 30h
        $renewed.Status | Should -Be 'Issued'
        $renewed.SerialNumber | Should -Not -Be $first.SerialNumber
        ([System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($renewed.CertificatePath, $renewed.KeyPath)).Thumbprint |
            Should -Be $renewed.Thumbprint
        (New-CrdbClientCert -User alice -CertsDir $certs -Ttl 48h -RenewWithin 30h).Status | Should -Be 'Current'
    }

    It 'replaces a certificate from another CA once ca.crt holds the CA the mount serves now' {
        $old = 'old_ca_' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $null = Initialize-CrdbCertificateAuthority -MountPath $old -CommonName 'Old CA' -KeyType ec
        $first = New-CrdbClientCert -MountPath $old -User alice -CertsDir $certs -Ttl 24h
        # the rotation as CockroachDB documents it: the new CA first in ca.crt, then the old one
        Set-Content (Join-Path $certs 'ca.crt') -Value ($Ca.Pem + (Get-Content -Raw (Join-Path $certs 'ca.crt'))) -NoNewline
        $issued = (Get-IssuedSerials).Count

        $renewed = New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h

        $renewed.Status | Should -Be 'Issued'
        $renewed.Certificate.Issuer | Should -Be 'CN=Cockroach CA'
        $renewed.SerialNumber | Should -Not -Be $first.SerialNumber
        (Get-IssuedSerials).Count | Should -Be ($issued + 1)
    }

    It 'refuses to swap a ca.crt of another CA without -Force, before Vault is asked' {
        $old = 'old_ca_' + [guid]::NewGuid().ToString('n').Substring(0, 6)
        $null = Initialize-CrdbCertificateAuthority -MountPath $old -CommonName 'Old CA' -KeyType ec
        $null = New-CrdbClientCert -MountPath $old -User alice -CertsDir $certs -Ttl 24h
        $issued = (Get-IssuedSerials).Count
        { New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h -ErrorAction Stop } | Should -Throw '*-Force*'
        (Get-IssuedSerials).Count | Should -Be $issued
        (New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h -Force).Status | Should -Be 'Issued'
        (Read-CrdbPemCertificate (Join-Path $certs 'ca.crt')).Thumbprint | Should -Be $Ca.Thumbprint
    }

    It 're-issues when the key is missing or is not the certificate''s' {
        $first = New-CrdbClientCert -User alice -CertsDir $certs
        Remove-Item $first.KeyPath
        (New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h).Status | Should -Be 'Issued'

        $other = New-CrdbClientCert -User alice -CertsDir "$certs-other"
        Copy-Item $other.KeyPath (Join-Path $certs 'client.alice.key') -Force
        $again = New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h
        $again.Status | Should -Be 'Issued'
        ([System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($again.CertificatePath, $again.KeyPath)).HasPrivateKey |
            Should -BeTrue
    }

    It 'replaces a corrupt certificate file' {
        $first = New-CrdbClientCert -User alice -CertsDir $certs
        Set-Content $first.CertificatePath "-----BEGIN CERTIFICATE-----`nnot base64`n-----END CERTIFICATE-----`n"
        $renewed = New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h
        $renewed.Status | Should -Be 'Issued'
        (Read-CrdbPemCertificate $renewed.CertificatePath).Thumbprint | Should -Be $renewed.Thumbprint
    }

    It '-WhatIf writes nothing and issues nothing, for a current certificate and for a due one' {
        $null = New-CrdbClientCert -User alice -CertsDir $certs -Ttl 24h
        $files = Get-FileIdentity $certs
        $issued = (Get-IssuedSerials).Count
        New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 8h -WhatIf | Should -BeNullOrEmpty
        New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 30h -WhatIf | Should -BeNullOrEmpty
        Get-FileIdentity $certs | Should -Be $files
        (Get-IssuedSerials).Count | Should -Be $issued
    }

    It 'needs -CertsDir and a window longer than zero' {
        { New-CrdbClientCert -User alice -RenewWithin 8h -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidClientCertArgument*'
        { New-CrdbClientCert -User alice -CertsDir $certs -RenewWithin 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidClientCertArgument*'
        Test-Path $certs | Should -BeFalse
    }
}
