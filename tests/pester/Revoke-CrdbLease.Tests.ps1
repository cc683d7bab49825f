#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app
    $script:Target = Get-CrdbSandboxSqlTarget $Sandbox
}
AfterAll {
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Revoke-CrdbLease' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Revoke-CrdbLease'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Revoke-CrdbLease(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.VaultLease'
    }

    It 'revokes a piped credential: the SQL user can no longer log in' {
        $c = New-CrdbDynamicCredential app
        ($c | Test-CrdbConnection @Target).UserName | Should -Be $c.UserName
        $c | Revoke-CrdbLease -Sync
        $c | Test-CrdbConnection @Target -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Match '^SqlAuthenticationFailed,'
    }

    It '-PassThru emits the lease as it was, marked Revoked' {
        $c = New-CrdbDynamicCredential app
        $l = $c | Revoke-CrdbLease -Sync -PassThru
        $l.LeaseId | Should -Be $c.LeaseId
        $l.State | Should -Be 'Revoked'
        $l.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultLease'
    }

    It '-WhatIf keeps the lease' {
        $c = New-CrdbDynamicCredential app
        $c | Revoke-CrdbLease -WhatIf
        (Get-CrdbLease $c.LeaseId).LeaseId | Should -Be $c.LeaseId
        $c | Revoke-CrdbLease -Sync
    }

    It '-Prefix revokes every lease under it' {
        1..3 | ForEach-Object { $null = New-CrdbDynamicCredential app }
        Revoke-CrdbLease -Prefix 'database/creds/app' -Sync
        @(Get-CrdbLease -Prefix 'database/creds/app' -ErrorAction SilentlyContinue).Count | Should -Be 0
    }

    It 'skips piped objects with an empty LeaseId with a MissingLeaseId error, and goes on' {
        $c = New-CrdbDynamicCredential app
        $out = [pscustomobject]@{ LeaseId = '' }, $c | Revoke-CrdbLease -Sync -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -Match '^MissingLeaseId,'
        $out.LeaseId | Should -Be $c.LeaseId
    }

    It 'leaves objects without any LeaseId property to PowerShell''s binder (InputObjectNotBound)' {
        # Nothing binds by property name, so PowerShell rejects the object before the cmdlet runs.
        [pscustomobject]@{ Name = 'no lease here' } | Revoke-CrdbLease -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Match '^InputObjectNotBound,'
    }

    It 'refuses a bad prefix before any request' {
        { Revoke-CrdbLease -Prefix 'database/../sys' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidLeasePrefix,*'
    }
}

Describe 'Revoke-CrdbLease -Issued and the lease ledger file' {
    BeforeAll {
        $script:Work = New-CrdbPrivateDirectory
        $script:Pwsh = Get-CrdbPwshCommand
        $null = Initialize-CrdbSandboxRole $Sandbox -Role brief -DefaultTtl 2
        # Two processes issuing at once: users join a group role (concurrent per-user GRANTs on one database collide in PostgreSQL).
        $null = Set-CrdbVaultRole -Name together -ConnectionName pg -GrantRole (New-CrdbSandboxSqlRole $Sandbox) -DefaultTtl '1h' -MaxTtl '24h'
        $script:LeasedPki = New-CrdbTestName 'ledgerpki'
        $null = Initialize-CrdbCertificateAuthority -MountPath $LeasedPki -CommonName 'Ledger CA' -GenerateLease

        # A job step in a process of its own: connects with the ledger, issues, and ends WITHOUT revoking (as a killed job would).
        $script:IssueScript = Join-Path $Work 'issue.ps1'
        Set-Content $IssueScript @'
param($Manifest, $Ledger, $Role = 'app', [int] $Count = 1, $PkiMount, $Go, $SecretsFile)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest
$null = if ($Ledger -eq 'default') { Connect-CrdbVault } else { Connect-CrdbVault -LedgerPath $Ledger }
if ($Go) { while (-not (Test-Path $Go)) { Start-Sleep -Milliseconds 5 } }
$creds = @(1..$Count | ForEach-Object { New-CrdbDynamicCredential -Role $Role })
if ($PkiMount) { $null = New-CrdbClientCert -MountPath $PkiMount -User ci_runner -Ttl 1h }
if ($SecretsFile) { $creds | ForEach-Object { $_.Credential.GetNetworkCredential().Password } | Set-Content $SecretsFile }
$creds.UserName
'@
        # The clean-up step: a new process that only knows the ledger file.
        $script:RevokeScript = Join-Path $Work 'revoke.ps1'
        Set-Content $RevokeScript @'
param($Manifest, $Ledger)
Import-Module $Manifest
$null = if ($Ledger -eq 'default') { Connect-CrdbVault } else { Connect-CrdbVault -LedgerPath $Ledger }
ConvertTo-Json -InputObject @(Revoke-CrdbLease -Issued -ErrorAction Continue | Select-Object LeaseId, State, IssuedAs)
'@
        function Invoke-Step([string] $Script, [hashtable] $Arguments) {
            $env:VAULT_ADDR = $Sandbox.VaultAddress
            $env:VAULT_TOKEN = $Sandbox.VaultToken
            try {
                $splat = @('-NoProfile', '-NonInteractive', '-File', $Script, '-Manifest', $script:CrdbModuleManifest)
                foreach ($k in $Arguments.Keys) { $splat += "-$k"; $splat += [string] $Arguments[$k] }
                $out = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) @splat 2>&1
                if ($LASTEXITCODE) { throw "$Script failed: $out" }
                $out
            }
            finally { Remove-Item Env:VAULT_ADDR, Env:VAULT_TOKEN }
        }
        function Test-SqlUser([string] $Name) {
            $count = & (Get-CrdbPostgresTool psql) $Sandbox.PostgresUrl -tAq -c "SELECT count(*) FROM pg_roles WHERE rolname = '$Name'"
            [int] "$count".Trim() -gt 0
        }
    }
    AfterAll { Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue }

    It 'revokes from a second process what a first one issued: three credentials and a certificate, no user left, no secret in the file' {
        $ledger = Join-Path $Work 'job1.jsonl'
        $secrets = Join-Path $Work 'job1.secrets'
        $users = @(Invoke-Step $IssueScript @{ Ledger = $ledger; Count = 3; PkiMount = $LeasedPki; SecretsFile = $secrets })
        $users.Count | Should -Be 3
        foreach ($u in $users) { Test-SqlUser $u | Should -BeTrue }
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($ledger) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
        $text = Get-Content -Raw $ledger
        foreach ($password in Get-Content $secrets) { $text | Should -Not -Match ([regex]::Escape($password)) }

        $revoked = Invoke-Step $RevokeScript @{ Ledger = $ledger } | Out-String | ConvertFrom-Json
        @($revoked).Count | Should -Be 4
        $revoked.State | Sort-Object -Unique | Should -Be 'Revoked'
        @($revoked | Where-Object IssuedAs -like 'certificate *').Count | Should -Be 1
        foreach ($u in $users) { Test-SqlUser $u | Should -BeFalse }
        # The second process appended what it revoked: a third run finds nothing left to do.
        @(Get-Content $ledger | ConvertFrom-Json | Where-Object event -eq 'revoked').Count | Should -Be 4
        @(Invoke-Step $RevokeScript @{ Ledger = $ledger } | Out-String | ConvertFrom-Json).Count | Should -Be 0
    }

    It 'reports a lease that already expired as AlreadyGone, not as an error' {
        $ledger = Join-Path $Work 'job2.jsonl'
        $null = Invoke-Step $IssueScript @{ Ledger = $ledger; Role = 'brief' }
        $leaseId = (Get-Content $ledger | ConvertFrom-Json).lease_id
        $deadline = [DateTime]::UtcNow.AddMinutes(1)
        while ((Get-CrdbLease -LeaseId $leaseId -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $result = Invoke-Step $RevokeScript @{ Ledger = $ledger } | Out-String | ConvertFrom-Json
        $result.LeaseId | Should -Be $leaseId
        $result.State | Should -Be 'AlreadyGone'
    }

    It 'loses no line when two processes append at once' {
        $ledger = Join-Path $Work 'job3.jsonl'
        $go = Join-Path $Work 'go'
        $env:VAULT_ADDR = $Sandbox.VaultAddress
        $env:VAULT_TOKEN = $Sandbox.VaultToken
        try {
            $writers = 1, 2 | ForEach-Object {
                Start-Process -FilePath $Pwsh[0] -PassThru -RedirectStandardOutput (Join-Path $Work "w$_.out") -RedirectStandardError (Join-Path $Work "w$_.err") `
                    -ArgumentList (@($Pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $IssueScript, '-Manifest', $script:CrdbModuleManifest,
                        '-Ledger', $ledger, '-Role', 'together', '-Count', '15', '-Go', $go))
            }
            # Both wait for the same signal, then issue (and append) as fast as they can.
            Start-Sleep -Milliseconds 200
            Set-Content $go 'go'
            foreach ($w in $writers) {
                $w.WaitForExit(120000) | Should -BeTrue
                $w.ExitCode | Should -Be 0 -Because (Get-Content -Raw (Join-Path $Work 'w*.err'))
            }
            @(Get-Content (Join-Path $Work 'w1.out'), (Join-Path $Work 'w2.out')).Count | Should -Be 30
        }
        finally { Remove-Item Env:VAULT_ADDR, Env:VAULT_TOKEN }
        $lines = @(Get-Content $ledger)
        $lines.Count | Should -Be 30
        $parsed = @($lines | ConvertFrom-Json)
        @($parsed.lease_id | Sort-Object -Unique).Count | Should -Be 30
        @($parsed.pid | Sort-Object -Unique).Count | Should -Be 2
        @(Invoke-Step $RevokeScript @{ Ledger = $ledger } | Out-String | ConvertFrom-Json).Count | Should -Be 30
    }

    It 'keeps the ledger in the job''s temp folder by default inside <Name>, so the clean-up step needs no setting' -ForEach @(
        @{ Name = 'Azure DevOps'; Ci = @{ TF_BUILD = 'True'; AGENT_TEMPDIRECTORY = '{temp}' } }
        @{ Name = 'GitHub Actions'; Ci = @{ GITHUB_ACTIONS = 'true'; RUNNER_TEMP = '{temp}' } }
    ) {
        $temp = Join-Path $Work (New-CrdbTestName 'jobtemp')
        $null = New-Item -ItemType Directory $temp
        foreach ($k in $Ci.Keys) { Set-Item "Env:$k" $Ci[$k].Replace('{temp}', $temp) }
        try {
            $user = @(Invoke-Step $IssueScript @{ Ledger = 'default' })[-1]   # the lines before are the CI system's masking commands
            $file = Join-Path $temp 'crdbvault-leases.jsonl'
            (Get-Content $file | ConvertFrom-Json).user | Should -Be $user
            (Invoke-Step $RevokeScript @{ Ledger = 'default' } | Out-String | ConvertFrom-Json).State | Should -Be 'Revoked'
            Test-SqlUser $user | Should -BeFalse
        }
        finally { foreach ($k in $Ci.Keys) { Remove-Item "Env:$k" } }
    }
}
