# Shared helpers for the Pester 5 suite (tests/pester/*.Tests.ps1). Dot-source it in BeforeAll:
#
#   BeforeAll {
#       . (Join-Path $PSScriptRoot 'Common.ps1')
#       Import-CrdbVaultModule
#       $script:Sandbox = Start-CrdbSandbox      # PostgreSQL + the Vault double, in the background
#       Connect-CrdbSandboxVault $script:Sandbox
#   }
#   AfterAll { Stop-CrdbSandbox $script:Sandbox }
#
# The sandbox is `dotnet run --project tests/CrdbVault.Sandbox -- serve --info-file <tmp>`: it writes
# {VAULT_ADDR, VAULT_TOKEN, POSTGRES_URL} to the info file once everything listens, and stops
# PostgreSQL and removes its temp dirs on SIGTERM.
Set-StrictMode -Version Latest

$script:CrdbRepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:CrdbModuleManifest = Join-Path $script:CrdbRepoRoot 'out' 'CrdbVault' 'CrdbVault.psd1'

function Import-CrdbVaultModule {
    if (-not (Test-Path $script:CrdbModuleManifest)) {
        throw "The module is not built: $script:CrdbModuleManifest is missing. Run ./build.ps1 (or dotnet build CrdbVault.sln) first."
    }
    Import-Module $script:CrdbModuleManifest -Force -ErrorAction Stop
}

function Start-CrdbSandbox {
    [CmdletBinding()]
    param([TimeSpan] $Timeout = [TimeSpan]::FromMinutes(5))

    $infoFile = Join-Path ([IO.Path]::GetTempPath()) ("crdbvault-pester-{0}.json" -f [guid]::NewGuid().ToString('n'))
    $log = "$infoFile.log"
    $project = Join-Path $script:CrdbRepoRoot 'tests' 'CrdbVault.Sandbox'
    $process = Start-Process -FilePath 'dotnet' -PassThru -NoNewWindow `
        -ArgumentList @('run', '--project', $project, '--', 'serve', '--info-file', $infoFile) `
        -RedirectStandardOutput $log -RedirectStandardError "$log.err"

    $deadline = [DateTime]::UtcNow + $Timeout
    while (-not (Test-Path $infoFile)) {
        if ($process.HasExited) {
            $why = (Get-Content -Raw -ErrorAction SilentlyContinue "$log.err") + (Get-Content -Raw -ErrorAction SilentlyContinue $log)
            throw "The sandbox exited with code $($process.ExitCode) before it was ready:`n$why"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-CrdbSandbox ([pscustomobject]@{ Process = $process; InfoFile = $infoFile; Log = $log })
            throw "The sandbox did not write $infoFile within $Timeout."
        }
        Start-Sleep -Milliseconds 200
    }

    $info = Get-Content -Raw $infoFile | ConvertFrom-Json
    $pg = [uri] $info.POSTGRES_URL
    $userInfo = $pg.UserInfo.Split(':', 2)
    [pscustomobject]@{
        Process          = $process
        InfoFile         = $infoFile
        Log              = $log
        VaultAddress     = $info.VAULT_ADDR
        VaultToken       = $info.VAULT_TOKEN
        PostgresUrl      = $info.POSTGRES_URL
        PostgresHost     = $pg.Host
        PostgresPort     = $pg.Port
        PostgresDatabase = $pg.AbsolutePath.Trim('/')
        AdminCredential  = [pscredential]::new([uri]::UnescapeDataString($userInfo[0]),
            (ConvertTo-SecureString ([uri]::UnescapeDataString($userInfo[1])) -AsPlainText -Force))
    }
}

