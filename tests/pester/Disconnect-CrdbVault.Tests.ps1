#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
}
AfterAll { Stop-CrdbSandbox $script:Sandbox }

Describe 'Disconnect-CrdbVault' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Disconnect-CrdbVault'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Disconnect-CrdbVault(\s|$)'
        $facts.Command.OutputType | Should -Not -BeNullOrEmpty
    }

    It 'forgets the session default' {
        $null = Connect-CrdbSandboxVault $Sandbox
        Disconnect-CrdbVault
        { Get-CrdbVaultRole -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotConnected,*'
    }

    It 'does nothing (and says so in -Verbose) when not connected' {
        $out = Disconnect-CrdbVault -Verbose 4>&1
        "$out" | Should -Match 'Not connected'
    }

    It '-Revoke -WhatIf keeps the token valid' {
        $c = Connect-CrdbSandboxVault $Sandbox
        Disconnect-CrdbVault -Revoke -WhatIf
        # The token still works: a fresh login with it succeeds.
        { Connect-CrdbSandboxVault $Sandbox -ErrorAction Stop } | Should -Not -Throw
        Disconnect-CrdbVault
    }

    It '-Revoke revokes the token at Vault (a child token, so the sandbox keeps its root token)' {
        $root = Connect-CrdbSandboxVault $Sandbox
        # A child token made through the module's own connection is not available as a cmdlet:
        # create it with a plain HTTP call, as an operator would with `vault token create`.
        $child = Invoke-RestMethod -Method Post -Uri "$($Sandbox.VaultAddress)/v1/auth/token/create" `
            -Headers @{ 'X-Vault-Token' = $Sandbox.VaultToken } -Body '{"policies":["default"],"ttl":"1h"}' -ContentType 'application/json'
        $c = Connect-CrdbVault -Address $Sandbox.VaultAddress -Token (ConvertTo-SecureString $child.auth.client_token -AsPlainText -Force) -NoDefault
        $c | Disconnect-CrdbVault -Revoke
        { Connect-CrdbVault -Address $Sandbox.VaultAddress -Token (ConvertTo-SecureString $child.auth.client_token -AsPlainText -Force) -NoDefault -ErrorAction Stop } |
            Should -Throw -ErrorId 'Vault*'
        Disconnect-CrdbVault $root
    }
}
