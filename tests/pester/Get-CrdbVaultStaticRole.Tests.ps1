#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Mount = New-CrdbStaticRoleMount $Sandbox
    # A SQL user of this file's own: SQL users are shared by the whole run (serve has an etl_loader).
    $script:EtlUser = New-CrdbTestName 'etl_loader'
    $null = New-CrdbSandboxLoginUser $Sandbox $EtlUser
    $null = Set-CrdbVaultStaticRole -Name etl_daily -ConnectionName pg -UserName $EtlUser -RotationSchedule '0 3 * * *' -RotationWindow '1h'
    $null = Set-CrdbVaultStaticRole -Name etl_hourly -ConnectionName pg -UserName $EtlUser -RotationPeriod '1h'
    $null = Set-CrdbVaultStaticRole -Name other -ConnectionName pg -UserName $EtlUser -RotationPeriod '1d'
}
AfterAll {
    Remove-CrdbStaticRoleMount
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbVaultStaticRole' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbVaultStaticRole'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbVaultStaticRole(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultStaticRole'
    }

    It 'lists every static role with its rotation' {
        $all = Get-CrdbVaultStaticRole
        $all.Role | Sort-Object | Should -Be @('etl_daily', 'etl_hourly', 'other')
        $daily = $all | Where-Object Role -EQ etl_daily
        $daily.RotationSchedule | Should -Be '0 3 * * *'
        $daily.RotationWindow | Should -Be ([timespan]::FromHours(1))
        ($all | Where-Object Role -EQ etl_hourly).RotationPeriod | Should -Be ([timespan]::FromHours(1))
        ($all | Out-String) | Should -Match 'cron 0 3 \* \* \*'
    }

    It 'takes wildcards' {
        (Get-CrdbVaultStaticRole -Name 'etl*').Role | Sort-Object | Should -Be @('etl_daily', 'etl_hourly')
    }

    It 'reports a missing role as ObjectNotFound' {
        Get-CrdbVaultStaticRole -Name nope -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'VaultStaticRoleNotFound,*'
    }

    It 'pipes into Get-CrdbStaticCredential' {
        (Get-CrdbVaultStaticRole -Name other | Get-CrdbStaticCredential).UserName | Should -Be $EtlUser
    }
}
