# The docs test's pipeline runner (dot-sourced after DocExamples.ps1; docs/testing.md, "Pipelines"):
#   Read-CrdbDocPipeline     a ```yaml block, read with YamlDotNet, as the steps of an Azure DevOps or
#                            GitHub Actions job (or $null and why, for a block that is not a pipeline)
#   Invoke-CrdbDocPipeline   runs those steps in order as an agent would: each in a NEW pwsh, with the
#                            system's variables, macros, logging commands, conditions and masking
# An agent keeps nothing in memory between steps: what reaches a later step is what an agent carries
# (variables set with logging commands, GITHUB_ENV entries, the working folder's files), nothing else.
Set-StrictMode -Version Latest

# The module's own YAML library (out/CrdbVault/dependencies/YamlDotNet.dll), loaded into a load
# context of its own so the module's context in this process is not touched.
function Get-CrdbDocYamlDeserializer {
    if (-not (Get-Variable -Scope Script -Name CrdbDocYaml -ErrorAction SilentlyContinue)) {
        $dll = Join-Path $script:CrdbRepoRoot 'out' 'CrdbVault' 'dependencies' 'YamlDotNet.dll'
        if (-not (Test-Path $dll)) { throw "YamlDotNet is not in the built module ($dll): run dotnet build CrdbVault.sln first." }
        $context = [System.Runtime.Loader.AssemblyLoadContext]::new('CrdbVault.DocsYaml', $false)
        $assembly = $context.LoadFromAssemblyPath($dll)
        $script:CrdbDocYaml = [Activator]::CreateInstance($assembly.GetType('YamlDotNet.Serialization.DeserializerBuilder', $true)).Build()
    }
    $script:CrdbDocYaml
}

# YamlDotNet's untyped graph (Dictionary<object,object>, List<object>, strings) as ordered
# hashtables, arrays and strings.
function ConvertFrom-CrdbDocYamlNode($Node) {
    if ($null -eq $Node) { return $null }
    if ($Node -is [System.Collections.IDictionary]) {
        $map = [ordered]@{}
        foreach ($key in $Node.Keys) { $map["$key"] = ConvertFrom-CrdbDocYamlNode $Node[$key] }
        return $map
    }
    if ($Node -is [System.Collections.IList]) { return , @($Node | ForEach-Object { ConvertFrom-CrdbDocYamlNode $_ }) }
    "$Node"
}

function ConvertFrom-CrdbDocYaml([string] $Yaml) {
    ConvertFrom-CrdbDocYamlNode ((Get-CrdbDocYamlDeserializer).Deserialize($Yaml))
}

# A name/value table of the YAML (env:, variables:) as an ordered hashtable of strings.
function ConvertTo-CrdbDocTable($Node, [string] $What) {
    $table = [ordered]@{}
    if ($null -eq $Node) { return $table }
    if ($Node -is [System.Collections.IDictionary]) {
        foreach ($k in $Node.Keys) { $table[$k] = "$($Node[$k])" }
        return $table
    }
    # Azure DevOps also writes variables as a list of { name, value } (and { group } / { template }).
    foreach ($entry in @($Node)) {
        if ($entry -isnot [System.Collections.IDictionary] -or -not $entry.Contains('name')) { throw "$What holds an entry the docs test cannot read (only name/value pairs): $($entry | ConvertTo-Json -Compress)" }
        $table[$entry['name']] = "$($entry['value'])"
    }
    $table
}

