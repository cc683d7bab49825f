#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# A release that installs: build.ps1 -Task Package makes the package (always Release); a child pwsh
# whose HOME and XDG_* point at a temp dir (registering a repository writes into the profile)
# publishes it to a local PSResourceGet file repository and installs it with Save-PSResource into a
# fresh module folder; then a new pwsh with ONLY that folder on PSModulePath imports CrdbVault by
# name, lists its commands, reads every cmdlet's help and makes one real round trip to the sandbox.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Sandbox = Start-CrdbSandbox
    $script:Pwsh = Get-CrdbPwshCommand
    $script:Work = New-CrdbPrivateDirectory
    $script:Modules = (New-Item -ItemType Directory (Join-Path $Work 'modules')).FullName

    # Runs a script in a child pwsh with extra environment variables; returns its output and exit code.
    function Invoke-ChildPwsh([string] $Script, [hashtable] $Environment = @{}) {
        $saved = @{}
        foreach ($name in $Environment.Keys) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $Environment[$name])
        }
        Push-Location $Work   # whatever a child writes relative to its directory stays in the temp dir
        try {
            $output = & $Pwsh[0] @($Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $Script 2>&1 | ForEach-Object { "$_" }
            [pscustomobject]@{ Output = $output -join "`n"; ExitCode = $LASTEXITCODE }
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }

    $script:Manifest = Import-PowerShellDataFile (Join-Path $script:CrdbRepoRoot 'CrdbVault.psd1')
    $script:Version = $Manifest.ModuleVersion
    $script:Build = Invoke-ChildPwsh "& '$(Join-Path $script:CrdbRepoRoot 'build.ps1')' -Task Package"
    $script:Package = Join-Path $script:CrdbRepoRoot 'out' 'package' 'CrdbVault' $Version

    # The profile of the publishing user, in the temp dir.
    $home_ = (New-Item -ItemType Directory (Join-Path $Work 'home')).FullName
    $script:TempProfile = @{
        HOME = $home_; XDG_CONFIG_HOME = Join-Path $home_ '.config'; XDG_DATA_HOME = Join-Path $home_ '.local/share'
        XDG_CACHE_HOME = Join-Path $home_ '.cache'; XDG_STATE_HOME = Join-Path $home_ '.local/state'
    }
    # They must exist: .NET answers "" for a special folder that does not, and PSResourceGet then
    # writes its repository list relative to the current directory.
    foreach ($dir in $TempProfile.Values) { $null = New-Item -ItemType Directory -Path $dir -Force }
    $repository = (New-Item -ItemType Directory (Join-Path $Work 'repository')).FullName
    $script:Install = Invoke-ChildPwsh -Environment $TempProfile @"
`$ErrorActionPreference = 'Stop'
Import-Module Microsoft.PowerShell.PSResourceGet
Register-PSResourceRepository -Name CrdbVaultLocal -Uri '$repository' -Trusted
Publish-PSResource -Path '$Package' -Repository CrdbVaultLocal
Save-PSResource -Name CrdbVault -Version '$Version' -Repository CrdbVaultLocal -Path '$Modules' -TrustRepository -SkipDependencyCheck
'installed'
"@
    $script:Repository = $repository
}
AfterAll {
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Package' {
    It 'build.ps1 -Task Package builds Release and lays out the module with LICENSE and CHANGELOG.md' {
        $Build.ExitCode | Should -Be 0 -Because $Build.Output
        $Build.Output | Should -Match '-c Release'
        foreach ($file in 'CrdbVault.dll', 'CrdbVault.psd1', 'CrdbVault.format.ps1xml', 'CrdbVault.types.ps1xml', 'LICENSE', 'CHANGELOG.md', 'en-US/CrdbVault.dll-Help.xml', 'dependencies/CrdbVault.Core.dll') {
            Join-Path $Package $file | Should -Exist
        }
        # A Release build: the packaged assembly is the one in bin/Release.
        $release = Join-Path $script:CrdbRepoRoot 'src' 'CrdbVault' 'bin' 'Release' 'net8.0' 'CrdbVault.dll'
        (Get-FileHash (Join-Path $Package 'CrdbVault.dll')).Hash | Should -Be (Get-FileHash $release).Hash
        (Get-Content (Join-Path $Package 'LICENSE') -Raw) | Should -Match 'Apache License\s+Version 2\.0'
        (Get-Content (Join-Path $Package 'CHANGELOG.md') -Raw) | Should -Match "(?m)^## $([regex]::Escape($Version))\s*$"
        Join-Path $script:CrdbRepoRoot 'out' 'package' "CrdbVault.$Version.zip" | Should -Exist
    }

    It 'publishes to a local PSResourceGet repository and installs with Save-PSResource, leaving the real profile alone' {
        $Install.ExitCode | Should -Be 0 -Because $Install.Output
        $Install.Output | Should -Match 'installed'
        Get-ChildItem $Repository -Filter "crdbvault.$Version.nupkg" | Should -Not -BeNullOrEmpty
        Join-Path $Modules 'CrdbVault' $Version 'CrdbVault.psd1' | Should -Exist
        Join-Path $Modules 'CrdbVault' $Version 'LICENSE' | Should -Exist
        # Registration went to the temp profile, not the user's.
        Join-Path $TempProfile.XDG_DATA_HOME 'PSResourceGet' 'PSResourceRepository.xml' | Should -FileContentMatch 'CrdbVaultLocal'
        $real = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet' 'PSResourceRepository.xml'
        if (Test-Path $real) { $real | Should -Not -FileContentMatch 'CrdbVaultLocal' }
    }

    It 'imports by name from only that folder, lists every cmdlet, has help for each, and makes a real round trip' {
        $check = @'
$ErrorActionPreference = 'Stop'
$env:PSModulePath = $env:CRDBVAULT_TEST_MODULES
Import-Module CrdbVault
$m = Get-Module CrdbVault
"base=$($m.ModuleBase)"
"version=$($m.Version)"
$commands = Get-Command -Module CrdbVault
"commands=$($commands.Count)"
foreach ($c in $commands) {
    $h = Get-Help $c.Name -Full
    if (-not $h.Synopsis -or $h.Synopsis.Trim() -like "$($c.Name)*" -or -not $h.examples) { throw "no real help for $($c.Name)" }
}
'help=ok'
$info = Get-Content -Raw $env:CRDBVAULT_SANDBOX_INFO | ConvertFrom-Json
$pg = [uri] $info.POSTGRES_URL
$user, $password = $pg.UserInfo.Split(':', 2) | ForEach-Object { [uri]::UnescapeDataString($_) }
$ca = [System.Web.HttpUtility]::ParseQueryString($pg.Query)['sslrootcert']   # the server's CA: TLS verify-full
$null = Connect-CrdbVault -Address $info.VAULT_ADDR -Token ([System.Net.NetworkCredential]::new('', $info.VAULT_TOKEN).SecurePassword)
$admin = [pscredential]::new($user, [System.Net.NetworkCredential]::new('', $password).SecurePassword)
$mount = 'pkg_' + [guid]::NewGuid().ToString('n').Substring(0, 8)
$null = Initialize-CrdbVaultDatabase -Name pg -MountPath $mount -ConnectionUrl "postgresql://$($pg.Host):$($pg.Port)/postgres?sslmode=verify-full&sslrootcert=$ca" -Credential $admin -WarningAction SilentlyContinue
$null = Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $mount -Grant 'CONNECT ON DATABASE postgres' -WarningAction SilentlyContinue
$cred = New-CrdbDynamicCredential -Role app -MountPath $mount
$login = $cred | Test-CrdbConnection -Server $pg.Host -Port $pg.Port -Database postgres -RootCertificate $ca
"login=$($login.UserName -eq $cred.UserName)"
$cred | Revoke-CrdbLease -Sync
'@
        $info = [Environment]::GetEnvironmentVariable('CRDBVAULT_SANDBOX_INFO')
        if (-not $info) { $info = $Sandbox.InfoFile }
        $r = Invoke-ChildPwsh $check -Environment @{ CRDBVAULT_TEST_MODULES = $Modules; CRDBVAULT_SANDBOX_INFO = $info }
        $r.ExitCode | Should -Be 0 -Because $r.Output
        $r.Output | Should -Match ([regex]::Escape("base=$(Join-Path $Modules 'CrdbVault' $Version)"))
        $r.Output | Should -Match "version=$([regex]::Escape($Version))"
        $r.Output | Should -Match "commands=$($Manifest.CmdletsToExport.Count)\b"
        $r.Output | Should -Match 'help=ok'
        $r.Output | Should -Match 'login=True'
    }
}