function Stop-CrdbSandbox {
    [CmdletBinding()]
    param([Parameter(Position = 0)] $Sandbox)

    if ($null -eq $Sandbox -or $null -eq $Sandbox.Process) { return }
    $process = $Sandbox.Process
    if (-not $process.HasExited) {
        # `dotnet run` starts the sandbox as a child: ask the child to stop (SIGTERM lets it stop
        # PostgreSQL and remove its temp dirs), then the `dotnet run` parent.
        $children = @(Get-Process | Where-Object { $_.Parent -and $_.Parent.Id -eq $process.Id })
        foreach ($p in $children + $process) {
            if ($IsWindows) { Stop-Process -Id $p.Id -ErrorAction SilentlyContinue }
            else { & kill -TERM $p.Id 2>$null }
        }
        if (-not $process.WaitForExit(30000)) { $process.Kill($true) }
    }
    foreach ($f in $Sandbox.InfoFile, $Sandbox.Log, "$($Sandbox.Log).err") {
        if ($f -and (Test-Path $f)) { Remove-Item $f -Force }
    }
}

function Connect-CrdbSandboxVault {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    Connect-CrdbVault -Address $Sandbox.VaultAddress -Token (ConvertTo-SecureString $Sandbox.VaultToken -AsPlainText -Force)
}

# The sandbox PostgreSQL as Vault reaches it (no TLS on the throwaway server).
function Get-CrdbSandboxConnectionUrl {
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    "postgresql://$($Sandbox.PostgresHost):$($Sandbox.PostgresPort)/$($Sandbox.PostgresDatabase)?sslmode=disable"
}

# Sets up database/config/<ConnectionName> and database/roles/<Role> on the sandbox; returns the role.
function Initialize-CrdbSandboxRole {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Sandbox,
        [string] $ConnectionName = 'pg',
        [string] $Role = 'app',
        [string[]] $Grant = @("CONNECT ON DATABASE $($Sandbox.PostgresDatabase)"),
        [object] $DefaultTtl = '1h',
        [string] $MountPath = 'database'
    )
    $null = Initialize-CrdbVaultDatabase -Name $ConnectionName -ConnectionUrl (Get-CrdbSandboxConnectionUrl $Sandbox) `
        -Credential $Sandbox.AdminCredential -MountPath $MountPath -WarningAction SilentlyContinue
    Set-CrdbVaultRole -Name $Role -ConnectionName $ConnectionName -Grant $Grant -DefaultTtl $DefaultTtl -MaxTtl '24h' -MountPath $MountPath -WarningAction SilentlyContinue
}

# Splat for Test-CrdbConnection / Get-CrdbConnectionString against the sandbox PostgreSQL.
function Get-CrdbSandboxSqlTarget {
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    @{ Server = $Sandbox.PostgresHost; Port = $Sandbox.PostgresPort; Database = $Sandbox.PostgresDatabase; SslMode = 'disable' }
}

# Runs a user-level scenario from tests/scenarios with the variables the xunit runner gives it.
function Invoke-CrdbScenario {
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [Parameter(Mandatory)] $Sandbox)
    $path = Join-Path $script:CrdbRepoRoot 'tests' 'scenarios' "$Name.ps1"
    $VaultAddress = $Sandbox.VaultAddress
    $VaultToken = $Sandbox.VaultToken
    $PostgresUrl = $Sandbox.PostgresUrl
    . $path
}

# Checks that every cmdlet in the file's scope is exported, has real help (not just the generated
# syntax line) and declares [OutputType]; used by every *.Tests.ps1.
function Get-CrdbCommandFacts {
    param([Parameter(Mandatory, Position = 0)] [string] $Name)
    $command = Get-Command -Module CrdbVault -Name $Name -CommandType Cmdlet -ErrorAction SilentlyContinue
    $help = if ($command) { Get-Help $Name -ErrorAction SilentlyContinue } else { $null }
    [pscustomobject]@{
        Command    = $command
        Synopsis   = if ($help) { "$($help.Synopsis)".Trim() } else { '' }
        OutputType = if ($command) { @($command.OutputType | ForEach-Object Name) } else { @() }
    }
}
