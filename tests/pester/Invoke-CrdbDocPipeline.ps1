<#
.SYNOPSIS
    Runs one pipeline example of the docs (a ```yaml block) against the sandbox, as an Azure DevOps
    agent or a GitHub runner would, and prints the masked agent log.
.DESCRIPTION
    What the docs test (DocExamples.Tests.ps1) does for every pipeline, for one block, outside Pester:
    each step in a new pwsh, the system's variables, macros, logging commands, conditions and masking
    (tests/pester/DocPipelines.ps1; docs/testing.md, "Pipelines"). Uses the run's sandbox when
    CRDBVAULT_SANDBOX_INFO names one, else starts a private `serve` and stops it at the end. Exits 1
    when the pipeline failed or a registered secret stands unmasked in its log. Needs the build
    (dotnet build CrdbVault.sln).
.EXAMPLE
    ./tests/pester/Invoke-CrdbDocPipeline.ps1 -File README.md -Line 86
#>
param(
    [Parameter(Mandatory)] [string] $File,
    # The line of the ```yaml fence; without it, the file's only pipeline.
    [int] $Line
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Common.ps1')
. (Join-Path $PSScriptRoot 'DocExamples.ps1')
. (Join-Path $PSScriptRoot 'DocPipelines.ps1')

$blocks = @(Get-CrdbDocBlock -Path (Join-Path $script:CrdbRepoRoot $File) -Name $File | Where-Object Language -eq 'yaml')
if ($Line) { $blocks = @($blocks | Where-Object Line -eq $Line) }
if ($blocks.Count -ne 1) {
    $all = (Get-CrdbDocBlock -Path (Join-Path $script:CrdbRepoRoot $File) | Where-Object Language -eq 'yaml').Line -join ', '
    throw "$File has $($blocks.Count) ``````yaml blocks$(if ($Line) { " at line $Line" }): give -Line of the fence (one of: $all)."
}
$block = $blocks[0]
if ($block.Skip) { Write-Host "${File}:$($block.Line) is marked not runnable: $($block.Skip)"; return }
$pipeline = Read-CrdbDocPipeline -Yaml $block.Code
if ($pipeline.NotAPipeline) { Write-Host "${File}:$($block.Line) is $($pipeline.NotAPipeline)."; return }

$sandbox = Start-CrdbSandbox
try {
    $run = Invoke-CrdbDocPipeline -Sandbox $sandbox -Pipeline $pipeline
    Write-Host "===== ${File}:$($block.Line), $($script:CrdbDocSystemNames[$run.System]) run, each step in a new pwsh; secrets masked as the agent masks them"
    Write-Host $run.Log
    foreach ($leak in $run.Leaks) { Write-Host "LEAK: $leak" }
    $ran = @($run.Steps | Where-Object Ran).Count
    Write-Host ("===== {0}: {1} of {2} steps ran, {3}" -f $File, $ran, $run.Steps.Count, $(if ($run.Ok) { 'the job succeeded' } elseif ($run.Failed) { 'the job FAILED' } else { 'a secret LEAKED' }))
    if (-not $run.Ok) { exit 1 }
}
finally { Stop-CrdbSandbox $sandbox }
