#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox

    # Does PostgreSQL still know this SQL user? Asked with psql as a DBA would, not through the module.
    function Test-SqlUser([string] $Name) {
        $count = & (Get-CrdbPostgresTool psql) $Sandbox.PostgresUrl -tAq -c "SELECT count(*) FROM pg_roles WHERE rolname = '$Name'"
        [int] "$count".Trim() -gt 0
    }
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Use-CrdbDynamicCredential' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Use-CrdbDynamicCredential'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Use-CrdbDynamicCredential(\s|$)'
        $facts.OutputType | Should -Contain 'System.Object'
    }

    It 'Example 1: runs the block as a fresh SQL user, which is gone when the command returns' {
        $login = Use-CrdbDynamicCredential -Role app -ScriptBlock { $_ | Test-CrdbConnection @Target }
        $login.UserName | Should -BeLike 'v-token-app-*'
        Test-SqlUser $login.UserName | Should -BeFalse
        (Get-CrdbLease -Issued | Where-Object IssuedAs -eq "SQL user $($login.UserName)").State | Should -Be 'Revoked'
    }

    It 'Example 2: gives the credential as $_ and as the first argument, then -ArgumentList; keeps RenewalState current' {
        $out = Use-CrdbDynamicCredential -Role app -ArgumentList 3 -ScriptBlock {
            param($cred, $batches)
            [object]::ReferenceEquals($cred, $_)
            $batches
            [string] $cred.RenewalState
            $cred.EffectiveExpiresAt -eq $cred.ExpiresAt   # a root token never ends, so the lease's end is the end
        }
        $out | Should -Be @($true, 3, 'Renewing', $true)
    }

    It 'Example 3: rethrows the block''s exception after dropping the user' {
        $caught = try { Use-CrdbDynamicCredential -Role app -ScriptBlock { $global:UseUser = $_.UserName; throw 'migration step 4 failed' } }
        catch { $_ }
        $caught.Exception.Message | Should -Be 'migration step 4 failed'
        Test-SqlUser $global:UseUser | Should -BeFalse
    }

    It 'Example 4: -WhatIf shows both steps and runs nothing' {
        $before = @(Get-CrdbLease -Issued).Count
        $out = Use-CrdbDynamicCredential -Role app -ScriptBlock { 'ran' } -WhatIf
        $out | Should -BeNullOrEmpty
        @(Get-CrdbLease -Issued).Count | Should -Be $before
    }

    It 'drops the user when the pipeline is stopped (Ctrl+C) while the block runs' {
        $marker = Join-Path (New-CrdbPrivateDirectory) 'user'
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Address, $Token, $Marker)
                    Import-Module $Manifest
                    $null = Connect-CrdbVault -Address $Address -Token (ConvertTo-SecureString $Token -AsPlainText -Force)
                    Use-CrdbDynamicCredential -Role app -ScriptBlock { [IO.File]::WriteAllText($Marker, $_.UserName); Start-Sleep -Seconds 300 }
                }).AddArgument($script:CrdbModuleManifest).AddArgument($Sandbox.VaultAddress).AddArgument($Sandbox.VaultToken).AddArgument($marker)
            $running = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddMinutes(1)
            while (-not ((Test-Path $marker) -and (Get-Item $marker).Length -gt 0) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $user = Get-Content -Raw $marker
            Test-SqlUser $user | Should -BeTrue
            $ps.Stop()   # returns once the pipeline has stopped, i.e. after the revocation
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            Test-SqlUser $user | Should -BeFalse
        }
        finally { $ps.Dispose() }
    }

    It 'writes the block''s output after the revocation, so Select-Object -First cannot skip it' {
        $first = Use-CrdbDynamicCredential -Role app -ScriptBlock { $_.UserName; 'more'; 'output' } | Select-Object -First 1
        Test-SqlUser $first | Should -BeFalse
    }

    It 'refuses a role name that is not one before any request' {
        { Use-CrdbDynamicCredential -Role '../sys' -ScriptBlock { 'ran' } -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidRoleName,*'
    }
}
