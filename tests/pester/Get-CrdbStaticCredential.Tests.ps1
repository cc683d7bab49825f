#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Mount = New-CrdbStaticRoleMount $Sandbox
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
    foreach ($user in 'app_static', 'fast_user') { $null = New-CrdbSandboxLoginUser $Sandbox $user }
    $null = Set-CrdbVaultStaticRole -Name app -ConnectionName pg -UserName app_static -RotationPeriod '24h'
}
AfterAll {
    Remove-CrdbStaticRoleMount
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbStaticCredential' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbStaticCredential'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbStaticCredential(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.StaticCredential'
    }

    It 'returns the current password and when it changes next' {
        $c = Get-CrdbStaticCredential -Role app
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.StaticCredential'
        $c.UserName | Should -Be 'app_static'
        $c.Password | Should -BeOfType [securestring]
        $c.Credential.UserName | Should -Be 'app_static'
        $c.RotationPeriod | Should -Be ([timespan]::FromHours(24))
        ($c.NextRotation - $c.LastVaultRotation).TotalHours | Should -BeGreaterThan 23.9
    }

    It 'pipes into Test-CrdbConnection and Get-CrdbConnectionString like a dynamic credential' {
        $c = Get-CrdbStaticCredential app
        ($c | Test-CrdbConnection @Target).UserName | Should -Be 'app_static'
        $url = $c | Get-CrdbConnectionString @Target -AsPlainText
        $url | Should -BeLike "postgresql://app_static:$([uri]::EscapeDataString($c.Credential.GetNetworkCredential().Password))@*"
    }

    It 'never shows the password in its views or ToString' {
        $c = Get-CrdbStaticCredential app
        $plain = $c.Credential.GetNetworkCredential().Password
        ($c | Out-String) + ($c | Format-List * | Out-String) + "$c" | Should -Not -Match ([regex]::Escape($plain))
    }

    It 'sees Vault rotate every 5 seconds: the old password stops working' {
        $first = Set-CrdbVaultStaticRole -Name fast -ConnectionName pg -UserName fast_user -RotationPeriod 5 | Get-CrdbStaticCredential
        # Wait for the state (a later rotation), not for a time.
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        do { Start-Sleep -Milliseconds 250; $now = Get-CrdbStaticCredential fast } while ($now.LastVaultRotation -le $first.LastVaultRotation -and [datetime]::UtcNow -lt $deadline)
        $now.LastVaultRotation | Should -BeGreaterThan $first.LastVaultRotation
        { $first | Test-CrdbConnection @Target -ErrorAction Stop } | Should -Throw -ErrorId 'SqlAuthenticationFailed*'
        Remove-CrdbVaultStaticRole fast
    }

    It 'reports an unknown role as not found' {
        { Get-CrdbStaticCredential -Role nope -ErrorAction Stop } | Should -Throw -ErrorId 'VaultNotFound*'
    }
}
