#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    # Two Vault CAs, as in Example 3: the current one and the one clients move to.
    $script:Old = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:New = Initialize-CrdbCertificateAuthority -MountPath cockroach_client_ca_2027 -CommonName 'Cockroach CA 2027'
    $script:Dir = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbClientCaCert' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Set-CrdbClientCaCert'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Set-CrdbClientCaCert(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.ClientCaCertStatus'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: trusts Vault''s client CA and waits until it is IS_SET' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $s = Get-CrdbCertificateAuthority | Set-CrdbClientCaCert -ClusterId $clusterId
        $s.PSObject.TypeNames | Should -Contain 'CrdbVault.ClientCaCertStatus'
        $s.Status | Should -Be 'IS_SET'
        $s.Thumbprint | Should -Be $Old.Thumbprint
        (Get-CrdbClientCaCert -ClusterId $clusterId).Thumbprint | Should -Be $Old.Thumbprint
    }

    It 'Example 2: uploads a PEM file with -NoWait and returns PENDING; the Cloud then settles on IS_SET' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $file = Join-Path $Dir 'ca.crt'
        Set-Content -Path $file -Value $Old.Pem -NoNewline
        $s = Set-CrdbClientCaCert -ClusterId $clusterId -Certificate $file -NoWait
        $s.Status | Should -Be 'PENDING'
        Wait-CrdbCloudState { (Get-CrdbClientCaCert -ClusterId $clusterId).Status } -Until 'IS_SET'
    }

    It 'Example 3: two CAs become one rollover bundle, then the new CA alone replaces it' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $old = Get-CrdbCertificateAuthority -MountPath cockroach_client_ca
        $new = Get-CrdbCertificateAuthority -MountPath cockroach_client_ca_2027
        $bundle = $old, $new | Set-CrdbClientCaCert -ClusterId $clusterId -TimeoutSeconds 900
        $bundle.Status | Should -Be 'IS_SET'
        $bundle.Certificates.Thumbprint | Should -Be @($Old.Thumbprint, $New.Thumbprint)
        $alone = $new | Set-CrdbClientCaCert -ClusterId $clusterId
        $alone.Certificates.Thumbprint | Should -Be @($New.Thumbprint)
    }

    It 'sends nothing when exactly these certificates are already set' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $null = $Old | Set-CrdbClientCaCert -ClusterId $clusterId
        $again = $Old | Set-CrdbClientCaCert -ClusterId $clusterId -Verbose 4>&1
        ($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" | Should -Match 'nothing sent'
    }

    It 'refuses a private key, a leaf certificate and text that is no certificate, before any request' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $key = [System.Security.Cryptography.ECDsa]::Create().ExportPkcs8PrivateKeyPem()
        $leaf = New-CrdbClientCert -User leaf_user
        foreach ($bad in ($Old.Pem + "`n" + $key), $leaf.Certificate.ExportCertificatePem(), 'not a certificate') {
            $err = { Set-CrdbClientCaCert -ClusterId $clusterId -Certificate $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidClientCaCertificate,*' -PassThru
            $err.Exception.Message | Should -Not -Match 'BEGIN PRIVATE KEY-----\s*\S'
        }
        (Get-CrdbClientCaCert -ClusterId $clusterId).Status | Should -Be 'NOT_SET'
        $leaf | Revoke-CrdbCertificate
    }

    It 'reports a change the Cloud failed as CloudOperationFailed naming the cluster' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        Set-CrdbSandboxCloudFailure $Sandbox -ClusterId $clusterId -Kind client-ca -Message 'invalid certificate chain'
        $err = { $Old | Set-CrdbClientCaCert -ClusterId $clusterId -ErrorAction Stop } | Should -Throw -ErrorId 'CloudOperationFailed,*' -PassThru
        $err.Exception.Message | Should -Match $clusterId
        $err.Exception.Message | Should -Match 'FAILED'
    }

    It '-WhatIf sends nothing' {
        $clusterId = New-CrdbSandboxCluster $Sandbox
        $Old | Set-CrdbClientCaCert -ClusterId $clusterId -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbClientCaCert -ClusterId $clusterId).Status | Should -Be 'NOT_SET'
    }
}
