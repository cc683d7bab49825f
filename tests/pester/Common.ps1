# Shared helpers for the Pester 5 suite (tests/pester/*.Tests.ps1). Dot-source it in BeforeAll:
#
#   BeforeAll {
#       . (Join-Path $PSScriptRoot 'Common.ps1')
#       Import-CrdbVaultModule
#       $script:Sandbox = Start-CrdbSandbox      # the run's shared sandbox (or a private one, standalone)
#       Connect-CrdbSandboxVault $script:Sandbox
#   }
#   AfterAll { Stop-CrdbSandbox $script:Sandbox }  # stops it only when this file started it
#
# ONE sandbox per Pester run: tests/pester/Invoke-CrdbPesterSuite.ps1 starts it once from the BUILT
# assembly (tests/CrdbVault.Sandbox/bin/<configuration>/net10.0/CrdbVault.Sandbox.dll, `serve
# --info-file <tmp>`), hands the info file to every file through $env:CRDBVAULT_SANDBOX_INFO and
# stops it at the end. A file run on its own (Invoke-Pester tests/pester/X.Tests.ps1) finds no such
# variable and starts a private sandbox the same way, which its AfterAll stops. `serve` writes
# {VAULT_ADDR, VAULT_TOKEN, COCKROACH_SERVER, COCKROACH_API_KEY, POSTGRES_URL, ...} (README.md lists every key) to the info file
# once everything listens, and stops PostgreSQL and removes its temp dirs on SIGTERM.
Set-StrictMode -Version Latest

$script:CrdbRepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$script:CrdbModuleManifest = Join-Path $script:CrdbRepoRoot 'out' 'CrdbVault' 'CrdbVault.psd1'
$script:CrdbSandboxInfoVariable = 'CRDBVAULT_SANDBOX_INFO'

function Import-CrdbVaultModule {
    if (-not (Test-Path $script:CrdbModuleManifest)) {
        throw "The module is not built: $script:CrdbModuleManifest is missing. Run ./build.ps1 (or dotnet build CrdbVault.sln) first."
    }
    Import-Module $script:CrdbModuleManifest -Force -ErrorAction Stop
}

# The built sandbox: tests/CrdbVault.Sandbox/bin/<Configuration>/net10.0/CrdbVault.Sandbox.dll. Without
# -Configuration, the most recently built of Debug and Release.
function Get-CrdbSandboxAssembly {
    param([string] $Configuration)
    $bin = Join-Path $script:CrdbRepoRoot 'tests' 'CrdbVault.Sandbox' 'bin'
    $configurations = if ($Configuration) { @($Configuration) } else { 'Debug', 'Release' }
    $found = foreach ($c in $configurations) {
        $dll = Join-Path $bin $c 'net10.0' 'CrdbVault.Sandbox.dll'
        if (Test-Path $dll) { Get-Item $dll }
    }
    $newest = $found | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1
    if (-not $newest) {
        throw "The sandbox is not built (looked for $(Join-Path $bin ($configurations -join '|') 'net10.0' 'CrdbVault.Sandbox.dll')). Run dotnet build CrdbVault.sln first."
    }
    $newest.FullName
}

# Starts `CrdbVault.Sandbox.dll serve` in the background and waits for its info file. Used once per
# run by Invoke-CrdbPesterSuite.ps1, and by Start-CrdbSandbox when a file runs on its own.
function Start-CrdbSandboxProcess {
    [CmdletBinding()]
    param([string] $Configuration, [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(3))

    $assembly = Get-CrdbSandboxAssembly $Configuration
    $infoFile = Join-Path ([IO.Path]::GetTempPath()) ("crdbvault-pester-{0}.json" -f [guid]::NewGuid().ToString('n'))
    $log = "$infoFile.log"
    $process = Start-Process -FilePath 'dotnet' -PassThru -NoNewWindow `
        -ArgumentList @($assembly, 'serve', '--info-file', $infoFile) `
        -RedirectStandardOutput $log -RedirectStandardError "$log.err"
    $sandbox = [pscustomobject]@{ Process = $process; InfoFile = $infoFile; Log = $log; Owned = $true }

    $deadline = [DateTime]::UtcNow + $Timeout
    while (-not (Test-Path $infoFile)) {
        if ($process.HasExited) {
            $why = (Get-Content -Raw -ErrorAction SilentlyContinue "$log.err") + (Get-Content -Raw -ErrorAction SilentlyContinue $log)
            Stop-CrdbSandbox $sandbox
            throw "The sandbox exited with code $($process.ExitCode) before it was ready:`n$why"
        }
        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-CrdbSandbox $sandbox
            throw "The sandbox did not write $infoFile within $Timeout."
        }
        Start-Sleep -Milliseconds 100
    }
    Read-CrdbSandboxInfo $infoFile -Process $process -Log $log -Owned $true
}