# A ```yaml block as a pipeline: @{ System = 'AzureDevOps'|'GitHub'; Variables; Env; Steps = @(@{ Index;
# Name; Kind; Script; Env; Condition; ContinueOnError; Id }) }, or @{ NotAPipeline = '<why>' } for a
# block that is no list of steps (a manifest). Accepted shapes: a bare list of steps (what docs show),
# `steps:`, Azure DevOps `jobs: [ { job, steps } ]`, GitHub Actions `jobs: { <id>: { steps } }`. A step
# this runner cannot run (bash, a task, an action other than checkout) is an error: mark the block.
function Read-CrdbDocPipeline {
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Yaml)
    $root = ConvertFrom-CrdbDocYaml $Yaml
    $variables = [ordered]@{}
    $workflowEnv = [ordered]@{}
    $steps = $null
    if ($root -is [array]) { $steps = $root }
    elseif ($root -is [System.Collections.IDictionary]) {
        if ($root.Contains('variables')) { $variables = ConvertTo-CrdbDocTable $root['variables'] 'variables:' }
        if ($root.Contains('env')) { $workflowEnv = ConvertTo-CrdbDocTable $root['env'] 'env:' }
        if ($root.Contains('steps')) { $steps = @($root['steps']) }
        elseif ($root.Contains('jobs')) {
            $jobs = if ($root['jobs'] -is [System.Collections.IDictionary]) { @($root['jobs'].Values) } else { @($root['jobs']) }
            $steps = @(foreach ($job in $jobs) {
                    if ($job -is [System.Collections.IDictionary] -and $job.Contains('env')) {
                        foreach ($e in (ConvertTo-CrdbDocTable $job['env'] 'env:').GetEnumerator()) { $workflowEnv[$e.Key] = $e.Value }
                    }
                    if ($job -is [System.Collections.IDictionary] -and $job.Contains('steps')) { $job['steps'] }
                })
        }
    }
    $isStep = { param($s) $s -is [System.Collections.IDictionary] -and @('pwsh', 'powershell', 'script', 'bash', 'task', 'checkout', 'run', 'uses' | Where-Object { $s.Contains($_) }).Count -gt 0 }
    if (-not $steps -or @($steps | Where-Object { -not (& $isStep $_) }).Count -gt 0) {
        $what = if ($root -is [System.Collections.IDictionary]) { "a mapping of $(@($root.Keys) -join ', ')" } elseif ($root -is [array]) { 'a list that is not one of steps' } else { 'no mapping or list' }
        return [pscustomobject]@{ NotAPipeline = "not a pipeline ($what)" }
    }

    $systems = [System.Collections.Generic.HashSet[string]]::new()
    $read = for ($i = 0; $i -lt $steps.Count; $i++) {
        $s = $steps[$i]
        $step = [ordered]@{ Index = $i + 1; Kind = $null; Script = $null; Env = [ordered]@{}; Condition = $null; ContinueOnError = $false; Id = $null; Name = $null }
        if ($s.Contains('pwsh') -or $s.Contains('powershell')) {
            $null = $systems.Add('AzureDevOps')
            $step.Kind = if ($s.Contains('pwsh')) { 'pwsh' } else { 'powershell' }
            $step.Script = $s[$step.Kind]
            $step.Condition = $s['condition']
            $step.ContinueOnError = "$($s['continueOnError'])" -eq 'true'
            $step.Name = if ($s.Contains('displayName')) { $s['displayName'] } else { $s['name'] }
            $step.Id = $s['name']
        }
        elseif ($s.Contains('checkout')) { $null = $systems.Add('AzureDevOps'); $step.Kind = 'checkout' }
        elseif ($s.Contains('run')) {
            $null = $systems.Add('GitHub')
            $shell = "$($s['shell'])"
            if ($shell -notin 'pwsh', 'powershell') { throw "step $($i + 1) runs with shell '$shell'; the docs test runs pwsh steps only (shell: pwsh), so mark the block." }
            $step.Kind = 'run'
            $step.Script = $s['run']
            $step.Condition = $s['if']
            $step.ContinueOnError = "$($s['continue-on-error'])" -eq 'true'
            $step.Name = $s['name']
            $step.Id = $s['id']
        }
        elseif ($s.Contains('uses') -and "$($s['uses'])" -like 'actions/checkout@*') { $null = $systems.Add('GitHub'); $step.Kind = 'checkout' }
        else {
            $kind = @($s.Keys)[0]
            throw "step $($i + 1) is a '$kind' step ($($s[$kind])); the docs test runs pwsh steps only, so mark the block."
        }
        if ($s.Contains('env')) { $step.Env = ConvertTo-CrdbDocTable $s['env'] "step $($i + 1)'s env:" }
        if (-not $step.Name) { $step.Name = if ($step.Kind -eq 'checkout') { 'Checkout' } elseif ($step.Kind -eq 'run') { 'Run ' + ("$($step.Script)".Trim() -split "`n")[0] } else { 'PowerShell' } }
        [pscustomobject] $step
    }
    if ($systems.Count -ne 1) { throw "the steps mix Azure DevOps (pwsh:, powershell:) and GitHub Actions (run:) steps." }
    [pscustomobject]@{ NotAPipeline = $null; System = @($systems)[0]; Variables = $variables; Env = $workflowEnv; Steps = @($read) }
}

# ---- what an agent does with the text of a step --------------------------------------------------

