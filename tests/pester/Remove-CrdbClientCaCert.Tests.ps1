#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Ca = Initialize-CrdbCertificateAuthority -CommonName 'Cockroach CA'
    function New-ClusterWithCa { $id = New-CrdbSandboxCluster $Sandbox -Region us-east-1; $null = $Ca | Set-CrdbClientCaCert -ClusterId $id; $id }
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Remove-CrdbClientCaCert' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Remove-CrdbClientCaCert'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Remove-CrdbClientCaCert(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.ClientCaCertStatus'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: removes the client CA and waits until it is NOT_SET' {
        $clusterId = New-ClusterWithCa
        $s = Remove-CrdbClientCaCert -ClusterId $clusterId -Confirm:$false
        $s.Status | Should -Be 'NOT_SET'
        (Get-CrdbClientCaCert -ClusterId $clusterId).Status | Should -Be 'NOT_SET'
    }

    It 'Example 2: -WhatIf keeps the CA; -NoWait -Confirm:$false returns PENDING and the Cloud settles on NOT_SET' {
        $clusterId = New-ClusterWithCa
        Remove-CrdbClientCaCert -ClusterId $clusterId -WhatIf | Should -BeNullOrEmpty
        (Get-CrdbClientCaCert -ClusterId $clusterId).Status | Should -Be 'IS_SET'
        (Remove-CrdbClientCaCert -ClusterId $clusterId -NoWait -Confirm:$false).Status | Should -Be 'PENDING'
        Wait-CrdbCloudState { (Get-CrdbClientCaCert -ClusterId $clusterId).Status } -Until 'NOT_SET'
    }

    It 'leaves a cluster without a client CA as it is' {
        $clusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
        (Remove-CrdbClientCaCert -ClusterId $clusterId -Confirm:$false).Status | Should -Be 'NOT_SET'
    }

    It 'reports a removal the Cloud failed as CloudOperationFailed' {
        $clusterId = New-ClusterWithCa
        Set-CrdbSandboxCloudFailure $Sandbox -ClusterId $clusterId -Kind client-ca
        { Remove-CrdbClientCaCert -ClusterId $clusterId -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CloudOperationFailed,*'
    }

    It 'needs a Cloud connection (a new runspace has none)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$script:CrdbModuleManifest'; Remove-CrdbClientCaCert -ClusterId $([guid]::NewGuid()) -Confirm:`$false").Invoke()
            $ps.Streams.Error[0].FullyQualifiedErrorId | Should -Match '^CloudNotConnected,'
            "$($ps.Streams.Error[0])" | Should -Match 'Connect-CrdbCloud'
        }
        finally { $ps.Dispose() }
    }
}
