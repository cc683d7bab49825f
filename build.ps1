#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, packages or demonstrates CrdbVault. A thin wrapper over the dotnet CLI.
.DESCRIPTION
    Build    dotnet build CrdbVault.sln (lays the importable module out at out/CrdbVault)
    Test     dotnet test CrdbVault.sln, then the Pester suite (tests/pester) when Pester 5 is installed
    Package  out/CrdbVault -> out/package/CrdbVault/<ModuleVersion>/ and a .zip of it, ready for
             Publish-PSResource -Path out/package/CrdbVault/<ModuleVersion>
    Demo     dotnet run --project tests/CrdbVault.Sandbox -- demo (the sandbox and the module's demo)
    Tasks run in the order given; the script stops at the first failure and exits with its code.
.EXAMPLE
    ./build.ps1 -Task Build, Test -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string[]] $Task = 'Build',

    [string] $Configuration = 'Debug'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$solution = Join-Path $root 'CrdbVault.sln'
$moduleDir = Join-Path $root 'out' 'CrdbVault'

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    Write-Host "> dotnet $($Arguments -join ' ')"
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) {
        Write-Error "dotnet $($Arguments[0]) failed with exit code $LASTEXITCODE." -ErrorAction Continue
        exit $LASTEXITCODE
    }
}

foreach ($t in $Task) {
    switch ($t) {
        'Build' {
            Invoke-Dotnet build $solution -c $Configuration
        }
        'Test' {
            Invoke-Dotnet test $solution -c $Configuration
            $pester = Get-Module -ListAvailable Pester | Where-Object Version -GE ([version] '5.0') | Sort-Object Version -Descending | Select-Object -First 1
            if ($pester) {
                Import-Module $pester
                $config = New-PesterConfiguration
                $config.Run.Path = Join-Path $root 'tests' 'pester'
                $config.Run.PassThru = $true
                $config.Output.Verbosity = 'Detailed'
                $result = Invoke-Pester -Configuration $config
                if ($result.Result -ne 'Passed') {
                    Write-Error "Pester: $($result.FailedCount) test(s) failed." -ErrorAction Continue
                    exit 1
                }
            }
            else {
                Write-Warning 'Pester 5 is not installed: skipping tests/pester (Install-PSResource Pester).'
            }
        }
        'Package' {
            $manifest = Join-Path $moduleDir 'CrdbVault.psd1'
            if (-not (Test-Path $manifest)) { Invoke-Dotnet build $solution -c $Configuration }
            $version = (Import-PowerShellDataFile $manifest).ModuleVersion
            $target = Join-Path $root 'out' 'package' 'CrdbVault' $version
            if (Test-Path $target) { Remove-Item $target -Recurse -Force }
            New-Item -ItemType Directory -Path $target -Force | Out-Null
            Copy-Item -Path (Join-Path $moduleDir '*') -Destination $target -Recurse
            $zip = Join-Path $root 'out' 'package' "CrdbVault.$version.zip"
            if (Test-Path $zip) { Remove-Item $zip -Force }
            Compress-Archive -Path (Join-Path $target '*') -DestinationPath $zip
            Write-Host "Packaged CrdbVault $version -> $target"
            Write-Host "                      zip -> $zip"
            Write-Host "Publish with: Publish-PSResource -Path '$target' -Repository <name>"
        }
        'Demo' {
            Invoke-Dotnet run --project (Join-Path $root 'tests' 'CrdbVault.Sandbox') -c $Configuration -- demo
        }
    }
}
exit 0
