#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    # The run shares one sandbox: this file's connection and static roles live on a mount of their own.
    $script:Mount = New-CrdbTestName 'staticdb'
    $script:MountDefaults = 'Initialize-CrdbVaultDatabase:MountPath', '*-CrdbVaultStaticRole:MountPath', '*-CrdbStaticCredential:MountPath'
    foreach ($k in $MountDefaults) { $PSDefaultParameterValues[$k] = $Mount }
    $null = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl (Get-CrdbSandboxConnectionUrl $Sandbox) -Credential $Sandbox.AdminCredential -WarningAction SilentlyContinue
    $psql = (Get-Command psql -ErrorAction SilentlyContinue).Source ?? @(Resolve-Path '/usr/lib/postgresql/*/bin/psql')[0].Path
    # A SQL user of this file's own: SQL users are shared by the whole run (serve has an etl_loader).
    $script:EtlUser = New-CrdbTestName 'etl_loader'
    & $psql $Sandbox.PostgresUrl -v ON_ERROR_STOP=1 -q -c "CREATE ROLE $EtlUser LOGIN PASSWORD '$([guid]::NewGuid().ToString('n'))'"
    if ($LASTEXITCODE) { throw "psql could not create $EtlUser" }
    $null = Set-CrdbVaultStaticRole -Name etl_daily -ConnectionName pg -UserName $EtlUser -RotationSchedule '0 3 * * *' -RotationWindow '1h'
    $null = Set-CrdbVaultStaticRole -Name etl_hourly -ConnectionName pg -UserName $EtlUser -RotationPeriod '1h'
    $null = Set-CrdbVaultStaticRole -Name other -ConnectionName pg -UserName $EtlUser -RotationPeriod '1d'
}
AfterAll {
    foreach ($k in $MountDefaults) { $PSDefaultParameterValues.Remove($k) }
    Disconnect-CrdbVault
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
