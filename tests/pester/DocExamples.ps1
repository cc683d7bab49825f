# The docs test's machinery (dot-sourced by DocExamples.Tests.ps1; see docs/testing.md, "Docs as tests"):
#   Get-CrdbDocFile        README.md, docs/*.md and docs/cmdlets/*.md, in the order they run
#   Get-CrdbDocBlock       the ```powershell and ```yaml blocks of one file, with their "docs-test skip" marks
#   Invoke-CrdbDocFile     maps a file's blocks onto the sandbox (DocExamples.Mapping.psd1), prepares
#                          its environment and runs them in order in a fresh pwsh (DocExamples.Driver.ps1)
#   New-CrdbDocWorld       what a file or a pipeline starts from (folders, sandbox values, files)
# The ```yaml blocks (pipelines) run through DocPipelines.ps1.
Set-StrictMode -Version Latest

$script:CrdbDocMappingPath = Join-Path $PSScriptRoot 'DocExamples.Mapping.psd1'
$script:CrdbDocDriverPath = Join-Path $PSScriptRoot 'DocExamples.Driver.ps1'

# The files whose examples run, in order: README.md first (the quick start), then docs/*.md, then the
# cmdlet help examples docs/cmdlets/*.md. New files are found on their own.
function Get-CrdbDocFile {
    param([Parameter(Mandatory)] [string] $RepoRoot)
    $files = @(Join-Path $RepoRoot 'README.md')
    $files += @(Get-ChildItem (Join-Path $RepoRoot 'docs') -Filter *.md -File | Sort-Object Name | ForEach-Object FullName)
    $files += @(Get-ChildItem (Join-Path $RepoRoot 'docs' 'cmdlets') -Filter *.md -File | Sort-Object Name | ForEach-Object FullName)
    $files | ForEach-Object { [IO.Path]::GetRelativePath($RepoRoot, $_).Replace('\', '/') }
}

# The ```powershell (or ```pwsh) and ```yaml (or ```yml) blocks of a markdown file, each with its
# Language ('powershell' or 'yaml'). Fences follow CommonMark: ``` or ~~~, three
# or more, closed by a fence of the same character at least as long, so a ```powershell shown inside a
# ````markdown block is not a block of its own. A block is marked "not run" by an HTML comment on the
# last non-blank line before its fence:
#     <!-- docs-test skip: <reason> -->
# A mark without a reason, a mark that is not right above a ```powershell or ```yaml block, or any other
# "docs-test" comment is an error: a typo must not silently skip (or run) a block.
$script:CrdbDocLanguages = @{ powershell = 'powershell'; pwsh = 'powershell'; yaml = 'yaml'; yml = 'yaml' }

function Get-CrdbDocBlock {
    param([Parameter(Mandatory)] [string] $Path, [string] $Name = $Path)
    $lines = [IO.File]::ReadAllLines($Path)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $fence = $null
    $mark = $null            # @{ Line; Reason } waiting for its block
    $lastNonBlank = 0
    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        $n = $i + 1
        if ($fence) {
            if ($line -match "^ {0,3}$([regex]::Escape($fence.Char)){$($fence.Length),}\s*$") {
                if ($fence.Language -in $script:CrdbDocLanguages.Keys) {
                    $blocks.Add([pscustomobject]@{
                        File   = $Name
                        Language = $script:CrdbDocLanguages[$fence.Language]
                        Line   = $fence.Line
                        Index  = $blocks.Count
                        Code   = ($fence.Body -join "`n")
                        Skip   = if ($fence.Mark) { $fence.Mark.Reason } else { $null }
                    })
                }
                $fence = $null
                $lastNonBlank = $n
            }
            else { $fence.Body.Add($line) }
            continue
        }
        if ($line -match '^( {0,3})(`{3,}|~{3,})\s*([^\s`]*)') {
            $language = $Matches[3].ToLowerInvariant()
            $ownMark = if ($mark -and $mark.Line -eq $lastNonBlank) { $mark } else { $null }
            if ($mark -and -not $ownMark) { throw "${Name}:$($mark.Line): a docs-test mark must be the last line before a ``````powershell or ``````yaml block." }
            if ($ownMark -and $language -notin $script:CrdbDocLanguages.Keys) { throw "${Name}:$($mark.Line): a docs-test mark must be the last line before a ``````powershell or ``````yaml block (this one is ``````$language)." }
            $mark = $null
            $fence = @{ Char = $Matches[2][0].ToString(); Length = $Matches[2].Length; Language = $language; Line = $n; Body = [System.Collections.Generic.List[string]]::new(); Mark = $ownMark }
            continue
        }
        if ($line.TrimStart().StartsWith('<!--') -and $line -match 'docs-test') {
            if ($line -notmatch '^\s*<!--\s*docs-test skip:\s*(?<reason>\S.*?)\s*-->\s*$') {
                throw "${Name}:${n}: a docs-test mark reads <!-- docs-test skip: <why the block cannot run here> -->, not: $($line.Trim())"
            }
            if ($mark) { throw "${Name}:$($mark.Line): a docs-test mark must be the last line before a ``````powershell or ``````yaml block." }
            $mark = @{ Line = $n; Reason = $Matches['reason'] }
        }
        if ($line.Trim()) { $lastNonBlank = $n }
    }
    if ($fence) { throw "${Name}:$($fence.Line): a code fence is not closed." }
    if ($mark) { throw "${Name}:$($mark.Line): a docs-test mark must be the last line before a ``````powershell or ``````yaml block." }
    $blocks
}

function Read-CrdbDocMapping { Import-PowerShellDataFile $script:CrdbDocMappingPath }

# Replaces every {NAME} in $Text with its value. The values in $script:CrdbDocLazyValues are made on
# first use (Get-CrdbDocLazyValue) and then remembered.
function Resolve-CrdbDocTemplate {
    param([AllowEmptyString()] [string] $Text, [Parameter(Mandatory)] [hashtable] $Values)
    [regex]::Replace($Text, '\{([A-Z][A-Z0-9_]*)\}', {
            param($m)
            $name = $m.Groups[1].Value
            if (-not $Values.ContainsKey($name)) { throw "DocExamples.Mapping.psd1 uses {$name}, which the docs test does not know." }
            if ($null -eq $Values[$name]) { $Values[$name] = [string] (Get-CrdbDocLazyValue $name $Values) }
            $Values[$name]
        })
}

# The {NAME}s a template needs.
function Get-CrdbDocPlaceholder([string] $Text) { [regex]::Matches($Text, '\{([A-Z][A-Z0-9_]*)\}') | ForEach-Object { $_.Groups[1].Value } }

# Values made only when a docs file needs them (they cost Cloud or Vault round trips).
$script:CrdbDocLazyValues = 'NEW_CLUSTER', 'STAGING_CLUSTER', 'CMEK_CLUSTER', 'LEASE', 'PIPELINE_ROLE_ID', 'PIPELINE_SECRET_ID'

# Applies the Text table: each docs text becomes a marker first and the markers become sandbox values
# last, so a value (a temp path, a URL) is never itself rewritten by a later entry.
function ConvertTo-CrdbDocCode {
    param([Parameter(Mandatory)] [string] $Code, [Parameter(Mandatory)] $Mapping, [Parameter(Mandatory)] [hashtable] $Values)
    $markers = @{}
    $i = 0
    foreach ($entry in $Mapping.Text) {
        if (-not $Code.Contains($entry.Docs)) { $i++; continue }
        $marker = "`u{E000}$i`u{E001}"
        $Code = $Code.Replace($entry.Docs, $marker)
        $markers[$marker] = $entry.Sandbox
        $i++
    }
    foreach ($marker in $markers.Keys) { $Code = $Code.Replace($marker, (Resolve-CrdbDocTemplate $markers[$marker] $Values)) }
    $Code
}

# A path of the docs (~/x, /x, ./x) in the file's own folders.
function Resolve-CrdbDocPath([string] $DocPath, [hashtable] $Folders) {
    if ($DocPath.StartsWith('~/')) { return Join-Path $Folders.Home $DocPath.Substring(2) }
    if ($DocPath.StartsWith('./')) { return Join-Path $Folders.Work $DocPath.Substring(2) }
    if ($DocPath.StartsWith('/')) { return Join-Path $Folders.Root $DocPath.Substring(1) }
    throw "DocExamples.Mapping.psd1: '$DocPath' must start with ~/, / or ./"
}

function New-CrdbDocPrivateFolder([string] $Path) {
    if ($IsWindows) { $null = New-Item -ItemType Directory -Path $Path -Force; return }
    $null = [IO.Directory]::CreateDirectory($Path)
    [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
}

# The sandbox values a docs file may use (see the head of DocExamples.Mapping.psd1).
function New-CrdbDocValues {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] $Mapping, [Parameter(Mandatory)] [hashtable] $Folders)
    $vault = $Sandbox.VaultAddress.TrimEnd('/')
    $root = @{ 'X-Vault-Token' = $Sandbox.VaultToken }
    # A token for this file only: revoking it (Disconnect-CrdbVault -Revoke in an example) cannot end
    # the sandbox's root token, and revoking it afterwards cleans up the file's leases.
    $token = (Invoke-RestMethod -Method Post -Uri "$vault/v1/auth/token/create" -Headers $root `
            -Body (@{ policies = @('root'); display_name = 'docs'; ttl = '2h' } | ConvertTo-Json) -ContentType 'application/json').auth.client_token
    $values = @{
        VAULT_ADDR        = $vault
        TOKEN             = $token
        SQL_HOST          = $Sandbox.PostgresHost
        SQL_PORT          = [string] $Sandbox.PostgresPort
        SQL_CA            = $Sandbox.PostgresCaCertificate
        SQL_CA_PEM        = [IO.File]::ReadAllText($Sandbox.PostgresCaCertificate)
        COCKROACH_SERVER  = $Sandbox.CloudServer
        COCKROACH_API_KEY = $Sandbox.CloudApiKey
        VAULT_ROLE_ID     = $Sandbox.RoleId
        VAULT_SECRET_ID   = $Sandbox.SecretId
        # A secretless job's environment (identity double) and the ids serve's Vault roles pin.
        SYSTEM_OIDCREQUESTURI          = $Sandbox.Job.SYSTEM_OIDCREQUESTURI
        SYSTEM_ACCESSTOKEN             = $Sandbox.Job.SYSTEM_ACCESSTOKEN
        ACTIONS_ID_TOKEN_REQUEST_URL   = $Sandbox.Job.ACTIONS_ID_TOKEN_REQUEST_URL
        ACTIONS_ID_TOKEN_REQUEST_TOKEN = $Sandbox.Job.ACTIONS_ID_TOKEN_REQUEST_TOKEN
        IDENTITY_ENDPOINT              = $Sandbox.Job.IDENTITY_ENDPOINT
        IDENTITY_HEADER                = $Sandbox.Job.IDENTITY_HEADER
        IMDS_ENDPOINT                  = $Sandbox.Job.CRDBVAULT_IMDS_ENDPOINT
        ADO_ORG_ID          = $Sandbox.Secretless.organization_id
        ADO_PROJECT_ID      = $Sandbox.Secretless.project_id
        ADO_CONNECTION_ID   = $Sandbox.Secretless.'azuredevops-entra-service-connection'.service_connection_id
        ENTRA_TENANT_ID     = $Sandbox.Secretless.tenant_id
        ENTRA_SUBJECT       = $Sandbox.Secretless.entra_subject
        AZ_SUBSCRIPTION_ID  = $Sandbox.Secretless.'managedidentity-automation'.subscription_id
        AZ_AUTOMATION_ID    = $Sandbox.Secretless.'managedidentity-automation'.resource_id
        USERPASS_PASSWORD   = $Sandbox.Secretless.userpass.password
        HOME              = $Folders.Home
        ROOT              = $Folders.Root
        KMS_SECRET        = [guid]::NewGuid().ToString('n')
        # Made on first use (Get-CrdbDocLazyValue), from what is kept here:
        NEW_CLUSTER       = $null
        STAGING_CLUSTER   = $null
        CMEK_CLUSTER      = $null
        LEASE             = $null
        PIPELINE_ROLE_ID  = $null
        PIPELINE_SECRET_ID = $null
        __Sandbox         = $Sandbox
        __Mapping         = $Mapping
    }
    # Every other text of serve's info file by its key ({SYSTEM_OIDCREQUESTURI}, {ACTIONS_ID_TOKEN_REQUEST_URL}, ...).
    if ($Sandbox.PSObject.Properties['Info'] -and $Sandbox.Info) {
        foreach ($p in $Sandbox.Info.PSObject.Properties) { if ($p.Value -is [string] -and -not $values.ContainsKey($p.Name)) { $values[$p.Name] = $p.Value } }
    }
    $values
}

function Get-CrdbDocLazyValue {
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [hashtable] $Values)
    $sandbox = $Values.__Sandbox
    $regions = $Values.__Mapping.ClusterRegions
    $cloud = $sandbox.CloudServer.TrimEnd('/')
    $cloudHeaders = @{ Authorization = "Bearer $($sandbox.CloudApiKey)" }
    switch ($Name) {
        { $_ -in 'NEW_CLUSTER', 'STAGING_CLUSTER' } { return New-CrdbSandboxCluster $sandbox -Region $regions }
        { $_ -in 'PIPELINE_ROLE_ID', 'PIPELINE_SECRET_ID' } {
            # The AppRole of the mapping's PipelineAppRole, with its policy, written with the root token
            # (as a Vault operator would); a new secret_id for this world.
            $role = $Values.__Mapping.PipelineAppRole
            $vault = "$($Values.VAULT_ADDR)/v1"
            $root = @{ 'X-Vault-Token' = $sandbox.VaultToken }
            $null = Invoke-RestMethod -Method Post -Uri "$vault/sys/policies/acl/$($role.Name)" -Headers $root -ContentType 'application/json' `
                -Body (@{ policy = $role.Policy } | ConvertTo-Json)
            $null = Invoke-RestMethod -Method Post -Uri "$vault/auth/approle/role/$($role.Name)" -Headers $root -ContentType 'application/json' `
                -Body (@{ token_policies = @($role.Name); token_ttl = '1h'; token_max_ttl = '8h' } | ConvertTo-Json)
            $Values.PIPELINE_ROLE_ID = (Invoke-RestMethod -Uri "$vault/auth/approle/role/$($role.Name)/role-id" -Headers $root).data.role_id
            $Values.PIPELINE_SECRET_ID = (Invoke-RestMethod -Method Post -Uri "$vault/auth/approle/role/$($role.Name)/secret-id" -Headers $root).data.secret_id
            return $Values[$Name]
        }
        'LEASE' { return (Invoke-RestMethod -Uri "$($Values.VAULT_ADDR)/v1/database/creds/app" -Headers @{ 'X-Vault-Token' = $Values.TOKEN }).lease_id }
        'CMEK_CLUSTER' {
            # A production-like cluster: CMEK enabled in every region, the sandbox CA as its client CA.
            # Set through the Cloud API itself, not the module, so a cmdlet bug cannot fake the state.
            $id = New-CrdbSandboxCluster $sandbox -Region $regions
            $specs = @($regions | ForEach-Object {
                    @{ region = $_; key_spec = @{ type = 'AWS_KMS'; uri = "arn:aws:kms:${_}:111122223333:key/$([guid]::NewGuid())"; auth_principal = 'arn:aws:iam::111122223333:role/crdb-cmek' } }
                })
            $null = Invoke-RestMethod -Method Post -Uri "$cloud/api/v1/clusters/$id/cmek" -Headers $cloudHeaders -ContentType 'application/json' `
                -Body (@{ region_specs = $specs } | ConvertTo-Json -Depth 5)
            $null = Invoke-RestMethod -Method Post -Uri "$cloud/api/v1/clusters/$id/client-ca-cert" -Headers $cloudHeaders -ContentType 'application/json' `
                -Body (@{ x509_pem_cert = $Values.SQL_CA_PEM } | ConvertTo-Json)
            # Polled gently: the double keeps the Cloud's limit of 10 requests per second per key. On a
            # loaded machine the requests can still reach it in a burst; a 429 of these reads is retried
            # after its Retry-After (Invoke-RestMethod's own retry; reads only, so nothing happens twice).
            $poll = @{ Headers = $cloudHeaders; MaximumRetryCount = 5; RetryIntervalSec = 1 }
            Wait-CrdbCloudState { Start-Sleep -Milliseconds 200; (Invoke-RestMethod -Uri "$cloud/api/v1/clusters/$id/cmek" @poll).status } -Until 'ENABLED'
            Wait-CrdbCloudState { Start-Sleep -Milliseconds 200; (Invoke-RestMethod -Uri "$cloud/api/v1/clusters/$id/client-ca-cert" @poll).status } -Until 'IS_SET'
            return $id
        }
    }
    throw "no lazy value $Name"
}

# What every docs file and every pipeline starts from: its own folders (home, a fake root, a working
# folder), the sandbox values (with a Vault token of its own), the Vault objects, folders and files of
# the mapping. $Code is the text of what will run: a value that costs a round trip (a Cloud cluster, a
# lease) is made only when that text names what needs it. Remove-CrdbDocWorld undoes it.
function New-CrdbDocWorld {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] $Mapping, [AllowEmptyString()] [string] $Code)
    $base = Join-Path ([IO.Path]::GetTempPath()) ('crdbvault-docs-' + [guid]::NewGuid().ToString('n').Substring(0, 12))
    New-CrdbDocPrivateFolder $base
    $folders = @{ Base = $base; Home = Join-Path $base 'home'; Root = Join-Path $base 'root'; Work = Join-Path $base 'work' }
    foreach ($f in $folders.Home, $folders.Root, $folders.Work) { New-CrdbDocPrivateFolder $f }
    $world = [pscustomobject]@{ Folders = $folders; Values = $null; Code = $Code }
    try {
        $world.Values = $values = New-CrdbDocValues -Sandbox $Sandbox -Mapping $Mapping -Folders $folders

        foreach ($write in $Mapping.VaultWrites) {
            try {
                $null = Invoke-RestMethod -Method Post -Uri "$($values.VAULT_ADDR)/v1/$($write.Path)" -Headers @{ 'X-Vault-Token' = $Sandbox.VaultToken } `
                    -Body ($write.Body | ConvertTo-Json -Depth 5) -ContentType 'application/json'
            }
            catch { throw "DocExamples.Mapping.psd1, VaultWrites: POST $($write.Path) failed: $($_.ErrorDetails.Message) $($_.Exception.Message)" }
        }
        foreach ($dir in $Mapping.Directories) { New-CrdbDocPrivateFolder (Resolve-CrdbDocPath $dir $folders) }
        foreach ($entry in $Mapping.Files.GetEnumerator()) {
            if (-not (Test-CrdbDocNeed $world $entry.Value ([IO.Path]::GetFileName($entry.Key)))) { continue }
            $path = Resolve-CrdbDocPath $entry.Key $folders
            New-CrdbDocPrivateFolder (Split-Path $path)
            [IO.File]::WriteAllText($path, (Resolve-CrdbDocTemplate $entry.Value $values))
            if (-not $IsWindows) { [IO.File]::SetUnixFileMode($path, [IO.UnixFileMode]'UserRead, UserWrite') }
        }
        $world
    }
    catch { Remove-CrdbDocWorld $world $Sandbox; throw }
}

