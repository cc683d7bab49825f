#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $script:Ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:Dir = New-CrdbPrivateDirectory

    function Get-San($Certificate) {
        $san = $Certificate.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension] }
        [pscustomobject]@{ Dns = @($san.EnumerateDnsNames()); Ip = @($san.EnumerateIPAddresses() | ForEach-Object ToString) }
    }
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbNodeCert' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'New-CrdbNodeCert'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbNodeCert(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.NodeCertificate'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: writes node.crt, a 0600 node.key and ca.crt; names become DNS SANs, addresses IP SANs' {
        $certs = Join-Path $Dir 'db1'
        $n = New-CrdbNodeCert -Hosts db1.internal, 10.0.0.5, localhost -CertsDir $certs
        $n.PSObject.TypeNames | Should -Contain 'CrdbVault.NodeCertificate'
        $n.CertificatePath | Should -Be (Join-Path $certs 'node.crt')
        $n.KeyPath | Should -Be (Join-Path $certs 'node.key')
        $n.PrivateKey | Should -BeNullOrEmpty
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($n.KeyPath) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        $san = Get-San $n.Certificate
        $san.Dns | Should -Contain 'db1.internal'
        $san.Dns | Should -Contain 'localhost'
        $san.Ip | Should -Contain '10.0.0.5'
        # CockroachDB nodes present it as server AND use it as client (node user).
        Get-CrdbExtendedKeyUsage $n.Certificate | Should -Contain '1.3.6.1.5.5.7.3.1'
        Get-CrdbExtendedKeyUsage $n.Certificate | Should -Contain '1.3.6.1.5.5.7.3.2'
        ([System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPemFile($n.CertificatePath, $n.KeyPath)).HasPrivateKey | Should -BeTrue
        (Read-CrdbPemCertificate (Join-Path $certs 'ca.crt')).Thumbprint | Should -Be $Ca.Thumbprint
    }

    It 'Example 2: renews every node into its own folder; -Force replaces the previous files' {
        $out = (New-Item -ItemType Directory (Join-Path $Dir 'out')).FullName
        $nodes = @{ db1 = '10.0.0.5'; db2 = '10.0.0.6'; db3 = '10.0.0.7' }
        $first = foreach ($name in $nodes.Keys) {
            New-CrdbNodeCert -Hosts "$name.internal", $nodes[$name], 'crdb.example.com' -Ttl 2160h -CertsDir "$out/$name" -Force
        }
        $second = foreach ($name in $nodes.Keys) {
            New-CrdbNodeCert -Hosts "$name.internal", $nodes[$name], 'crdb.example.com' -Ttl 2160h -CertsDir "$out/$name" -Force
        }
        foreach ($name in $nodes.Keys) {
            $crt = Read-CrdbPemCertificate "$out/$name/node.crt"
            $san = Get-San $crt
            $san.Dns | Should -Contain "$name.internal"
            $san.Dns | Should -Contain 'crdb.example.com'
            $san.Ip | Should -Contain $nodes[$name]
            $crt.Thumbprint | Should -BeIn $second.Thumbprint
            $crt.Thumbprint | Should -Not -BeIn $first.Thumbprint
            ($crt.NotAfter.ToUniversalTime() - [DateTime]::UtcNow).TotalDays | Should -BeGreaterThan 89
        }
    }

    It 'keeps the key in memory as a SecureString without -CertsDir' {
        $n = New-CrdbNodeCert -Hosts db9.internal
        $n.PrivateKey | Should -BeOfType [securestring]
        ($n | Format-List * | Out-String) + "$n" | Should -Not -Match 'PRIVATE KEY'
        $n | Revoke-CrdbCertificate
    }

    It 'refuses to replace an existing node.key without -Force' {
        $certs = Join-Path $Dir 'db4'
        $n = New-CrdbNodeCert -Hosts db4.internal -CertsDir $certs
        $before = [IO.File]::ReadAllText($n.KeyPath)
        { New-CrdbNodeCert -Hosts db4.internal -CertsDir $certs -ErrorAction Stop } | Should -Throw
        [IO.File]::ReadAllText($n.KeyPath) | Should -Be $before
    }

    It 'refuses a host that is neither a DNS name nor an IP address, before any request' {
        { New-CrdbNodeCert -Hosts 'db 1; rm -rf' -ErrorAction Stop } | Should -Throw -ErrorId 'Invalid*'
    }

    It 'Example 3: -RenewWithin keeps the certificate for the same hosts in any order and case, renews when they change' {
        $certs = Join-Path $Dir 'renew'
        $first = New-CrdbNodeCert -Hosts db1.internal, 10.0.0.5, localhost -Ttl 24h -RenewWithin 8h -CertsDir $certs
        $first.Status | Should -Be 'Issued'
        $before = Get-ChildItem -File $certs | ForEach-Object { "$($_.Name)|$($_.LastWriteTimeUtc.Ticks)|$((Get-FileHash $_.FullName).Hash)" }

        $same = New-CrdbNodeCert -Hosts LOCALHOST, 10.0.0.5, DB1.internal -Ttl 24h -RenewWithin 8h -CertsDir $certs
        $same.Status | Should -Be 'Current'
        $same.SerialNumber | Should -Be $first.SerialNumber
        $same.KeyPath | Should -Be (Join-Path $certs 'node.key')
        $same.PrivateKey | Should -BeNullOrEmpty
        Get-ChildItem -File $certs | ForEach-Object { "$($_.Name)|$($_.LastWriteTimeUtc.Ticks)|$((Get-FileHash $_.FullName).Hash)" } | Should -Be $before

        $moved = New-CrdbNodeCert -Hosts db1.internal, 10.0.0.6, localhost -Ttl 24h -RenewWithin 8h -CertsDir $certs
        $moved.Status | Should -Be 'Issued'
        (Get-San $moved.Certificate).Ip | Should -Be @('10.0.0.6')
        (New-CrdbNodeCert -Hosts db1.internal, 10.0.0.6, localhost -RenewWithin 30h -Ttl 24h -CertsDir $certs -WarningVariable w -WarningAction SilentlyContinue).Status |
            Should -Be 'Issued'
        $w | Should -Match 'renews it again'
    }

    It '-RenewWithin needs -CertsDir' {
        { New-CrdbNodeCert -Hosts localhost -RenewWithin 8h -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidNodeCertArgument*'
    }
}
