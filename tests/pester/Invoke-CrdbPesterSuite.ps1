#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Runs the Pester suite (tests/pester) against ONE sandbox shared by every file.
.DESCRIPTION
    The one place that starts the sandbox for a Pester run; build.ps1 -Task Test and .ci/run call it.
      1. makes Pester 5 importable (tools/Install-Pester.ps1 installs 5.7.1 from NuGet when missing);
      2. starts the BUILT sandbox (tests/CrdbVault.Sandbox/bin/<Configuration>/net10.0) once and
         hands its info file to the test files through $env:CRDBVAULT_SANDBOX_INFO (Common.ps1's
         Start-CrdbSandbox reads it);
      3. runs Invoke-Pester, then stops the sandbox whatever happened.
    The module (out/CrdbVault) and the sandbox must be built first (dotnet build CrdbVault.sln).
    Returns Pester's result object. With -SummaryLine it also prints "PESTER <passed> <failed>
    <skipped>" last, where failed counts each failing test that failed on its own, plus each failed
    block (a BeforeAll/AfterAll) and each failed file ONCE, not once per test it kept from running.
.EXAMPLE
    ./tests/pester/Invoke-CrdbPesterSuite.ps1
.EXAMPLE
    ./tests/pester/Invoke-CrdbPesterSuite.ps1 -Path tests/pester/Set-CrdbCmek.Tests.ps1 -Output Detailed
#>
[CmdletBinding()]
param(
    # Test files or folders; the whole suite by default.
    [string[]] $Path = $PSScriptRoot,

    # Which build of the sandbox to start; the most recent of Debug and Release by default.
    [string] $Configuration,

    [ValidateSet('None', 'Normal', 'Detailed', 'Diagnostic')]
    [string] $Output = 'Normal',

    # Where to write NUnit XML results; none when empty.
    [string] $ResultPath,

    [switch] $SummaryLine
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path

$null = & (Join-Path $repo 'tools' 'Install-Pester.ps1')
Import-Module Pester -MinimumVersion 5.0 -MaximumVersion 5.99.99 -ErrorAction Stop
. (Join-Path $PSScriptRoot 'Common.ps1')

# The Cloud double settles changes within a second; poll it often so waits end promptly (the
# module's Cloud client reads these as its defaults). The caller's values win.
$env:CRDBVAULT_POLL_INTERVAL_MS = if ($env:CRDBVAULT_POLL_INTERVAL_MS) { $env:CRDBVAULT_POLL_INTERVAL_MS } else { '25' }
$env:CRDBVAULT_RETRY_DELAY_MS = if ($env:CRDBVAULT_RETRY_DELAY_MS) { $env:CRDBVAULT_RETRY_DELAY_MS } else { '20' }

$sandbox = Start-CrdbSandboxProcess -Configuration $Configuration
$previous = $env:CRDBVAULT_SANDBOX_INFO
try {
    $env:CRDBVAULT_SANDBOX_INFO = $sandbox.InfoFile
    $config = New-PesterConfiguration
    $config.Run.Path = $Path
    $config.Run.PassThru = $true
    $config.Output.Verbosity = $Output
    if ($ResultPath) {
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputFormat = 'NUnitXml'
        $config.TestResult.OutputPath = $ResultPath
    }
    $result = Invoke-Pester -Configuration $config
}
finally {
    $env:CRDBVAULT_SANDBOX_INFO = $previous
    Stop-CrdbSandbox $sandbox
}

if ($SummaryLine) {
    # A test that failed because its block's BeforeAll failed carries no error of its own: the block
    # (or the file, for a top-level BeforeAll) is the one failure counted.
    $ownFailures = @($result.Failed | Where-Object { $_.ErrorRecord.Count -gt 0 }).Count
    $failed = $ownFailures + $result.FailedBlocksCount + $result.FailedContainersCount
    $blocked = $result.FailedCount - $ownFailures
    if ($blocked -gt 0) { Write-Host "$blocked test(s) did not run because a BeforeAll failed (counted once per block)." }
    Write-Host ('PESTER {0} {1} {2}' -f $result.PassedCount, $failed, ($result.SkippedCount + $result.NotRunCount))
}
$result