# The run's shared sandbox when Invoke-CrdbPesterSuite.ps1 started one; otherwise a private one.
function Start-CrdbSandbox {
    [CmdletBinding()]
    param([TimeSpan] $Timeout = [TimeSpan]::FromMinutes(3))

    $shared = [Environment]::GetEnvironmentVariable($script:CrdbSandboxInfoVariable)
    if ($shared) {
        if (-not (Test-Path $shared)) { throw "$($script:CrdbSandboxInfoVariable) names $shared, which does not exist: is the run's sandbox still up?" }
        return Read-CrdbSandboxInfo $shared -Owned $false
    }
    Start-CrdbSandboxProcess -Timeout $Timeout
}

function Read-CrdbSandboxInfo {
    param([Parameter(Mandatory, Position = 0)] [string] $InfoFile, $Process, [string] $Log, [bool] $Owned)
    $info = Get-Content -Raw $InfoFile | ConvertFrom-Json
    $pg = [uri] $info.POSTGRES_URL
    $userInfo = $pg.UserInfo.Split(':', 2)
    # The server speaks TLS only; clients verify it against this CA (sslmode=verify-full&sslrootcert=...).
    $query = [System.Web.HttpUtility]::ParseQueryString($pg.Query)
    [pscustomobject]@{
        Process          = $Process
        Owned            = $Owned
        InfoFile         = $InfoFile
        Log              = $Log
        VaultAddress     = $info.VAULT_ADDR
        VaultToken       = $info.VAULT_TOKEN
        CloudServer      = $info.COCKROACH_SERVER
        CloudApiKey      = $info.COCKROACH_API_KEY
        CloudClusterId   = $info.COCKROACH_CLUSTER_ID
        PostgresUrl      = $info.POSTGRES_URL
        PostgresHost     = $pg.Host
        PostgresPort     = $pg.Port
        PostgresDatabase = $pg.AbsolutePath.Trim('/')
        PostgresCaCertificate = $query['sslrootcert']
        RoleId           = $info.VAULT_ROLE_ID
        SecretId         = $info.VAULT_SECRET_ID
        Info             = $info   # every key, e.g. for the docs test's mapping ({SYSTEM_OIDCREQUESTURI})
        # What a secretless job would have in its environment, and the Vault side serve prepared for it.
        Job              = @{
            SYSTEM_OIDCREQUESTURI          = $info.SYSTEM_OIDCREQUESTURI
            SYSTEM_ACCESSTOKEN             = $info.SYSTEM_ACCESSTOKEN
            ACTIONS_ID_TOKEN_REQUEST_URL   = $info.ACTIONS_ID_TOKEN_REQUEST_URL
            ACTIONS_ID_TOKEN_REQUEST_TOKEN = $info.ACTIONS_ID_TOKEN_REQUEST_TOKEN
            IDENTITY_ENDPOINT              = $info.IDENTITY_ENDPOINT
            IDENTITY_HEADER                = $info.IDENTITY_HEADER
            CRDBVAULT_IMDS_ENDPOINT        = $info.CRDBVAULT_IMDS_ENDPOINT
        }
        Secretless       = $info.SECRETLESS_LOGINS
        AdminCredential  = [pscredential]::new([uri]::UnescapeDataString($userInfo[0]),
            (ConvertTo-SecureString ([uri]::UnescapeDataString($userInfo[1])) -AsPlainText -Force))
    }
}