# Whether a template of the mapping is needed: one with a value that costs a round trip only when
# the world's code names $Name.
function Test-CrdbDocNeed($World, [string] $Template, [string] $Name) {
    $lazy = @(Get-CrdbDocPlaceholder $Template | Where-Object { $_ -in $script:CrdbDocLazyValues })
    -not $lazy -or $World.Code.Contains($Name)
}

function Remove-CrdbDocWorld($World, $Sandbox) {
    if ($World.Values) {
        # The file's leases end with its token: the SQL users its examples made are dropped.
        try {
            $null = Invoke-RestMethod -Method Post -Uri "$($World.Values.VAULT_ADDR)/v1/auth/token/revoke" -Headers @{ 'X-Vault-Token' = $Sandbox.VaultToken } `
                -Body (@{ token = $World.Values.TOKEN } | ConvertTo-Json) -ContentType 'application/json'
        }
        catch { Write-Warning "The docs test could not revoke its token for the file: $_" }
    }
    Remove-Item $World.Folders.Base -Recurse -Force -ErrorAction SilentlyContinue
}

# Maps one docs file's blocks onto the sandbox, prepares its folders, files and environment, runs the
# blocks that are not marked in a fresh pwsh, and returns one result per block (by Index) plus the
# session's own result (Index -1: the Session commands of the mapping).
function Invoke-CrdbDocFile {
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [object[]] $Blocks
    )
    $mapping = Read-CrdbDocMapping
    $toRun = @($Blocks | Where-Object { -not $_.Skip })
    $world = New-CrdbDocWorld -Sandbox $Sandbox -Mapping $mapping -Code (($toRun | ForEach-Object { $_.Code }) -join "`n")
    try {
        $values = $world.Values
        $folders = $world.Folders
        $environment = @{}
        foreach ($entry in $mapping.Environment.GetEnumerator()) {
            if (Test-CrdbDocNeed $world $entry.Value $entry.Key) { $environment[$entry.Key] = Resolve-CrdbDocTemplate $entry.Value $values }
        }
        $plan = [ordered]@{
            Blocks              = @($toRun | ForEach-Object { @{ Index = $_.Index; Line = $_.Line; Code = ConvertTo-CrdbDocCode -Code $_.Code -Mapping $mapping -Values $values } })
            Session             = @($mapping.Session)
            ParameterDefaults   = @{}
            Prompts             = @{}
            SqlUsers            = @($mapping.SqlUsers)
            OtherCredential     = @{ UserName = $mapping.OtherCredential.UserName; Password = Resolve-CrdbDocTemplate $mapping.OtherCredential.Password $values }
            AutomationVariables = @{}
            Psql                = Get-CrdbPostgresTool psql
            AdminUrl            = $Sandbox.PostgresUrl
        }
        foreach ($e in $mapping.ParameterDefaults.GetEnumerator()) { $plan.ParameterDefaults[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values }
        foreach ($e in $mapping.Prompts.GetEnumerator()) { $plan.Prompts[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values }
        foreach ($e in $mapping.AutomationVariables.GetEnumerator()) { $plan.AutomationVariables[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values }

        $planPath = Join-Path $folders.Base 'plan.json'
        $resultPath = Join-Path $folders.Base 'result.json'
        [IO.File]::WriteAllText($planPath, ($plan | ConvertTo-Json -Depth 6))
        $run = Invoke-CrdbDocDriver -PlanPath $planPath -ResultPath $resultPath -Folders $folders -Environment $environment -TimeoutSeconds $mapping.FileTimeoutSeconds
        $results = if (Test-Path $resultPath) { @(Get-Content -Raw $resultPath | ConvertFrom-Json) } else { @() }
        [pscustomobject]@{ Results = $results; TimedOut = $run.TimedOut; ExitCode = $run.ExitCode; Log = $run.Log }
    }
    finally { Remove-CrdbDocWorld $world $Sandbox }
}

# Starts pwsh with the driver (see Set-CrdbDocProcessEnvironment for its environment).
function Invoke-CrdbDocDriver {
    param([string] $PlanPath, [string] $ResultPath, [hashtable] $Folders, [hashtable] $Environment, [int] $TimeoutSeconds)
    $pwsh = Get-CrdbPwshCommand
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $script:CrdbDocDriverPath, '-PlanPath', $PlanPath, '-ResultPath', $ResultPath)) {
        $psi.ArgumentList.Add($a)
    }
    Set-CrdbDocProcessEnvironment $psi $Folders $Environment
    $process = [System.Diagnostics.Process]::Start($psi)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
    if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
    [pscustomobject]@{ ExitCode = $process.ExitCode; TimedOut = $timedOut; Log = (Hide-CrdbDocCiSecret ($stdout.Result + $stderr.Result)) }
}

# A docs pwsh (a file's driver, a pipeline's step): a clean environment (no VAULT_*/COCKROACH_*/CI
# variables of the caller), HOME and XDG_* in the world's home folder, the built module on
# PSModulePath (so the docs' cmdlets autoload, as for an installed module), working folder = the
# world's ./, and the given environment on top.
function Set-CrdbDocProcessEnvironment([System.Diagnostics.ProcessStartInfo] $Psi, [hashtable] $Folders, [hashtable] $Environment) {
    $Psi.WorkingDirectory = $Folders.Work
    $Psi.UseShellExecute = $false
    $Psi.RedirectStandardOutput = $true
    $Psi.RedirectStandardError = $true
    foreach ($name in @($Psi.Environment.Keys)) {
        if ($name -match '^(VAULT_|COCKROACH_|CRDB_|SYSTEM_|ACTIONS_|IDENTITY_|PSModulePath$|XDG_|TF_BUILD$|GITHUB_|AGENT_|RUNNER_|BUILD_|CI$)') { $null = $Psi.Environment.Remove($name) }
    }
    $Psi.Environment['HOME'] = $Folders.Home
    foreach ($xdg in 'XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME') { $Psi.Environment[$xdg] = Join-Path $Folders.Home ".$($xdg.ToLowerInvariant())" }
    $Psi.Environment['PSModulePath'] = Join-Path $script:CrdbRepoRoot 'out'
    $Psi.Environment['NO_COLOR'] = '1'
    foreach ($e in $Environment.GetEnumerator()) { $Psi.Environment[$e.Key] = $e.Value }
}

# The logging commands that carry a secret (the registrations for masking, secret variables) keep
# their command and lose the value: the log is printed when a file fails to run.
function Hide-CrdbDocCiSecret([string] $Log) {
    $Log = $Log -replace '(?m)^(##vso\[task\.setsecret\]|::add-mask::).*$', '$1***'
    $Log -replace '(?m)^(##vso\[task\.setvariable [^\]]*issecret=true[^\]]*\]).*$', '$1***'
}
