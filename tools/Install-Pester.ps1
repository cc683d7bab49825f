#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Makes Pester 5 importable for the test suite, installing Pester 5.7.1 from NuGet when it is missing.
.DESCRIPTION
    Used by build.ps1 -Task Test and by .ci/run (through tests/pester/Invoke-CrdbPesterSuite.ps1).
    When a Pester 5 is already on PSModulePath nothing is installed. Otherwise Pester 5.7.1 is
    restored from NuGet by a throwaway project in a temporary folder OUTSIDE the repo (the repo's
    Directory.Build.props turns on central package management, which would reject the project's
    PackageDownload), into a temporary package folder, and its tools/ folder is copied to
    <repo>/.tools/modules/Pester/5.7.1 (git-ignored). Nothing goes to the user's profile.
    Why not Install-PSResource: PSResourceGet's install of Pester from a NuGet feed lays the module
    out with a lower-case folder name that PowerShell cannot import by name.
    The folder is put first on $env:PSModulePath of the calling session; the script returns it.
.EXAMPLE
    $modules = & ./tools/Install-Pester.ps1
#>
[CmdletBinding()]
param(
    [version] $Version = '5.7.1',

    # Where Pester/<version> is laid out; git-ignored by default.
    [string] $ModulesDirectory = (Join-Path (Split-Path $PSScriptRoot -Parent) '.tools' 'modules')
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Add-ModulePath([string] $Directory) {
    $parts = @($env:PSModulePath -split [IO.Path]::PathSeparator | Where-Object { $_ })
    if ($parts -notcontains $Directory) {
        $env:PSModulePath = (@($Directory) + $parts) -join [IO.Path]::PathSeparator
    }
}

# A Pester 5 that is already installed (or laid out by an earlier run) is good enough.
Add-ModulePath $ModulesDirectory
$present = Get-Module -ListAvailable -Name Pester |
    Where-Object { $_.Version -ge [version] '5.0' -and $_.Version.Major -eq 5 } |
    Sort-Object Version -Descending | Select-Object -First 1
if ($present) {
    Write-Verbose "Pester $($present.Version) found at $($present.ModuleBase)."
    return $ModulesDirectory
}

$target = Join-Path $ModulesDirectory 'Pester' $Version
$work = Join-Path ([IO.Path]::GetTempPath()) ('crdbvault-pester-' + [guid]::NewGuid().ToString('n'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
    Write-Host "Installing Pester $Version from NuGet into $target"
    $project = Join-Path $work 'PesterDownload.csproj'
    Set-Content -Path $project -Encoding utf8 -Value @"
<Project Sdk="Microsoft.NET.Sdk">
  <!-- Throwaway: only restores the Pester package; never built. -->
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$Version]" />
  </ItemGroup>
</Project>
"@
    $packages = Join-Path $work 'packages'
    $log = & dotnet restore $project --packages $packages 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet restore of Pester $Version failed (exit $LASTEXITCODE):`n$($log -join "`n")"
    }
    # NuGet lays packages out in lower case: <packages>/pester/<version>/tools holds Pester.psd1.
    $tools = Join-Path $packages 'pester' $Version.ToString() 'tools'
    if (-not (Test-Path (Join-Path $tools 'Pester.psd1'))) {
        throw "The Pester package has no tools/Pester.psd1 (looked in $tools)."
    }
    if (Test-Path $target) { Remove-Item $target -Recurse -Force }
    New-Item -ItemType Directory -Path $target -Force | Out-Null
    Copy-Item -Path (Join-Path $tools '*') -Destination $target -Recurse
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}

$installed = Get-Module -ListAvailable -Name Pester | Where-Object Version -EQ $Version
if (-not $installed) { throw "Pester $Version was copied to $target but PowerShell does not list it." }
return $ModulesDirectory
