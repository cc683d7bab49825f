#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    # The default mount, as Example 1 of Initialize-CrdbCertificateAuthority makes it (idempotent).
    $script:Ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:Dir = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbCertificateAuthority' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbCertificateAuthority'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbCertificateAuthority(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CertificateAuthority'
    }

    It 'Example 1: .Pem written with Set-Content -NoNewline is the CA certificate' {
        $caFile = Join-Path $Dir 'ca.crt'
        (Get-CrdbCertificateAuthority).Pem | Set-Content -Path $caFile -NoNewline
        $read = Read-CrdbPemCertificate $caFile
        $read.Thumbprint | Should -Be $Ca.Thumbprint
        $read.Subject | Should -Be 'CN=Cockroach CA'
    }

    It 'Example 2: pipes into Set-CrdbClientCaCert, which makes it the Cloud cluster''s client CA' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        $status = Get-CrdbCertificateAuthority | Set-CrdbClientCaCert -ClusterId $clusterId
        $status.Status | Should -Be 'IS_SET'
        $status.Thumbprint | Should -Be $Ca.Thumbprint
    }

    It 'Example 3: Format-List shows the name, serial, expiry and thumbprint of a team mount''s CA' {
        $mount = New-CrdbTestName 'teampki'
        $team = Initialize-CrdbCertificateAuthority -MountPath $mount -CommonName 'Team A SQL clients' -Kind Client
        $got = Get-CrdbCertificateAuthority -MountPath $mount
        $got.CaSerialNumber | Should -Be $team.CaSerialNumber
        $got.NotAfter | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddYears(1))
        $text = Get-CrdbCertificateAuthority -MountPath $mount | Format-List CommonName, CaSerialNumber, NotAfter, Thumbprint | Out-String
        $text | Should -Match 'Team A SQL clients'
        $text | Should -Match ([regex]::Escape($team.CaSerialNumber))
        $text | Should -Match $team.Thumbprint
    }

    It 'says to run Initialize-CrdbCertificateAuthority for a mount without a CA (ObjectNotFound)' {
        $err = { Get-CrdbCertificateAuthority -MountPath (New-CrdbTestName 'nopki') -ErrorAction Stop } | Should -Throw -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.Exception.Message | Should -Match 'Initialize-CrdbCertificateAuthority'
    }
}
