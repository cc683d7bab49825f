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

Describe 'Connect-CrdbVault secretless logins (a job''s environment pointing at serve''s identity double)' {
    BeforeAll {
        $script:JobNames = @($Sandbox.Job.Keys)
        function Set-Job([hashtable] $Values) {
            foreach ($name in $JobNames) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
            foreach ($e in $Values.GetEnumerator()) { Set-Item "Env:$($e.Key)" $e.Value }
        }
        function Assert-CredentialLogsIn {
            $cred = New-CrdbDynamicCredential -Role app
            $test = $cred | Test-CrdbConnection -Server $Sandbox.PostgresHost -Port $Sandbox.PostgresPort -RootCertificate $Sandbox.PostgresCaCertificate
            $test.UserName | Should -Be $cred.UserName
            $cred | Revoke-CrdbLease -Sync
        }
        $script:Logins = $Sandbox.Secretless
        $script:Secrets = @($Sandbox.Job.SYSTEM_ACCESSTOKEN, $Sandbox.Job.ACTIONS_ID_TOKEN_REQUEST_TOKEN, $Sandbox.Job.IDENTITY_HEADER, $Logins.userpass.password)
    }
    AfterAll { foreach ($name in $JobNames) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue } }

    It 'an Azure DevOps pipeline job connects, and its credential logs in to the database' {
        Set-Job @{ SYSTEM_OIDCREQUESTURI = $Sandbox.Job.SYSTEM_OIDCREQUESTURI; SYSTEM_ACCESSTOKEN = $Sandbox.Job.SYSTEM_ACCESSTOKEN }
        $verbose = Connect-CrdbVault -Address $Sandbox.VaultAddress -AzureDevOps -Role $Logins.azuredevops.role -Verbose 4>&1
        $c = $verbose | Where-Object { $_ -is [CrdbVault.VaultConnection] }
        $c.AuthMethod | Should -Be 'azuredevops'
        $c.Policies | Should -Contain $Logins.policy
        Assert-CredentialLogsIn
        $text = ($verbose | Out-String)
        foreach ($s in $Secrets) { $text | Should -Not -Match ([regex]::Escape($s)) }
        $text | Should -Not -Match 'eyJ'
    }

    It 'an Entra-issued service connection connects on jwt-entra' {
        Set-Job @{ SYSTEM_OIDCREQUESTURI = $Sandbox.Job.SYSTEM_OIDCREQUESTURI; SYSTEM_ACCESSTOKEN = $Sandbox.Job.SYSTEM_ACCESSTOKEN }
        $sc = $Logins.'azuredevops-entra-service-connection'
        (Connect-CrdbVault -Address $Sandbox.VaultAddress -AzureDevOps -Role $sc.role -ServiceConnectionId $sc.service_connection_id -AuthMount $sc.mount).AuthMethod |
            Should -Be 'azuredevops'
        Assert-CredentialLogsIn
    }

    It 'a GitHub Actions job connects; a wrong audience is VaultLoginRejected' {
        Set-Job @{ ACTIONS_ID_TOKEN_REQUEST_URL = $Sandbox.Job.ACTIONS_ID_TOKEN_REQUEST_URL; ACTIONS_ID_TOKEN_REQUEST_TOKEN = $Sandbox.Job.ACTIONS_ID_TOKEN_REQUEST_TOKEN }
        (Connect-CrdbVault -Address $Sandbox.VaultAddress -GitHubActions -Role $Logins.githubactions.role).AuthMethod | Should -Be 'githubactions'
        Assert-CredentialLogsIn
        { Connect-CrdbVault -Address $Sandbox.VaultAddress -GitHubActions -Role $Logins.githubactions.role -Audience sts.amazonaws.com -ErrorAction Stop } |
            Should -Throw -ErrorId 'VaultLoginRejected,*'
    }

    It 'an Automation runbook connects with its managed identity; a wrong X-IDENTITY-HEADER gets no token' {
        Set-Job @{ IDENTITY_ENDPOINT = $Sandbox.Job.IDENTITY_ENDPOINT; IDENTITY_HEADER = $Sandbox.Job.IDENTITY_HEADER }
        $mi = $Logins.'managedidentity-automation'
        (Connect-CrdbVault -Address $Sandbox.VaultAddress -ManagedIdentity -Role $mi.role -ResourceId $mi.resource_id).AuthMethod | Should -Be 'managedidentity'
        Assert-CredentialLogsIn
        $env:IDENTITY_HEADER = 'not-the-header'
        { Connect-CrdbVault -Address $Sandbox.VaultAddress -ManagedIdentity -Role $mi.role -ResourceId $mi.resource_id -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExternalTokenUnavailable,*'
    }

    It 'a VM connects with names from instance metadata' {
        Set-Job @{ CRDBVAULT_IMDS_ENDPOINT = $Sandbox.Job.CRDBVAULT_IMDS_ENDPOINT }
        (Connect-CrdbVault -Address $Sandbox.VaultAddress -ManagedIdentity -Role $Logins.'managedidentity-vm'.role).AuthMethod | Should -Be 'managedidentity'
        Assert-CredentialLogsIn
    }

    It 'userpass and LDAP users connect with -Credential, and the password is in no stream' {
        Set-Job @{}
        foreach ($method in 'userpass', 'ldap') {
            $cred = [pscredential]::new($Logins.$method.username, (ConvertTo-SecureString $Logins.$method.password -AsPlainText -Force))
            $all = Connect-CrdbVault -Address $Sandbox.VaultAddress -AuthMethod $method -Credential $cred -Verbose *>&1
            ($all | Where-Object { $_ -is [CrdbVault.VaultConnection] }).AuthMethod | Should -Be $method
            ($all | Out-String) | Should -Not -Match ([regex]::Escape($Logins.$method.password))
            Assert-CredentialLogsIn
        }
    }

    It 'a job without its variables fails with ExternalTokenUnavailable and the fix' {
        Set-Job @{ SYSTEM_OIDCREQUESTURI = $Sandbox.Job.SYSTEM_OIDCREQUESTURI }
        $e = { Connect-CrdbVault -Address $Sandbox.VaultAddress -AzureDevOps -Role pipeline -ErrorAction Stop } | Should -Throw -ErrorId 'ExternalTokenUnavailable,*' -PassThru
        $e.Exception.Message | Should -Match ([regex]::Escape('env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)'))
        Set-Job @{}
        $e = { Connect-CrdbVault -Address $Sandbox.VaultAddress -GitHubActions -Role deploy -ErrorAction Stop } | Should -Throw -ErrorId 'ExternalTokenUnavailable,*' -PassThru
        $e.Exception.Message | Should -Match 'permissions: id-token: write'
    }

    It 'an unknown role is VaultLoginRejected and names where to look' {
        Set-Job @{ SYSTEM_OIDCREQUESTURI = $Sandbox.Job.SYSTEM_OIDCREQUESTURI; SYSTEM_ACCESSTOKEN = $Sandbox.Job.SYSTEM_ACCESSTOKEN }
        $e = { Connect-CrdbVault -Address $Sandbox.VaultAddress -AzureDevOps -Role nope -ErrorAction Stop } | Should -Throw -ErrorId 'VaultLoginRejected,*' -PassThru
        $e.Exception.Message | Should -Match 'vault list auth/jwt-azuredevops/role'
    }
}
