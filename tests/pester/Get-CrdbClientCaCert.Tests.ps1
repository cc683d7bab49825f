#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    $script:WithCa = New-CrdbSandboxCluster $Sandbox -Region us-east-1
    $script:WithoutCa = New-CrdbSandboxCluster $Sandbox -Region us-east-1
    $null = $Ca | Set-CrdbClientCaCert -ClusterId $WithCa
    $script:Dir = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Dir -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbClientCaCert' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbClientCaCert'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbClientCaCert(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.ClientCaCertStatus'
    }

    It 'Example 1: shows the status and the first CA''s subject, expiry and thumbprint' {
        $s = Get-CrdbClientCaCert -ClusterId $WithCa
        $s.PSObject.TypeNames | Should -Contain 'CrdbVault.ClientCaCertStatus'
        $s.Status | Should -Be 'IS_SET'
        $s.Subject | Should -Be 'CN=Cockroach CA'
        $s.Thumbprint | Should -Be $Ca.Thumbprint
        $s.NotAfter | Should -BeOfType [datetime]
        $s.Pem | Should -Match 'BEGIN CERTIFICATE'
        $view = $s | Out-String
        $view | Should -Match 'IS_SET'
        $view | Should -Match 'CN=Cockroach CA'

        $none = Get-CrdbClientCaCert -ClusterId $WithoutCa
        $none.Status | Should -Be 'NOT_SET'
        $none.Certificates.Count | Should -Be 0
    }

    It 'Example 2: ids piped from a file; the filter finds the clusters whose CA expires in the window' {
        $ids = Join-Path $Dir 'cluster-ids.txt'
        Set-Content -Path $ids -Value $WithCa, $WithoutCa
        $all = Get-Content $ids | Get-CrdbClientCaCert
        $all.ClusterId | Should -Be @($WithCa, $WithoutCa)
        @(Get-Content $ids | Get-CrdbClientCaCert | Where-Object { $_.NotAfter -and $_.NotAfter -lt [DateTime]::UtcNow.AddDays(60) }).Count | Should -Be 0
        (Get-Content $ids | Get-CrdbClientCaCert | Where-Object { $_.NotAfter -and $_.NotAfter -lt [DateTime]::UtcNow.AddYears(20) }).ClusterId | Should -Be $WithCa
    }

    It 'reports an unknown cluster as CloudNotFound and goes on with the next id' {
        $out = '3f0c1f9e-0000-4000-8000-000000000000', $WithCa | Get-CrdbClientCaCert -ErrorVariable e -ErrorAction SilentlyContinue
        $out.ClusterId | Should -Be $WithCa
        $e[0].FullyQualifiedErrorId | Should -Match '^CloudNotFound,'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'refuses a cluster id that is not a UUID before any request' {
        Get-CrdbClientCaCert -ClusterId '../organization' -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^Invalid'
    }
}
