# Runs the ```powershell blocks of ONE docs file, in order, in this fresh pwsh, as a user at a prompt
# would: one session, so a block sees what the blocks before it defined. Started by DocExamples.ps1
# (Invoke-CrdbDocFile) with the file's environment (HOME, VAULT_ADDR, ...) already set; the plan (a
# JSON file) holds the mapped blocks and the answers to prompts. Writes one result per block to
# -ResultPath. A block passes when it neither throws nor writes an error record; warnings are fine.
#
# Everything of the driver itself is named $__docs*, so the docs' own variables ($cred, $key, ...)
# never collide with it.
param(
    [Parameter(Mandatory)] [string] $PlanPath,
    [Parameter(Mandatory)] [string] $ResultPath
)
$__docsPlan = Get-Content -Raw $PlanPath | ConvertFrom-Json
Remove-Item $PlanPath   # it holds secrets (the file's token, the admin URL)
$ProgressPreference = 'SilentlyContinue'   # progress bars would only fill the test log

# ---- stand-ins for what a person (or the runbook host) would answer -----------------------------
# Functions win over cmdlets of the same name, so the docs' Read-Host / Get-Credential /
# Get-AutomationVariable calls reach these. Answers come from DocExamples.Mapping.psd1.
function Read-Host {
    param([Parameter(Position = 0)] [object] $Prompt, [switch] $AsSecureString, [switch] $MaskInput)
    foreach ($p in $__docsPlan.Prompts.PSObject.Properties) {
        if ("$Prompt" -like $p.Name) {
            if ($AsSecureString -or $MaskInput) { return [System.Net.NetworkCredential]::new('', $p.Value).SecurePassword }
            return $p.Value
        }
    }
    throw "The docs test has no answer for the prompt '$Prompt': add one to Prompts in tests/pester/DocExamples.Mapping.psd1."
}

function Get-Credential {
    param([Parameter(Position = 0)] [string] $UserName, [string] $Message, [string] $Title)
    if ($UserName -and $UserName -in $__docsPlan.SqlUsers) {
        # As a DBA would hand one out: a new password for this SQL user, set with the sandbox's admin.
        $password = [System.Guid]::NewGuid().ToString('n') + 'Aa1'
        "ALTER ROLE `"$UserName`" WITH PASSWORD '$password';" | & $__docsPlan.Psql -X -q -v ON_ERROR_STOP=1 $__docsPlan.AdminUrl 2>&1 | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "The docs test could not set a password for the SQL user '$UserName' (psql exit $LASTEXITCODE)." }
        return [pscredential]::new($UserName, [System.Net.NetworkCredential]::new('', $password).SecurePassword)
    }
    if ($UserName) {
        throw "The docs test has no password for the user '$UserName': add the SQL user to SqlUsers in tests/pester/DocExamples.Mapping.psd1 (and to what serve prepares)."
    }
    [pscredential]::new($__docsPlan.OtherCredential.UserName, [System.Net.NetworkCredential]::new('', $__docsPlan.OtherCredential.Password).SecurePassword)
}

function Get-AutomationVariable {
    param([Parameter(Mandatory)] [string] $Name)
    $entry = $__docsPlan.AutomationVariables.PSObject.Properties[$Name]
    if (-not $entry) { throw "The docs test has no Automation variable '$Name': add it to AutomationVariables in tests/pester/DocExamples.Mapping.psd1." }
    $entry.Value
}

foreach ($__docsDefault in $__docsPlan.ParameterDefaults.PSObject.Properties) {
    $PSDefaultParameterValues[$__docsDefault.Name] = $__docsDefault.Value
}

# ---- the blocks -----------------------------------------------------------------------------------
$__docsResults = [System.Collections.Generic.List[object]]::new()
# What a block printed reaches the test log only when it fails (or on request): the sandbox's secrets
# that the plan knows, and passwords in connection strings, are masked first.
$__docsSecrets = @(@($__docsPlan.Prompts.PSObject.Properties.Value) + @($__docsPlan.AutomationVariables.PSObject.Properties.Value) +
    @($__docsPlan.OtherCredential.Password, ([uri] $__docsPlan.AdminUrl).UserInfo.Split(':')[-1]) | Where-Object { "$_".Length -ge 8 })
function __DocsMask([string] $text) {
    foreach ($secret in $__docsSecrets) { $text = $text.Replace($secret, '***') }
    $text = $text -replace '(postgres(?:ql)?://[^:/@\s]+:)[^@\s]+@', '$1***@'
    $text -replace '(?i)(Password=)[^;\s]+', '$1***'
}
function __DocsText($record) {
    if ($record -is [System.Management.Automation.ErrorRecord]) { return "[$($record.FullyQualifiedErrorId)] $($record.Exception.Message)" }
    "$record"
}

foreach ($__docsBlock in @([pscustomobject]@{ Index = -1; Line = 0; Code = ($__docsPlan.Session -join "`n") }) + @($__docsPlan.Blocks)) {
    $__docsErrors = [System.Collections.Generic.List[string]]::new()
    $__docsWarnings = [System.Collections.Generic.List[string]]::new()
    $__docsOutput = [System.Collections.Generic.List[object]]::new()
    $__docsClock = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        # Dot-sourced: the block's variables and functions stay for the blocks after it.
        . ([scriptblock]::Create($__docsBlock.Code)) *>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { $__docsErrors.Add((__DocsText $_)) }
            elseif ($_ -is [System.Management.Automation.WarningRecord]) { $__docsWarnings.Add($_.Message) }
            elseif ($__docsOutput.Count -lt 200) { $__docsOutput.Add($_) }
        }
    }
    catch {
        $__docsErrors.Add('terminating: ' + (__DocsText $_))
    }
    $__docsResults.Add([pscustomobject]@{
        Index    = $__docsBlock.Index
        Line     = $__docsBlock.Line
        Ok       = $__docsErrors.Count -eq 0
        Errors   = @($__docsErrors | ForEach-Object { __DocsMask $_ })
        Warnings = @($__docsWarnings | ForEach-Object { __DocsMask $_ })
        # Formatted together: Format-* output is a sequence of packets that Out-String must see whole.
        Output   = __DocsMask ($__docsOutput | Out-String -Width 160)
        Seconds  = [math]::Round($__docsClock.Elapsed.TotalSeconds, 2)
    })
    # Written after every block, so a file stopped by its time limit still reports what ran.
    ConvertTo-Json -InputObject @($__docsResults) -Depth 4 | Set-Content -Path $ResultPath
}
