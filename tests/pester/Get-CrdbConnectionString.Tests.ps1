#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app
    $script:Cred = New-CrdbDynamicCredential app
    $script:Plain = $Cred.Credential.GetNetworkCredential().Password
}
AfterAll {
    Revoke-CrdbLease -Prefix 'database/creds/app' -Sync -ErrorAction SilentlyContinue
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbConnectionString' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbConnectionString'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbConnectionString(\s|$)'
        $facts.OutputType | Should -Contain 'System.String'
    }

    It 'builds a libpq URL without the password, and warns that it left it out' {
        $url = $Cred | Get-CrdbConnectionString crdb.example.com -WarningVariable w -WarningAction SilentlyContinue
        $url | Should -Be "postgresql://$($Cred.UserName)@crdb.example.com:26257/defaultdb?sslmode=verify-full"
        "$w" | Should -Match '-AsPlainText'
        $url | Should -Not -Match ([regex]::Escape($Plain))
    }

    It 'includes the password only with -AsPlainText, URL-encoded' {
        $url = $Cred | Get-CrdbConnectionString crdb.example.com -AsPlainText
        $url | Should -BeLike "postgresql://$($Cred.UserName):*@crdb.example.com:26257/defaultdb?sslmode=verify-full"
        ([uri] $url).UserInfo.Split(':')[1] | ForEach-Object { [uri]::UnescapeDataString($_) } | Should -Be $Plain
    }

    It 'builds an ADO.NET string with -Format AdoNet' {
        $s = $Cred | Get-CrdbConnectionString -Server crdb.example.com -Port 26258 -Database app -SslMode require -Format AdoNet -WarningAction SilentlyContinue
        $s | Should -Match 'Host=crdb\.example\.com'
        $s | Should -Match 'Port=26258'
        $s | Should -Match 'Database=app'
        $s | Should -Match 'SSL Mode=Require'
        $s | Should -Not -Match 'Password'
    }

    It 'points at the server, port and database given (the target Test-CrdbConnection logs in to)' {
        $target = Get-CrdbSandboxSqlTarget $Sandbox
        $url = $Cred | Get-CrdbConnectionString @target -AsPlainText
        $u = [uri] $url
        $u.Host | Should -Be $Sandbox.PostgresHost
        $u.Port | Should -Be $Sandbox.PostgresPort
        $u.AbsolutePath | Should -Be "/$($Sandbox.PostgresDatabase)"
        $u.Query | Should -Be ('?sslmode=verify-full&sslrootcert=' + [uri]::EscapeDataString($Sandbox.PostgresCaCertificate))
        ($Cred | Test-CrdbConnection @target).UserName | Should -Be $Cred.UserName
    }

    It 'validates -Format' {
        { $Cred | Get-CrdbConnectionString h -Format Jdbc -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }
}