# Stops a sandbox this caller started (SIGTERM, so PostgreSQL stops cleanly and temp dirs go); the
# run's shared sandbox is left to the runner that started it.
function Stop-CrdbSandbox {
    [CmdletBinding()]
    param([Parameter(Position = 0)] $Sandbox)

    if ($null -eq $Sandbox -or -not $Sandbox.Owned -or $null -eq $Sandbox.Process) { return }
    $process = $Sandbox.Process
    if (-not $process.HasExited) {
        if ($IsWindows) { Stop-Process -Id $process.Id -ErrorAction SilentlyContinue }
        else { & kill -TERM $process.Id 2>$null }
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

# The sandbox PostgreSQL as Vault reaches it: TLS verify-full against the sandbox's CA (the server
# has no plaintext entry, like a secure CockroachDB cluster).
function Get-CrdbSandboxConnectionUrl {
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    "postgresql://$($Sandbox.PostgresHost):$($Sandbox.PostgresPort)/$($Sandbox.PostgresDatabase)?sslmode=verify-full&sslrootcert=$($Sandbox.PostgresCaCertificate)"
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

# The static-role files' set-up: the run shares one sandbox, so a file's connection and static roles
# live on a database mount of its own. Connects, writes connection 'pg' on a new mount and points
# the static-role cmdlets at it through $PSDefaultParameterValues; returns the mount.
# Remove-CrdbStaticRoleMount undoes the defaults and disconnects.
$script:StaticRoleMountDefaults = 'Initialize-CrdbVaultDatabase:MountPath', '*-CrdbVaultStaticRole:MountPath', '*-CrdbStaticCredential:MountPath'
function New-CrdbStaticRoleMount {
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    $null = Connect-CrdbSandboxVault $Sandbox
    $mount = New-CrdbTestName 'staticdb'
    foreach ($k in $script:StaticRoleMountDefaults) { $PSDefaultParameterValues[$k] = $mount }
    $null = Initialize-CrdbVaultDatabase -Name pg -ConnectionUrl (Get-CrdbSandboxConnectionUrl $Sandbox) -Credential $Sandbox.AdminCredential `
        -WarningAction SilentlyContinue
    $mount
}

function Remove-CrdbStaticRoleMount {
    foreach ($k in $script:StaticRoleMountDefaults) { $PSDefaultParameterValues.Remove($k) }
    Disconnect-CrdbVault
}

# An existing SQL user that logs in with a password, as a static role starts from; returns its
# credential (the password a DBA set).
function New-CrdbSandboxLoginUser {
    param([Parameter(Mandatory, Position = 0)] $Sandbox, [Parameter(Mandatory, Position = 1)] [string] $Name)
    $password = [guid]::NewGuid().ToString('n')
    & (Get-CrdbPostgresTool psql) $Sandbox.PostgresUrl -v ON_ERROR_STOP=1 -q -c "CREATE ROLE $Name LOGIN PASSWORD '$password'"
    if ($LASTEXITCODE) { throw "psql could not create $Name" }
    [pscredential]::new($Name, (ConvertTo-SecureString $password -AsPlainText -Force))
}

# Splat for Test-CrdbConnection / Get-CrdbConnectionString against the sandbox PostgreSQL.
function Get-CrdbSandboxSqlTarget {
    param([Parameter(Mandatory, Position = 0)] $Sandbox)
    @{ Server = $Sandbox.PostgresHost; Port = $Sandbox.PostgresPort; Database = $Sandbox.PostgresDatabase; RootCertificate = $Sandbox.PostgresCaCertificate }
}

# Connects to the sandbox's Cloud API double, as Example 2 of Connect-CrdbCloud does in a pipeline:
# the address and key from COCKROACH_SERVER and COCKROACH_API_KEY.
function Connect-CrdbSandboxCloud {
    [CmdletBinding()]
    param([Parameter(Mandatory, Position = 0)] $Sandbox, [switch] $NoDefault)
    Connect-CrdbCloud -ServerUrl $Sandbox.CloudServer -ApiKey (ConvertTo-SecureString $Sandbox.CloudApiKey -AsPlainText -Force) -NoDefault:$NoDefault
}

# A fresh cluster on the Cloud double (the sandbox's /sandbox/clusters control endpoint), so a test
# owns its cluster's client CA and CMEK state. Returns the cluster id.
function New-CrdbSandboxCluster {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Sandbox,
        [string[]] $Region = @('us-east-1', 'us-west-2', 'eu-west-1'),
        [ValidateSet('AWS', 'GCP', 'AZURE')] [string] $CloudProvider = 'AWS',
        [ValidateSet('ADVANCED', 'STANDARD', 'BASIC')] [string] $Plan = 'ADVANCED'
    )
    $body = @{ name = 'pester-' + [guid]::NewGuid().ToString('n').Substring(0, 8); cloud_provider = $CloudProvider; plan = $Plan; regions = @($Region) } | ConvertTo-Json
    $cluster = Invoke-RestMethod -Method Post -Uri ($Sandbox.CloudServer.TrimEnd('/') + '/sandbox/clusters') -Body $body -ContentType 'application/json' `
        -Headers @{ Authorization = "Bearer $($Sandbox.CloudApiKey)" }
    $cluster.id
}

# Makes the Cloud double fail the next client-CA change (-Kind client-ca) or CMEK operation in a region.
function Set-CrdbSandboxCloudFailure {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] $Sandbox,
        [Parameter(Mandatory)] [string] $ClusterId,
        [ValidateSet('client-ca', 'cmek')] [string] $Kind = 'client-ca',
        [ValidateSet('Enable', 'Rotate', 'Revoke')] [string] $Operation = 'Enable',
        [string] $Region,
        [string] $Message = 'injected failure'
    )
    $body = @{ cluster_id = $ClusterId; kind = $Kind; operation = $Operation; region = $Region; message = $Message } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Post -Uri ($Sandbox.CloudServer.TrimEnd('/') + '/sandbox/failures') -Body $body -ContentType 'application/json' `
        -Headers @{ Authorization = "Bearer $($Sandbox.CloudApiKey)" }
}

# A plain call to the Vault double's HTTP API with the root token, as an operator would make with the
# vault CLI (e.g. `vault secrets enable transit`): for set-up the module has no cmdlet for.
function Invoke-CrdbSandboxVaultApi {
    param([Parameter(Mandatory, Position = 0)] $Sandbox, [Parameter(Mandatory, Position = 1)] [string] $Method,
        [Parameter(Mandatory, Position = 2)] [string] $Path, [hashtable] $Body)
    # LIST is Vault's own verb; GET with ?list=true is its documented equivalent.
    $uri = "$($Sandbox.VaultAddress.TrimEnd('/'))/v1/$Path" + $(if ($Method -eq 'LIST') { '?list=true' } else { '' })
    $request = @{ Method = $(if ($Method -eq 'LIST') { 'GET' } else { $Method }); Uri = $uri; Headers = @{ 'X-Vault-Token' = $Sandbox.VaultToken } }
    if ($Body) { $request.Body = $Body | ConvertTo-Json -Depth 5; $request.ContentType = 'application/json' }
    Invoke-RestMethod @request
}

# `vault secrets enable -path=<Path> <Type>` on the sandbox; returns the mount path.
function Enable-CrdbSandboxSecretsEngine {
    param([Parameter(Mandatory, Position = 0)] $Sandbox, [Parameter(Mandatory)] [string] $Type, [string] $Path = $Type)
    $mounts = Invoke-CrdbSandboxVaultApi $Sandbox GET 'sys/mounts'
    $table = if ($mounts.PSObject.Properties['data']) { $mounts.data } else { $mounts }
    if (-not $table.PSObject.Properties["$Path/"]) { $null = Invoke-CrdbSandboxVaultApi $Sandbox POST "sys/mounts/$Path" -Body @{ type = $Type } }
    $Path
}

# A SQL group role in the sandbox PostgreSQL (NOLOGIN), made with PostgreSQL's own createuser as a
# DBA would; for -GrantRole. Returns its name.
function New-CrdbSandboxSqlRole {
    param([Parameter(Mandatory, Position = 0)] $Sandbox, [string] $Name = (New-CrdbTestName 'grp'))
    $createuser = Get-CrdbPostgresTool createuser
    # The server speaks TLS only: verify it against the sandbox's CA, as every client must.
    $env:PGPASSWORD = $Sandbox.AdminCredential.GetNetworkCredential().Password
    $env:PGSSLMODE = 'verify-full'
    $env:PGSSLROOTCERT = $Sandbox.PostgresCaCertificate
    try {
        $out = & $createuser --no-login -h $Sandbox.PostgresHost -p $Sandbox.PostgresPort -U $Sandbox.AdminCredential.UserName $Name 2>&1
        if ($LASTEXITCODE -ne 0) { throw "createuser $Name failed: $out" }
    }
    finally { Remove-Item Env:PGPASSWORD, Env:PGSSLMODE, Env:PGSSLROOTCERT }
    $Name
}

# A PostgreSQL client program (psql, createuser): from PATH, else the newest /usr/lib/postgresql/*/bin.
function Get-CrdbPostgresTool {
    param([Parameter(Mandatory, Position = 0)] [string] $Name)
    $tool = (Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    if (-not $tool) {
        $tool = Get-ChildItem "/usr/lib/postgresql/*/bin/$Name" -ErrorAction SilentlyContinue | Sort-Object FullName -Descending |
            Select-Object -First 1 -ExpandProperty FullName
    }
    if (-not $tool) { throw "$Name (PostgreSQL client binaries) not found on PATH or in /usr/lib/postgresql/*/bin." }
    $tool
}

# PEM helpers for the certificate files the cmdlets write.
function Read-CrdbPemCertificate([string] $Path) {
    [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem([IO.File]::ReadAllText($Path))
}
function Get-CrdbExtendedKeyUsage($Certificate) {
    @($Certificate.Extensions | Where-Object { $_ -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension] } |
        ForEach-Object { $_.EnhancedKeyUsages } | ForEach-Object Value)
}

# Waits for a Cloud status machine to reach a state (never for a length of time): reads with
# $Read until it returns $Until, polling often; gives up after $Timeout only so a broken double
# cannot hang the run.
function Wait-CrdbCloudState {
    param([Parameter(Mandatory, Position = 0)] [scriptblock] $Read, [Parameter(Mandatory)] [string] $Until,
        [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(2))
    $deadline = [DateTime]::UtcNow + $Timeout
    do {
        $state = & $Read
        if ($state -eq $Until) { return }
        Start-Sleep -Milliseconds 50
    } while ([DateTime]::UtcNow -lt $deadline)
    throw "The state is still '$state', not '$Until', after $Timeout."
}

# How to start another pwsh like this one: the executable, plus pwsh.dll when this pwsh runs as a
# .NET tool (the process is then `dotnet`). Use as: $p = Get-CrdbPwshCommand; & $p[0] @($p | Select-Object -Skip 1) -NoProfile ...
function Get-CrdbPwshCommand {
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
}

# A private (0700) temporary folder, the kind key files must live in.
function New-CrdbPrivateDirectory {
    $path = Join-Path ([IO.Path]::GetTempPath()) ('crdbvault-pester-' + [guid]::NewGuid().ToString('n'))
    if ($IsWindows) { $null = New-Item -ItemType Directory -Path $path }
    else { $null = [IO.Directory]::CreateDirectory($path, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute') }
    $path
}

# A unique, lower-case name for mounts, roles and clusters a test owns in the shared sandbox.
function New-CrdbTestName([string] $Prefix = 't') { $Prefix + '_' + [guid]::NewGuid().ToString('n').Substring(0, 8) }

# Runs a user-level scenario from tests/scenarios, dot-sourced, with the variables it documents
# (the same ones the xunit runner gives it); returns what the scenario returns (its last line is
# its "passed" message).
function Invoke-CrdbScenario {
    param([Parameter(Mandatory, Position = 0)] [string] $Name, [hashtable] $Variables = @{})
    $path = Join-Path $script:CrdbRepoRoot 'tests' 'scenarios' "$Name.ps1"
    # A child scope of its own, so the scenario's variables stay out of the caller's.
    & {
        param($ScenarioPath, $ScenarioVariables)
        Set-StrictMode -Off   # scenarios are user scripts: they run as a user's session does, without strict mode
        foreach ($entry in $ScenarioVariables.GetEnumerator()) { Set-Variable -Name $entry.Key -Value $entry.Value }
        . $ScenarioPath
    } $path $Variables
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
