#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $script:Url = Get-CrdbSandboxConnectionUrl $Sandbox
    # A mount of this file's own: the run's sandbox is shared, other files use 'database'.
    $script:Mount = 'initdb_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Initialize-CrdbVaultDatabase' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Initialize-CrdbVaultDatabase'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Initialize-CrdbVaultDatabase(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultDatabaseConnection'
    }

    It '-WhatIf changes nothing' {
        Initialize-CrdbVaultDatabase -Name whatif -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -MountPath 'whatifdb' -WhatIf -WarningAction SilentlyContinue |
            Should -BeNullOrEmpty
        { Set-CrdbVaultRole -Name r -ConnectionName whatif -MountPath 'whatifdb' -ErrorAction Stop } | Should -Throw
    }

    It 'enables the mount and writes the connection with templated credentials and a lower-case username template' {
        $c = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -MountPath $Mount -WarningAction SilentlyContinue
        $c.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultDatabaseConnection'
        $c.ConnectionName | Should -Be 'pg'
        $c.MountPath | Should -Be $Mount
        $c.MountCreated | Should -BeTrue
        $c.PluginName | Should -Be 'postgresql-database-plugin'
        $c.ConnectionUrl | Should -BeLike 'postgresql://{{username}}:{{password}}@*'
        $c.Username | Should -Be $Sandbox.AdminCredential.UserName
        $c.UsernameTemplate | Should -Match 'lowercase'
        "$c" | Should -Be "$Mount/config/pg"
    }

    It 'is idempotent: a second run reuses the mount' {
        $c = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -MountPath $Mount -WarningAction SilentlyContinue
        $c.MountCreated | Should -BeFalse
    }

    It 'proves the SQL user''s privileges with a probe user, unless -SkipPrivilegeCheck' {
        $v = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -MountPath $Mount -WarningAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$v" | Should -Match 'privilege check passed'
        $s = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -MountPath $Mount -SkipPrivilegeCheck -WarningAction SilentlyContinue -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        "$s" | Should -Not -Match 'privilege check'
    }

    It 'warns that sslmode=disable does not verify the server, and the TLS-only cluster refuses the plaintext login' {
        $plaintext = "postgresql://$($Sandbox.PostgresHost):$($Sandbox.PostgresPort)/$($Sandbox.PostgresDatabase)?sslmode=disable"
        $err = $null
        try { $null = Initialize-CrdbVaultDatabase -Name plain -ConnectionUrl $plaintext -Credential $Sandbox.AdminCredential -MountPath $Mount -WarningVariable w -WarningAction SilentlyContinue }
        catch { $err = $_ }
        "$w" | Should -Match 'identity is not verified'
        $err.FullyQualifiedErrorId | Should -Match '^DatabaseConfigFailed,'
        $err.Exception.Message | Should -Match 'no encryption'
    }

    It 'refuses a URL that carries credentials, before any request' {
        $bad = $Url -replace 'postgresql://', 'postgresql://root:secret@'
        $err = { Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl $bad -Credential $Sandbox.AdminCredential -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidDatabaseConnectionArgument,*' -PassThru
        $err.Exception.Message | Should -Not -Match 'secret'
    }

    It 'refuses a name that is not a single path segment' {
        { Initialize-CrdbVaultDatabase -Name '../sys' -ConnectionUrl $Url -Credential $Sandbox.AdminCredential -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidDatabaseConnectionArgument,*'
    }

    It 'reports a wrong admin password as a Vault error naming the connection' {
        $wrong = [pscredential]::new($Sandbox.AdminCredential.UserName, (ConvertTo-SecureString 'wrong-password' -AsPlainText -Force))
        $err = { Initialize-CrdbVaultDatabase -Name badpw -ConnectionUrl $Url -Credential $wrong -ErrorAction Stop -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'DatabaseConfigFailed,*' -PassThru
        $err.Exception.Message | Should -Not -Match 'wrong-password'
    }
}