# Azure DevOps macros: $(Name) becomes the variable's value before the step runs; a name that is not
# a variable stays as it is (so does PowerShell's own $(...) subexpression).
function Expand-CrdbDocAzureMacro([AllowEmptyString()] [string] $Text, [System.Collections.IDictionary] $Variables) {
    [regex]::Replace($Text, '\$\(([A-Za-z0-9_][A-Za-z0-9_.\-]*)\)', {
            param($m)
            $v = $Variables[$m.Groups[1].Value]
            if ($null -eq $v) { $m.Value } else { $v.Value }
        })
}

# GitHub Actions expressions: ${{ secrets.X }}, ${{ vars.X }}, ${{ env.X }}, ${{ steps.<id>.outputs.X }}.
# GitHub turns an unknown secret or variable into ''; here it is an error, so a missing row of the
# mapping table is found at once.
function Expand-CrdbDocGitHubExpression([AllowEmptyString()] [string] $Text, [hashtable] $Contexts) {
    [regex]::Replace($Text, '\$\{\{\s*([^}]*?)\s*\}\}', {
            param($m)
            $expr = $m.Groups[1].Value
            if ($expr -match '^(secrets|vars|env)\.([A-Za-z0-9_]+)$') {
                $table = $Contexts[$Matches[1]]
                if (-not $table.Contains($Matches[2])) { throw "the pipeline reads `${{ $expr }}, which the docs test does not know: add it to Pipelines.GitHub in DocExamples.Mapping.psd1." }
                return $table[$Matches[2]]
            }
            if ($expr -match '^steps\.([A-Za-z0-9_\-]+)\.outputs\.([A-Za-z0-9_\-]+)$') {
                $outputs = $Contexts.steps[$Matches[1]]
                return $(if ($outputs -and $outputs.Contains($Matches[2])) { $outputs[$Matches[2]] } else { '' })
            }
            throw "the docs test cannot evaluate `${{ $expr }}."
        })
}

# Whether a step runs: Azure DevOps `condition:` / GitHub `if:`; none means "only if all went well".
function Test-CrdbDocStepCondition([AllowNull()] [string] $Condition, [bool] $Failed) {
    $c = if ($Condition) { $Condition.Trim() -replace '^\$\{\{\s*(.*?)\s*\}\}$', '$1' } else { 'succeeded()' }
    switch -Regex ($c) {
        '^(always\(\)|succeededOrFailed\(\)|!\s*cancelled\(\))$' { return $true }
        '^(succeeded\(\)|success\(\))$' { return -not $Failed }
        '^(failed\(\)|failure\(\))$' { return $Failed }
    }
    throw "the docs test cannot evaluate the condition '$Condition' (it knows always(), succeeded(), failed(), succeededOrFailed() and GitHub's success(), failure(), !cancelled())."
}

# Reads one line of a step's standard output as the agent does: a logging command changes the run's
# state ($State.Variables, $State.Secrets); the line is returned masked with every secret known so
# far (an agent masks only from the registration on: a secret printed earlier stays in the log).
function Read-CrdbDocAgentLine([string] $Line, [string] $System, $State) {
    $t = $Line.TrimStart()
    if ($System -eq 'AzureDevOps') {
        $unescape = { param($v) $v.Replace('%0D', "`r").Replace('%0A', "`n").Replace('%5D', ']').Replace('%3B', ';').Replace('%AZP25', '%') }
        if ($t -match '^##vso\[task\.setvariable(?<props>(?:\s[^\]]*)?)\](?<value>.*)$') {
            $raw = $Matches['value']
            $props = @{}
            foreach ($p in ($Matches['props'].Trim() -split ';')) {
                $pair = $p -split '=', 2
                if ($pair.Count -eq 2) { $props[$pair[0].Trim().ToLowerInvariant()] = & $unescape $pair[1] }
            }
            $value = & $unescape $raw
            $secret = "$($props['issecret'])" -eq 'true'
            if ($props['variable']) { $State.Variables[$props['variable']] = [pscustomobject]@{ Value = $value; Secret = $secret; SetBy = $State.Step } }
            if ($secret) { Add-CrdbDocMask $State $value; $Line = $Line.Substring(0, $Line.Length - $raw.Length) + '***' }
        }
        elseif ($t -match '^##vso\[task\.setsecret\](?<value>.*)$') {
            Add-CrdbDocMask $State (& $unescape $Matches['value'])
            $Line = $Line.Substring(0, $Line.Length - $Matches['value'].Length) + '***'
        }
    }
    elseif ($t -match '^::add-mask::(?<value>.*)$') {
        Add-CrdbDocMask $State ($Matches['value'].Replace('%0D', "`r").Replace('%0A', "`n").Replace('%25', '%'))
        $Line = $Line.Substring(0, $Line.Length - $Matches['value'].Length) + '***'
    }
    Hide-CrdbDocMasked $Line $State
}

