#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, packages or demonstrates CrdbVault. A thin wrapper over the dotnet CLI.
.DESCRIPTION
    Build    dotnet build CrdbVault.sln (lays the importable module out at out/CrdbVault)
    Test     dotnet test CrdbVault.sln, then the Pester suite (tests/pester) against one shared
             sandbox (tests/pester/Invoke-CrdbPesterSuite.ps1); Pester 5.7.1 is installed into
             .tools/modules first when no Pester 5 is found (tools/Install-Pester.ps1)
    Package  ALWAYS a Release build, laid out in out/release/CrdbVault (so it never mixes with the
             Debug layout in out/CrdbVault), with LICENSE and CHANGELOG.md, copied to
             out/package/CrdbVault/<ModuleVersion>/ and zipped; ready for
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

    # For Build, Test and Demo; Package always builds Release.
    [string] $Configuration = 'Debug'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$root = $PSScriptRoot
$solution = Join-Path $root 'CrdbVault.sln'

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
            $result = & (Join-Path $root 'tests' 'pester' 'Invoke-CrdbPesterSuite.ps1') -Configuration $Configuration -Output Detailed
            if ($result.Result -ne 'Passed') {
                Write-Error "Pester: $($result.FailedCount) test(s), $($result.FailedBlocksCount) block(s) and $($result.FailedContainersCount) file(s) failed." -ErrorAction Continue
                exit 1
            }
        }
        'Package' {
            # A release is always a Release build, laid out apart from the Debug module in out/CrdbVault.
            $staging = Join-Path $root 'out' 'release' 'CrdbVault'
            if (Test-Path $staging) { Remove-Item $staging -Recurse -Force }
            # HelpGen builds the module first (project reference), then writes its MAML help beside it.
            Invoke-Dotnet build (Join-Path $root 'tools' 'CrdbVault.HelpGen' 'CrdbVault.HelpGen.csproj') -c Release "-p:ModuleOutDir=$staging$([IO.Path]::DirectorySeparatorChar)"
            $manifest = Join-Path $staging 'CrdbVault.psd1'
            $data = Import-PowerShellDataFile $manifest
            $version = $data.ModuleVersion
            foreach ($required in 'CrdbVault.dll', 'LICENSE', 'CHANGELOG.md', (Join-Path 'en-US' 'CrdbVault.dll-Help.xml')) {
                if (-not (Test-Path (Join-Path $staging $required))) { throw "The Release layout lacks $required." }
            }
            if (-not (Select-String -Path (Join-Path $staging 'CHANGELOG.md') -Pattern "^## $([regex]::Escape($version))\b" -Quiet)) {
                throw "CHANGELOG.md has no entry '## $version' for the version the manifest ships."
            }
            $target = Join-Path $root 'out' 'package' 'CrdbVault' $version
            if (Test-Path $target) { Remove-Item $target -Recurse -Force }
            New-Item -ItemType Directory -Path $target -Force | Out-Null
            Copy-Item -Path (Join-Path $staging '*') -Destination $target -Recurse
            $zip = Join-Path $root 'out' 'package' "CrdbVault.$version.zip"
            if (Test-Path $zip) { Remove-Item $zip -Force }
            Compress-Archive -Path (Join-Path $target '*') -DestinationPath $zip
            Write-Host "Packaged CrdbVault $version (Release) -> $target"
            Write-Host "                                zip -> $zip"
            Write-Host "Publish with: Publish-PSResource -Path '$target' -Repository <name>"
        }
        'Demo' {
            Invoke-Dotnet run --project (Join-Path $root 'tests' 'CrdbVault.Sandbox') -c $Configuration -- demo
        }
    }
}
exit 0
