#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Token = ConvertTo-SecureString $Sandbox.VaultToken -AsPlainText -Force
}
AfterAll {
    Disconnect-CrdbVault -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Connect-CrdbVault' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Connect-CrdbVault'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Connect-CrdbVault(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultConnection'
    }

    It 'connects with -Token and returns a VaultConnection that does not show the token' {
        $c = Connect-CrdbVault -Address $Sandbox.VaultAddress -Token $Token
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultConnection'
        $c.Address | Should -Be ([uri] $Sandbox.VaultAddress)
        $c.AuthMethod | Should -Be 'token'
        ($c | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($Sandbox.VaultToken))
        "$c" | Should -Not -Match ([regex]::Escape($Sandbox.VaultToken))
    }

    It 'takes the address and token from VAULT_ADDR and VAULT_TOKEN' {
        $env:VAULT_ADDR = $Sandbox.VaultAddress
        $env:VAULT_TOKEN = $Sandbox.VaultToken
        try {
            $c = Connect-CrdbVault
            $c.Address | Should -Be ([uri] $Sandbox.VaultAddress)
        }
        finally {
            Remove-Item Env:VAULT_ADDR, Env:VAULT_TOKEN -ErrorAction SilentlyContinue
        }
    }

    It '-NoDefault returns a connection without making it the session default' {
        Disconnect-CrdbVault
        $c = Connect-CrdbVault -Address $Sandbox.VaultAddress -Token $Token -NoDefault
        $c | Should -Not -BeNullOrEmpty
        $pg = [pscredential]::new('u', (ConvertTo-SecureString 'p' -AsPlainText -Force))
        { Initialize-CrdbVaultDatabase -Name x -ConnectionUrl 'postgresql://h:26257/d' -Credential $pg -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId 'VaultNotConnected,*'
        { Initialize-CrdbVaultDatabase -Vault $c -Name x -ConnectionUrl 'postgresql://h:26257/d' -Credential $pg -WhatIf -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Not -Throw
    }

    It 'rejects a bad token with VaultInvalidToken or VaultPermissionDenied' {
        $bad = ConvertTo-SecureString 'hvs.not-a-token' -AsPlainText -Force
        $err = { Connect-CrdbVault -Address $Sandbox.VaultAddress -Token $bad -ErrorAction Stop } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -Match '^(VaultInvalidToken|VaultPermissionDenied),'
        $err.Exception.Message | Should -Not -Match 'hvs\.not-a-token'
    }

    It 'rejects an address that is not a URL before any request' {
        { Connect-CrdbVault -Address 'not a url' -Token $Token -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidVaultAddress,*'
    }

    It 'rejects an empty -Token' {
        { Connect-CrdbVault -Address $Sandbox.VaultAddress -Token ([securestring]::new()) -ErrorAction Stop } | Should -Throw -ErrorId 'MissingVaultToken,*'
    }

    It 'says how to log in when no token is anywhere' {
        $home_ = $env:HOME
        $env:HOME = (New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ([guid]::NewGuid()))).FullName
        try {
            Remove-Item Env:VAULT_TOKEN -ErrorAction SilentlyContinue
            $err = { Connect-CrdbVault -Address $Sandbox.VaultAddress -ErrorAction Stop } | Should -Throw -ErrorId 'MissingVaultToken,*' -PassThru
            $err.Exception.Message | Should -Match 'VAULT_TOKEN'
        }
        finally {
            Remove-Item $env:HOME -Recurse -Force
            $env:HOME = $home_
        }
    }

    It 'warns when -SkipCertificateCheck turns TLS checks off' {
        $null = Connect-CrdbVault -Address $Sandbox.VaultAddress -Token $Token -SkipCertificateCheck -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -Match 'TLS certificate checks are OFF'
    }
}