function Add-CrdbDocMask($State, [string] $Value) {
    # Masking is line by line in both systems; blank values are never masked (they would blank the log).
    foreach ($part in ($Value -split "`r?`n")) { if ($part.Trim() -and -not $State.Secrets.Contains($part)) { $State.Secrets.Add($part) } }
}

function Hide-CrdbDocMasked([string] $Text, $State) {
    foreach ($s in @($State.Secrets | Sort-Object Length -Descending)) { $Text = $Text.Replace($s, '***') }
    $Text
}

# A GITHUB_ENV / GITHUB_OUTPUT file: NAME=value lines and NAME<<DELIMITER heredocs.
function Read-CrdbDocGitHubFile([string] $Path) {
    $entries = [ordered]@{}
    if (-not (Test-Path $Path)) { return $entries }
    $lines = [IO.File]::ReadAllText($Path) -split "`r?`n"
    for ($i = 0; $i -lt $lines.Count; $i++) {
        if ($lines[$i] -match '^([^=<]+)<<(.+)$') {
            $name = $Matches[1]; $delimiter = $Matches[2]; $body = [System.Collections.Generic.List[string]]::new()
            for ($i++; $i -lt $lines.Count -and $lines[$i] -ne $delimiter; $i++) { $body.Add($lines[$i]) }
            if ($i -ge $lines.Count) { throw "$Path`: the entry $name has no closing delimiter." }
            $entries[$name] = $body -join "`n"
        }
        elseif ($lines[$i] -match '^([^=]+)=(.*)$') { $entries[$Matches[1]] = $Matches[2] }
        elseif ($lines[$i].Trim()) { throw "$Path`: a line the runner would refuse: $($lines[$i])" }
    }
    $entries
}

# ---- running a pipeline --------------------------------------------------------------------------

# How a log names the system.
$script:CrdbDocSystemNames = @{ AzureDevOps = 'an Azure DevOps (TF_BUILD=True)'; GitHub = 'a GitHub Actions (GITHUB_ACTIONS=true)' }

