#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Initialize-CrdbSandboxRole $Sandbox -Role app

    # Runs a script in a child pwsh with only the given CI variables set and returns its standard
    # output, line by line: exactly what an Azure DevOps agent or a GitHub runner reads.
    function Invoke-CiPwsh([hashtable] $Environment, [string] $Script) {
        $names = @('TF_BUILD', 'GITHUB_ACTIONS', 'GITHUB_ENV', 'GITHUB_OUTPUT', 'CRDBVAULT_CI_MASKING') + @($Environment.Keys)
        $saved = @{}
        foreach ($n in $names) { $saved[$n] = [Environment]::GetEnvironmentVariable($n); [Environment]::SetEnvironmentVariable($n, $null) }
        foreach ($k in $Environment.Keys) { [Environment]::SetEnvironmentVariable($k, $Environment[$k]) }
        $file = Join-Path ([IO.Path]::GetTempPath()) "crdbvault-ci-$([guid]::NewGuid().ToString('n')).ps1"
        Set-Content -Path $file -Value @"
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$($script:CrdbModuleManifest)'
$Script
"@
        # This very pwsh ($PSHOME; the process itself may be dotnet when pwsh is a .NET tool).
        $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
        try { @(& $pwsh -NoProfile -NonInteractive -File $file) }
        finally {
            Remove-Item $file
            foreach ($n in $names) { [Environment]::SetEnvironmentVariable($n, $saved[$n]) }
        }
    }

    $script:Variables = @'
