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

Describe 'Test-CrdbConnection' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Test-CrdbConnection'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Test-CrdbConnection(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.ConnectionTestResult'
    }

    It 'logs in with a piped dynamic credential and reports who the server says you are' {
        $c = New-CrdbDynamicCredential app
        $r = $c | Test-CrdbConnection @Target
        $r.PSObject.TypeNames | Should -Contain 'CrdbVault.ConnectionTestResult'
        $r.UserName | Should -Be $c.UserName
        $r.Server | Should -Be $Sandbox.PostgresHost
        $r.Port | Should -Be $Sandbox.PostgresPort
        $r.ServerVersion | Should -Match 'PostgreSQL'
        $r.IsCockroachDb | Should -BeFalse
        $r.AuthenticationMethod | Should -Be 'password'
    }

    It 'logs in with an explicit -Credential' {
        (Test-CrdbConnection @Target -Credential $Sandbox.AdminCredential).UserName | Should -Be $Sandbox.AdminCredential.UserName
    }

    It 'reports a wrong password as SqlAuthenticationFailed without the password' {
        $bad = [pscredential]::new($Sandbox.AdminCredential.UserName, (ConvertTo-SecureString 'wrong-pass-123' -AsPlainText -Force))
        Test-CrdbConnection @Target -Credential $bad -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^SqlAuthenticationFailed,'
        ($e | Out-String) | Should -Not -Match 'wrong-pass-123'
    }

    It 'reports a closed port as SqlConnectionFailed' {
        $closed = $Target.Clone(); $closed.Port = 1
        Test-CrdbConnection @closed -Credential $Sandbox.AdminCredential -Timeout 5 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^SqlConnectionFailed,'
    }

    It 'refuses a -RootCertificate that does not exist' {
        $missing = $Target.Clone(); $missing.RootCertificate = './no-such-ca.crt'
        { Test-CrdbConnection @missing -Credential $Sandbox.AdminCredential -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidConnectionArgument,*'
    }

    It 'is refused in plaintext (-SslMode Disable): the sandbox, like a secure cluster, speaks TLS only' {
        $plain = $Target.Clone(); $plain.Remove('RootCertificate'); $plain.SslMode = 'Disable'
        Test-CrdbConnection @plain -Credential $Sandbox.AdminCredential -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^SqlAuthenticationFailed,'
        $e[0].Exception.Message | Should -Match 'no encryption'
    }

    It 'refuses a server whose certificate does not chain to -RootCertificate (verify-full)' {
        $otherCa = Join-Path ([IO.Path]::GetTempPath()) "crdbvault-pester-otherca-$([guid]::NewGuid().ToString('n')).crt"
        try {
            $key = [System.Security.Cryptography.ECDsa]::Create()
            $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=Some Other CA', $key, 'SHA256')
            $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
            $cert = $req.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
            Set-Content -Path $otherCa -Value $cert.ExportCertificatePem()
            $wrong = $Target.Clone(); $wrong.RootCertificate = $otherCa
            Test-CrdbConnection @wrong -Credential $Sandbox.AdminCredential -Timeout 10 -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $e | Should -Not -BeNullOrEmpty
        }
        finally { Remove-Item $otherCa -ErrorAction SilentlyContinue }
    }

    It 'logs in with a client certificate from the sandbox CA (a certificate user, no password)' {
        $certs = New-CrdbPrivateDirectory
        try {
            # alice is a certificate user of the sandbox; cockroach_client_ca holds the CA PostgreSQL trusts.
            $null = New-CrdbClientCert -User alice -CertsDir $certs
            $r = Test-CrdbConnection -Server $Sandbox.PostgresHost -Port $Sandbox.PostgresPort -Database $Sandbox.PostgresDatabase -CertsDir $certs -User alice
            $r.UserName | Should -Be 'alice'
            $r.AuthenticationMethod | Should -Be 'certificate'
        }
        finally { Remove-Item $certs -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'validates -SslMode' {
        { Test-CrdbConnection -Server h -Credential $Sandbox.AdminCredential -SslMode 'sometimes' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}