# Runs a pipeline (Read-CrdbDocPipeline) against the sandbox. Returns @{ System; Ok; Failed; Steps =
# @(@{ Index; Name; Ran; ExitCode; Ok; Log }); Leaks; Log }: Log is the masked agent log, Leaks the
# steps whose (masked) output still holds a value registered as secret at any time of the run.
function Invoke-CrdbDocPipeline {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] $Pipeline, [string] $Name = 'pipeline')
    $mapping = Read-CrdbDocMapping
    $map = $mapping.Pipelines[$Pipeline.System]
    $world = New-CrdbDocWorld -Sandbox $Sandbox -Mapping $mapping -Code (($Pipeline.Steps | ForEach-Object { $_.Script }) -join "`n")
    try {
        $values = $world.Values
        # The step's working folder is the job's checkout: ./out/CrdbVault is the built module.
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $world.Folders.Work 'out') -Target (Join-Path $script:CrdbRepoRoot 'out')
        $state = [pscustomobject]@{
            Variables = [System.Collections.Specialized.OrderedDictionary]::new([StringComparer]::OrdinalIgnoreCase)
            Secrets   = [System.Collections.Generic.List[string]]::new()
            Step      = 0
        }
        $agentEnv = @{}
        foreach ($e in $map.Agent.GetEnumerator()) { $agentEnv[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values }
        $contexts = @{ secrets = @{}; vars = @{}; env = @{}; steps = @{} }
        if ($Pipeline.System -eq 'AzureDevOps') {
            foreach ($e in $map.Variables.GetEnumerator()) { $state.Variables[$e.Key] = [pscustomobject]@{ Value = Resolve-CrdbDocTemplate $e.Value $values; Secret = $false; SetBy = 0 } }
            foreach ($e in $map.SecretVariables.GetEnumerator()) {
                $v = Resolve-CrdbDocTemplate $e.Value $values
                $state.Variables[$e.Key] = [pscustomobject]@{ Value = $v; Secret = $true; SetBy = 0 }
                Add-CrdbDocMask $state $v   # the agent masks secret variables from the start
            }
            foreach ($e in $Pipeline.Variables.GetEnumerator()) { $state.Variables[$e.Key] = [pscustomobject]@{ Value = $e.Value; Secret = $false; SetBy = 0 } }
        }
        else {
            foreach ($e in $map.Vars.GetEnumerator()) { $contexts.vars[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values }
            foreach ($e in $map.Secrets.GetEnumerator()) {
                $contexts.secrets[$e.Key] = Resolve-CrdbDocTemplate $e.Value $values
                Add-CrdbDocMask $state $contexts.secrets[$e.Key]   # GitHub masks every secret of the repository
            }
            foreach ($e in $Pipeline.Env.GetEnumerator()) { $contexts.env[$e.Key] = Expand-CrdbDocGitHubExpression $e.Value $contexts }
        }
        $temp = Resolve-CrdbDocTemplate $map.Agent[$map.TempVariable] $values
        New-CrdbDocPrivateFolder $temp

        $failed = $false
        $results = [System.Collections.Generic.List[object]]::new()
        $log = [System.Text.StringBuilder]::new()
        foreach ($step in $Pipeline.Steps) {
            $state.Step = $step.Index
            $header = "##[section]Starting: $($step.Name) (step $($step.Index) of $($Pipeline.Steps.Count), $($step.Kind))"
            if (-not (Test-CrdbDocStepCondition $step.Condition $failed)) {
                $null = $log.AppendLine($header).AppendLine("##[section]Skipping: the condition '$(if ($step.Condition) { $step.Condition } else { 'succeeded()' })' is false after a failed step")
                $results.Add([pscustomobject]@{ Index = $step.Index; Name = $step.Name; Ran = $false; ExitCode = $null; Ok = $true; Log = '' })
                continue
            }
            if ($step.Kind -eq 'checkout') {
                $null = $log.AppendLine($header).AppendLine('(the working folder already holds the repository and ./out/CrdbVault, the built module)')
                $results.Add([pscustomobject]@{ Index = $step.Index; Name = $step.Name; Ran = $true; ExitCode = 0; Ok = $true; Log = '' })
                continue
            }
            $environment = @{} + $agentEnv
            $script = ConvertTo-CrdbDocCode -Code "$($step.Script)" -Mapping $mapping -Values $values
            if ($Pipeline.System -eq 'AzureDevOps') {
                # Every variable that is not secret is in every step's environment (name in capitals, . → _).
                foreach ($v in $state.Variables.GetEnumerator()) { if (-not $v.Value.Secret) { $environment[$v.Key.ToUpperInvariant().Replace('.', '_')] = $v.Value.Value } }
                foreach ($e in $step.Env.GetEnumerator()) { $environment[$e.Key] = Expand-CrdbDocAzureMacro (ConvertTo-CrdbDocCode -Code $e.Value -Mapping $mapping -Values $values) $state.Variables }
                $script = Expand-CrdbDocAzureMacro $script $state.Variables
            }
            else {
                foreach ($e in $contexts.env.GetEnumerator()) { $environment[$e.Key] = $e.Value }
                $stepEnv = @{}
                foreach ($e in $step.Env.GetEnumerator()) { $stepEnv[$e.Key] = Expand-CrdbDocGitHubExpression (ConvertTo-CrdbDocCode -Code $e.Value -Mapping $mapping -Values $values) $contexts }
                $seen = $contexts.Clone()
                $seen.env = @{} + $contexts.env
                foreach ($e in $stepEnv.GetEnumerator()) { $seen.env[$e.Key] = $e.Value }
                $script = Expand-CrdbDocGitHubExpression $script $seen
                foreach ($e in $stepEnv.GetEnumerator()) { $environment[$e.Key] = $e.Value }
                $commands = Join-Path $temp '_runner_file_commands'
                New-CrdbDocPrivateFolder $commands
                $environment['GITHUB_ENV'] = Join-Path $commands "set_env_$([guid]::NewGuid().ToString('n'))"
                $environment['GITHUB_OUTPUT'] = Join-Path $commands "set_output_$([guid]::NewGuid().ToString('n'))"
                foreach ($f in $environment['GITHUB_ENV'], $environment['GITHUB_OUTPUT']) { [IO.File]::WriteAllText($f, '') }
            }
            # Both systems write the script to a file with this prologue and epilogue and run
            # pwsh -Command ". '<file>'" (PowerShell@2's errorActionPreference: stop; GitHub's shell: pwsh).
            $file = Join-Path $temp "$([guid]::NewGuid()).ps1"
            [IO.File]::WriteAllText($file, "`$ErrorActionPreference = 'Stop'`n$script`nif ((Test-Path -LiteralPath variable:\LASTEXITCODE)) { exit `$LASTEXITCODE }`n")
            $run = Invoke-CrdbDocStepProcess -ScriptPath $file -Folders $world.Folders -Environment $environment -TimeoutSeconds $mapping.FileTimeoutSeconds
            Remove-Item $file   # it may hold secrets expanded from macros

            $stepLog = [System.Text.StringBuilder]::new()
            foreach ($line in ($run.StdOut.TrimEnd("`r", "`n") -split "`r?`n" | Select-Object -Skip ([int] ($run.StdOut.Trim().Length -eq 0)))) { $null = $stepLog.AppendLine((Read-CrdbDocAgentLine $line $Pipeline.System $state)) }
            foreach ($line in ($run.StdErr -split "`r?`n" | Where-Object { $_ })) { $null = $stepLog.AppendLine((Hide-CrdbDocMasked $line $state)) }
            if ($run.TimedOut) { $null = $stepLog.AppendLine("##[error]The step ran out of time ($($mapping.FileTimeoutSeconds) s).") }
            if ($Pipeline.System -eq 'GitHub') {
                foreach ($e in (Read-CrdbDocGitHubFile $environment['GITHUB_ENV']).GetEnumerator()) { $contexts.env[$e.Key] = $e.Value }
                if ($step.Id) { $contexts.steps[$step.Id] = Read-CrdbDocGitHubFile $environment['GITHUB_OUTPUT'] }
            }
            $ok = $run.ExitCode -eq 0 -and -not $run.TimedOut
            $text = $stepLog.ToString().TrimEnd()
            $results.Add([pscustomobject]@{ Index = $step.Index; Name = $step.Name; Ran = $true; ExitCode = $run.ExitCode; Ok = $ok -or $step.ContinueOnError; Log = $text })
            $outcome = if ($ok) { 'succeeded' } elseif ($step.ContinueOnError) { 'failed, continueOnError' } else { 'failed' }
            # The script as it ran (macros and expressions expanded, masked), as GitHub shows it under "Run".
            $shown = (Hide-CrdbDocMasked $script.TrimEnd() $state) -split "`n" | ForEach-Object { "  | $_" }
            $null = $log.AppendLine($header).AppendLine('##[group]the script as it ran').AppendLine(($shown -join "`n")).AppendLine('##[endgroup]')
            $null = $log.AppendLine($text).AppendLine("##[section]Finishing: $($step.Name) (exit code $($run.ExitCode), $outcome)")
            if (-not $ok -and -not $step.ContinueOnError) { $failed = $true }
        }
        # No value registered as secret, at any time of the run, may stand in the log: a secret
        # printed before it was registered, or in a step that did not register it, is caught here.
        $leaks = @(foreach ($r in $results) {
                foreach ($s in $state.Secrets) { if ($r.Log.Contains($s)) { "step $($r.Index) ($($r.Name)) prints a value registered as secret ($($s.Length) characters) unmasked" } }
            })
        $text = Hide-CrdbDocMasked $log.ToString() $state
        [pscustomobject]@{ System = $Pipeline.System; Ok = -not $failed -and -not $leaks; Failed = $failed; Steps = @($results); Leaks = $leaks; Log = $text.TrimEnd() }
    }
    finally { Remove-CrdbDocWorld $world $Sandbox }
}

# Starts one step's pwsh as an agent does, in a clean environment (nothing of the caller's VAULT_*,
# CI or PSModulePath), HOME in the pipeline's home folder, the built module on PSModulePath (an
# agent with CrdbVault installed), the checkout as the working folder, and the step's environment.
function Invoke-CrdbDocStepProcess {
    param([string] $ScriptPath, [hashtable] $Folders, [hashtable] $Environment, [int] $TimeoutSeconds)
    $pwsh = Get-CrdbPwshCommand
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    foreach ($a in @($pwsh | Select-Object -Skip 1) + @('-NoLogo', '-NoProfile', '-NonInteractive', '-Command', ". '$($ScriptPath.Replace("'", "''"))'")) { $psi.ArgumentList.Add($a) }
    Set-CrdbDocProcessEnvironment $psi $Folders $Environment
    $process = [System.Diagnostics.Process]::Start($psi)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $timedOut = -not $process.WaitForExit($TimeoutSeconds * 1000)
    if ($timedOut) { $process.Kill($true); $process.WaitForExit() }
    [pscustomobject]@{ ExitCode = $process.ExitCode; TimedOut = $timedOut; StdOut = $stdout.Result; StdErr = $stderr.Result }
}