$secret = [System.Net.NetworkCredential]::new('', 'S3cr%t-value').SecurePassword
Set-CrdbPipelineVariable -Name PLAIN -Value '50% done'
Set-CrdbPipelineVariable -Name MULTI -Value "l1`r`nl2"
Set-CrdbPipelineVariable -Name DB_PASSWORD -Value $secret
Set-CrdbPipelineVariable -Name TOKEN -Value 'plain-but-secret' -Secret -IsOutput -WarningAction SilentlyContinue
Set-CrdbPipelineVariable -Name SKIPPED -Value 'whatif-value' -WhatIf
$o = Set-CrdbPipelineVariable -Name QUIET -Value 'q'
Write-Host "OUTPUT-OBJECTS $(@($o).Count)"
'@
}
AfterAll {
    Revoke-CrdbLease -Prefix 'database/creds/app' -Sync -ErrorAction SilentlyContinue
    Disconnect-CrdbVault
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Set-CrdbPipelineVariable' {
    It 'is exported with help' {
        $facts = Get-CrdbCommandFacts 'Set-CrdbPipelineVariable'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Set-CrdbPipelineVariable(\s|$)'
    }

    It 'writes escaped setvariable lines to standard output in Azure DevOps' {
        $lines = Invoke-CiPwsh @{ TF_BUILD = 'True' } $Variables
        $lines | Where-Object { $_ -like '##vso*' } | Should -Be @(
            '##vso[task.setvariable variable=PLAIN;issecret=false;isoutput=false]50%AZP25 done'
            '##vso[task.setvariable variable=MULTI;issecret=false;isoutput=false]l1%0D%0Al2'
            '##vso[task.setvariable variable=DB_PASSWORD;issecret=true;isoutput=false]S3cr%AZP25t-value'
            '##vso[task.setvariable variable=TOKEN;issecret=true;isoutput=true]plain-but-secret'
            '##vso[task.setvariable variable=QUIET;issecret=false;isoutput=false]q'
        )
        $lines | Should -Contain 'OUTPUT-OBJECTS 0'
        ($lines -join "`n") | Should -Not -Match 'whatif-value'
    }

    It 'masks secrets and appends heredoc entries to GITHUB_ENV and GITHUB_OUTPUT in GitHub Actions' {
        $envFile = Join-Path $TestDrive 'github_env'; $outFile = Join-Path $TestDrive 'github_output'
        $lines = Invoke-CiPwsh @{ GITHUB_ACTIONS = 'true'; GITHUB_ENV = $envFile; GITHUB_OUTPUT = $outFile } $Variables
        $lines | Where-Object { $_ -like '::*' } | Should -Be @('::add-mask::S3cr%25t-value', '::add-mask::plain-but-secret')
        $content = Get-Content -Raw $envFile
        $entries = [regex]::Matches($content, '(?m)^(\w+)<<(ghadelimiter_[0-9a-f]{32})\r?\n([\s\S]*?)\r?\n\2\r?$')
        $entries | ForEach-Object { $_.Groups[1].Value } | Should -Be @('PLAIN', 'MULTI', 'DB_PASSWORD', 'QUIET')
        $entries | ForEach-Object { $_.Groups[3].Value } | Should -Be @('50% done', "l1`r`nl2", 'S3cr%t-value', 'q')
        $content | Should -Not -Match 'whatif-value'
        (Get-Content -Raw $outFile) | Should -Match '^TOKEN<<(ghadelimiter_[0-9a-f]{32})\r?\nplain-but-secret\r?\n\1\r?\n$'
    }

    It 'refuses a multi-line secret with the -CertsDir alternative, writing nothing' {
        $lines = Invoke-CiPwsh @{ TF_BUILD = 'True' } @'
try { Set-CrdbPipelineVariable -Name KEY -Value "-----BEGIN PRIVATE KEY-----`nMIIEvQ`n-----END PRIVATE KEY-----" -Secret }
catch { Write-Host "$($_.FullyQualifiedErrorId) | $($_.Exception.Message)" }
'@
        $text = $lines -join "`n"
        $text | Should -Match '^InvalidPipelineVariable,'
        $text | Should -Match 'line by line'
        $text | Should -Match '-CertsDir \(Join-Path \$env:AGENT_TEMPDIRECTORY'
        $text | Should -Not -Match 'MIIEvQ|##vso'
    }

    It 'outside Azure DevOps and GitHub Actions is an error and writes nothing' {
        $envFile = Join-Path $TestDrive 'untouched_env'
        $lines = Invoke-CiPwsh @{ GITHUB_ENV = $envFile } @'
try { Set-CrdbPipelineVariable -Name X -Value 'outside-value' } catch { Write-Host $_.FullyQualifiedErrorId }
'@
        $lines | Should -Contain 'NotInPipeline,CrdbVault.Commands.SetCrdbPipelineVariableCommand'
        $envFile | Should -Not -Exist
        ($lines -join "`n") | Should -Not -Match 'outside-value'
    }

    It 'in this very session, outside a pipeline: NotInPipeline, and -WhatIf there writes nothing either' {
        $saved = $env:TF_BUILD, $env:GITHUB_ACTIONS
        try {
            $env:TF_BUILD = $null; $env:GITHUB_ACTIONS = $null
            { Set-CrdbPipelineVariable -Name HERE -Value 'in-process' } | Should -Throw -ErrorId 'NotInPipeline,*'
            $env:TF_BUILD = 'True'
            Set-CrdbPipelineVariable -Name HERE -Value 'in-process' -WhatIf | Should -BeNullOrEmpty
        }
        finally { $env:TF_BUILD, $env:GITHUB_ACTIONS = $saved }
    }

    It 'never puts a logging command or a value in a transcript' {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        $lines = Invoke-CiPwsh @{ TF_BUILD = 'True'; T_TRANSCRIPT = $transcript } ("Start-Transcript -Path `$env:T_TRANSCRIPT | Out-Null`n" + $Variables + "`nStop-Transcript | Out-Null")
        ($lines | Where-Object { $_ -like '##vso*' }).Count | Should -Be 5
        $text = Get-Content -Raw $transcript
        $text | Should -Match 'OUTPUT-OBJECTS 0'
        $text | Should -Not -Match '##vso|S3cr|plain-but-secret|50% done'
    }

    It 'has a dynamic credential registered for masking before it is returned' {
        $lines = Invoke-CiPwsh @{ TF_BUILD = 'True'; T_VAULT_ADDR = $Sandbox.VaultAddress; T_VAULT_TOKEN = $Sandbox.VaultToken } @'
Connect-CrdbVault -Address $env:T_VAULT_ADDR -Token ([System.Net.NetworkCredential]::new('', $env:T_VAULT_TOKEN).SecurePassword) | Out-Null
$c = New-CrdbDynamicCredential -Role app
Write-Host "STRAY $($c.Credential.GetNetworkCredential().Password)"
$env:CRDBVAULT_CI_MASKING = 'off'
$d = New-CrdbDynamicCredential -Role app
Write-Host "UNMASKED $($d.Credential.GetNetworkCredential().Password)"
'@
        $stray = [array]::FindIndex([string[]] $lines, [Predicate[string]] { param($l) $l -like 'STRAY *' })
        $password = $lines[$stray].Substring(6)
        $mask = [array]::IndexOf([string[]] $lines, "##vso[task.setsecret]$password")
        $mask | Should -BeGreaterOrEqual 0
        $mask | Should -BeLessThan $stray
        $unmasked = ($lines | Where-Object { $_ -like 'UNMASKED *' }).Substring(9)
        $lines | Should -Not -Contain "##vso[task.setsecret]$unmasked"
    }
}
