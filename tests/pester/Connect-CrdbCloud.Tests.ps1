#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:ClusterId = New-CrdbSandboxCluster $Sandbox -Region us-east-1
    $script:Key = ConvertTo-SecureString $Sandbox.CloudApiKey -AsPlainText -Force
}
AfterAll {
    Remove-Item Env:COCKROACH_API_KEY, Env:COCKROACH_SERVER -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Connect-CrdbCloud' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Connect-CrdbCloud'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Connect-CrdbCloud(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CloudConnection'
    }

    It 'Example 1: checks the key against the API and returns a connection that never shows the key' {
        $c = Connect-CrdbCloud -ApiKey $Key -ServerUrl $Sandbox.CloudServer
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.CloudConnection'
        $c.Verified | Should -BeTrue
        $c.OrganizationName | Should -Be 'CrdbVault Sandbox'
        $c.ServerUrl | Should -Be ([uri] $Sandbox.CloudServer)
        ($c | Format-List * | Out-String) + ($c | Out-String) + "$c" | Should -Not -Match ([regex]::Escape($Sandbox.CloudApiKey))
        (Get-CrdbCmek -ClusterId $ClusterId).Status | Should -Be 'DISABLED'
    }

    It 'Example 2: takes the key and the address from COCKROACH_API_KEY and COCKROACH_SERVER' {
        $env:COCKROACH_API_KEY = $Sandbox.CloudApiKey
        $env:COCKROACH_SERVER = $Sandbox.CloudServer
        try {
            $c = Connect-CrdbCloud
            $c.ServerUrl | Should -Be ([uri] $Sandbox.CloudServer)
            (Get-CrdbCmek -ClusterId $ClusterId).Configured | Should -BeFalse
        }
        finally { Remove-Item Env:COCKROACH_API_KEY, Env:COCKROACH_SERVER }
    }

    It 'Example 3: -NoDefault keeps the session default; the connection is passed with -Cloud' {
        # The session default points nowhere (an unreachable address), so only -Cloud can succeed.
        $null = Connect-CrdbCloud -ApiKey $Key -ServerUrl 'http://127.0.0.1:9/' -SkipVerify
        try {
            $staging = Connect-CrdbCloud -ApiKey $Key -ServerUrl $Sandbox.CloudServer -NoDefault
            $staging | Should -Not -BeNullOrEmpty
            (Get-CrdbClientCaCert -ClusterId $ClusterId -Cloud $staging).Status | Should -Be 'NOT_SET'
            { Get-CrdbClientCaCert -ClusterId $ClusterId -ErrorAction Stop } | Should -Throw   # the default was kept
        }
        finally { $null = Connect-CrdbSandboxCloud $Sandbox }
    }

    It 'rejects a key the API does not know, without echoing it' {
        $bad = 'CCDB1_notreal_' + [guid]::NewGuid().ToString('n')
        $err = { Connect-CrdbCloud -ApiKey (ConvertTo-SecureString $bad -AsPlainText -Force) -ServerUrl $Sandbox.CloudServer -ErrorAction Stop } |
            Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^Cloud'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $err.Exception.Message + $err.ErrorDetails | Should -Not -Match ([regex]::Escape($bad))
    }

    It 'rejects an address that is not an http(s) URL before any request' {
        { Connect-CrdbCloud -ApiKey $Key -ServerUrl 'ftp://example.com' -ErrorAction Stop } | Should -Throw -ErrorId 'Invalid*'
    }
}
