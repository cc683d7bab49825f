#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The docs are tests: every ```powershell block of README.md, docs/*.md and docs/cmdlets/*.md (the
# generated help's examples) runs, file by file and in order, in a fresh real pwsh against the run's
# sandbox (`serve`), with the example hosts and paths mapped through DocExamples.Mapping.psd1. A block
# that cannot run here carries <!-- docs-test skip: <reason> --> right above it and is reported as
# skipped with that reason. Each block is one test: it fails when it throws or writes an error.
# Every ```yaml block that is a pipeline (Azure DevOps or GitHub Actions steps) runs too, step by step
# as an agent runs it (DocPipelines.ps1), and prints its masked agent log; one test per pipeline.
# docs/testing.md, "Docs as tests", has the rules.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    . (Join-Path $PSScriptRoot 'DocPipelines.ps1')
    # $env:CRDBVAULT_DOCS_FILES = 'docs/cloud.md' (a -like pattern) runs only those files, for work on one page.
    $only = if ($env:CRDBVAULT_DOCS_FILES) { $env:CRDBVAULT_DOCS_FILES } else { '*' }
    $script:DocFiles = foreach ($name in Get-CrdbDocFile -RepoRoot $script:CrdbRepoRoot | Where-Object { $_ -like $only }) {
        $blocks = @(Get-CrdbDocBlock -Path (Join-Path $script:CrdbRepoRoot $name) -Name $name)
        if ($blocks) {
            @{
                Name   = $name
                Blocks = @($blocks | ForEach-Object {
                        $first = ($_.Code -split "`n" | Where-Object { $_.Trim() -and -not $_.Trim().StartsWith('#') } | Select-Object -First 1)
                        $title = if ($first) { $first.Trim() } else { '(comments only)' }
                        $pipeline = $null
                        if ($_.Language -eq 'yaml' -and -not $_.Skip) {
                            # Read here for the title; a block YamlDotNet or the runner cannot read fails its test.
                            try {
                                $pipeline = Read-CrdbDocPipeline -Yaml $_.Code
                                $title = if ($pipeline.NotAPipeline) { "yaml: $($pipeline.NotAPipeline)" } else { "$($pipeline.System) pipeline, $($pipeline.Steps.Count) steps" }
                            }
                            catch { $pipeline = [pscustomobject]@{ NotAPipeline = $null; Error = "$_" }; $title = 'yaml: unreadable' }
                        }
                        if ($title.Length -gt 70) { $title = $title.Substring(0, 67) + '...' }
                        @{ File = $name; Index = $_.Index; Line = $_.Line; Skip = $_.Skip; Title = $title; Code = $_.Code; Language = $_.Language; Pipeline = $pipeline }
                    })
            }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    . (Join-Path $PSScriptRoot 'DocPipelines.ps1')
    Import-CrdbVaultModule   # only to check the module is built; the blocks run in their own pwsh
    $script:Sandbox = Start-CrdbSandbox
    $script:Clock = [System.Diagnostics.Stopwatch]::StartNew()
    $script:Tally = @{ Run = 0; Passed = 0; Marked = [ordered]@{}; Files = 0; Pipelines = 0; PipelinesPassed = 0; Steps = 0; NotPipelines = 0 }
}

AfterAll {
    if ($script:Tally) {
        $failed = $script:Tally.Run - $script:Tally.Passed
        $marked = ($script:Tally.Marked.Values | Measure-Object -Sum).Sum
        $t = $script:Tally
        Write-Host ("DOCS-AS-TESTS {0} blocks run ({1} passed, {2} failed), {3} pipelines run ({4} steps; {5} passed, {6} failed), {7} marked not runnable, {8} yaml not a pipeline, {9} files, {10:0} s" -f `
                $t.Run, $t.Passed, $failed, $t.Pipelines, $t.Steps, $t.PipelinesPassed, ($t.Pipelines - $t.PipelinesPassed), [int] $marked, $t.NotPipelines, $t.Files,
            $script:Clock.Elapsed.TotalSeconds)
        foreach ($reason in $script:Tally.Marked.Keys) { Write-Host "  marked ($($script:Tally.Marked[$reason])): $reason" }
    }
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Docs as tests' {
    Context '<Name>' -ForEach $DocFiles {
        BeforeAll {
            $toRun = @($Blocks | Where-Object { -not $_.Skip -and $_.Language -eq 'powershell' })
            $script:Tally.Files++
            $script:Run = if ($toRun) { Invoke-CrdbDocFile -Sandbox $script:Sandbox -Blocks $toRun } else { $null }
            $script:Session = if ($script:Run) { $script:Run.Results | Where-Object Index -eq -1 } else { $null }
        }

        It '<File>:<Line> <Title>' -ForEach $Blocks {
            if ($Skip) {
                $script:Tally.Marked[$Skip] = 1 + [int] $script:Tally.Marked[$Skip]
                Set-ItResult -Skipped -Because "marked in the markdown: $Skip"
                return
            }
            if ($Language -eq 'yaml') {
                if ($Pipeline.PSObject.Properties['Error']) { throw "${File}:$Line cannot be read as YAML or as a pipeline: $($Pipeline.Error)" }
                if ($Pipeline.NotAPipeline) {
                    $script:Tally.NotPipelines++
                    Set-ItResult -Skipped -Because "a yaml block that is $($Pipeline.NotAPipeline): nothing to run"
                    return
                }
                $script:Tally.Pipelines++
                $run = Invoke-CrdbDocPipeline -Sandbox $script:Sandbox -Pipeline $Pipeline
                $script:Tally.Steps += @($run.Steps | Where-Object Ran).Count
                # Always printed: what an agent's log of this pipeline shows (secrets masked as it masks them).
                Write-Host "----- ${File}:$Line, $($script:CrdbDocSystemNames[$run.System]) run, each step in a new pwsh (masked agent log)"
                Write-Host $run.Log
                $run.Leaks | Should -BeNullOrEmpty -Because 'no value registered as secret may stand unmasked in the log'
                $failedSteps = @($run.Steps | Where-Object { -not $_.Ok } | ForEach-Object { "step $($_.Index) ($($_.Name)) exit code $($_.ExitCode)" })
                $failedSteps | Should -BeNullOrEmpty -Because 'every step of a docs pipeline succeeds (continueOnError / continue-on-error marks one expected to fail)'
                $run.Ok | Should -BeTrue
                $script:Tally.PipelinesPassed++
                return
            }
            $script:Tally.Run++
            # The session every block runs in (Connect-CrdbVault, Connect-CrdbCloud) must work first.
            if ($script:Session -and -not $script:Session.Ok) { throw "the file's session did not start: $($script:Session.Errors -join '; ')" }
            $result = $script:Run.Results | Where-Object Index -eq $Index
            if (-not $result) {
                $why = if ($script:Run.TimedOut) { 'the file ran out of time (FileTimeoutSeconds in DocExamples.Mapping.psd1)' } else { "pwsh exited with $($script:Run.ExitCode)" }
                throw "the block did not run: $why.`n$($script:Run.Log)"
            }
            if (-not $result.Ok) {
                throw ("{0}:{1} failed:`n  {2}`nwarnings: {3}`noutput:`n{4}" -f $File, $Line, ($result.Errors -join "`n  "), ($result.Warnings -join ' | '), $result.Output)
            }
            $script:Tally.Passed++
            # To read what the examples print (secrets masked by the driver): $env:CRDBVAULT_DOCS_OUTPUT = '1'.
            if ($env:CRDBVAULT_DOCS_OUTPUT) {
                Write-Host "----- ${File}:$Line ($($result.Seconds) s)"
                foreach ($w in $result.Warnings) { Write-Host "WARNING: $w" }
                Write-Host $result.Output.TrimEnd()
            }
            $result.Ok | Should -BeTrue
        }
    }
}

# The reader and the mapping on their own, with small markdown files: what counts as a block, what a
# mark must look like, and that the mapping never rewrites a sandbox value it has put in.
Describe 'Docs as tests: reading the markdown and applying the mapping' {
    BeforeAll {
        $script:Md = Join-Path ([IO.Path]::GetTempPath()) "crdbvault-docs-reader-$([guid]::NewGuid().ToString('n')).md"
        function Read-Blocks([string] $Text) { Set-Content -Path $script:Md -Value $Text; @(Get-CrdbDocBlock -Path $script:Md -Name 'x.md') }
    }
    AfterAll { Remove-Item $script:Md -ErrorAction SilentlyContinue }

    It 'finds ```powershell and ```pwsh blocks, not a block shown inside a longer fence, not other languages' {
        $blocks = Read-Blocks @'
```powershell
Get-A
```
````markdown
```powershell
Not-Me
```
````
~~~pwsh
Get-B
~~~
```bash
ls
```
'@
        $blocks.Code | Should -Be @('Get-A', 'Get-B')
        $blocks.Line | Should -Be @(1, 9)
        $blocks.Skip | Should -Be @($null, $null)
    }

    It 'finds ```yaml and ```yml blocks, with their language and marks' {
        $blocks = Read-Blocks "``````yaml`n- pwsh: a`n```````n<!-- docs-test skip: needs a real agent -->`n``````yml`nx: 1`n```````n``````powershell`nGet-A`n```````n"
        $blocks.Language | Should -Be @('yaml', 'yaml', 'powershell')
        $blocks.Skip | Should -Be @($null, 'needs a real agent', $null)
    }

    It 'takes a mark on the last non-blank line before the fence, with its reason' {
        $blocks = Read-Blocks "Text.`n<!-- docs-test skip: needs a real agent -->`n`n``````powershell`nGet-A`n```````n"
        $blocks[0].Skip | Should -Be 'needs a real agent'
    }

    It 'refuses <What>' -ForEach @(
        @{ What = 'a mark without a reason'; Text = "<!-- docs-test skip: -->`n``````powershell`nA`n```````n"; Error = 'docs-test skip: <why' }
        @{ What = 'a misspelt mark'; Text = "<!-- docs-test skipp: x -->`n``````powershell`nA`n```````n"; Error = 'docs-test skip: <why' }
        @{ What = 'a mark with text between it and the block'; Text = "<!-- docs-test skip: x -->`nProse.`n``````powershell`nA`n```````n"; Error = 'last line before' }
        @{ What = 'a mark above another language'; Text = "<!-- docs-test skip: x -->`n``````bash`nls`n```````n"; Error = 'this one is' }
        @{ What = 'a mark at the end of the file'; Text = "Text`n<!-- docs-test skip: x -->`n"; Error = 'last line before' }
        @{ What = 'an unclosed fence'; Text = "``````powershell`nA`n"; Error = 'not closed' }
    ) {
        { Read-Blocks $Text } | Should -Throw "*$Error*"
    }

    It 'maps longer texts first and never rewrites a value it put in' {
        $mapping = @{ Text = @(
                @{ Docs = 'crdb.example.com:26257'; Sandbox = '{SQL_HOST}:{SQL_PORT}' }
                @{ Docs = 'crdb.example.com'; Sandbox = '{SQL_HOST}' }
                @{ Docs = '/var/lib/'; Sandbox = '{ROOT}/var/lib/' }
                @{ Docs = '/etc/'; Sandbox = '{ROOT}/etc/' }
            )
        }
        # A root that itself contains /etc/: the marker step keeps it from being mapped twice.
        $values = @{ SQL_HOST = '127.0.0.1'; SQL_PORT = '5433'; ROOT = '/tmp/x/etc/root' }
        $code = ConvertTo-CrdbDocCode -Code "Test -Server crdb.example.com -Url 'postgresql://crdb.example.com:26257/db' -Path /var/lib/k /etc/app" -Mapping $mapping -Values $values
        $code | Should -Be "Test -Server 127.0.0.1 -Url 'postgresql://127.0.0.1:5433/db' -Path /tmp/x/etc/root/var/lib/k /tmp/x/etc/root/etc/app"
    }

    It 'keeps the logging commands but not the secrets in a log it prints' {
        $log = "##vso[task.setsecret]s3cr3t-pw`n::add-mask::s3cr3t-pw`n##vso[task.setvariable variable=DB_PASSWORD;issecret=true;isoutput=false]s3cr3t-pw`n##vso[task.setvariable variable=DB_USER;issecret=false;isoutput=false]app_user`nplain line"
        $shown = Hide-CrdbDocCiSecret $log
        $shown | Should -Not -Match 's3cr3t'
        $shown | Should -Match '(?m)^##vso\[task\.setsecret\]\*\*\*$'
        $shown | Should -Match 'variable=DB_PASSWORD;issecret=true;isoutput=false\]\*\*\*'
        $shown | Should -Match 'DB_USER;issecret=false;isoutput=false\]app_user'
    }

    It 'refuses a placeholder it does not know' {
        { Resolve-CrdbDocTemplate '{NO_SUCH}' @{} } | Should -Throw '*{NO_SUCH}*'
    }

    It 'finds every docs file, README first and the cmdlet help last, and every mark there has a reason' {
        $files = @(Get-CrdbDocFile -RepoRoot $script:CrdbRepoRoot)
        $files[0] | Should -Be 'README.md'
        $files | Should -Contain 'docs/cloud.md'
        $files[-1] | Should -BeLike 'docs/cmdlets/*.md'
        foreach ($f in $files) { { Get-CrdbDocBlock -Path (Join-Path $script:CrdbRepoRoot $f) -Name $f } | Should -Not -Throw }
    }
}

# The pipeline runner on its own (DocPipelines.ps1): reading the YAML, and two small pipelines run
# against the sandbox that exercise what an agent does between steps.
Describe 'Docs as tests: running pipelines as an agent does' {
    It 'reads Azure DevOps steps with env, condition and displayName' {
        $p = Read-CrdbDocPipeline -Yaml @'
- pwsh: |
    Write-Host one
  displayName: First
  env:
    A: $(VarA)   # a comment YAML drops
- powershell: Write-Host two
  condition: always()
  continueOnError: true
'@
        $p.System | Should -Be 'AzureDevOps'
        $p.Steps.Count | Should -Be 2
        $p.Steps[0].Name | Should -Be 'First'
        $p.Steps[0].Script | Should -Be "Write-Host one`n"
        $p.Steps[0].Env['A'] | Should -Be '$(VarA)'
        $p.Steps[1].Kind | Should -Be 'powershell'
        $p.Steps[1].Condition | Should -Be 'always()'
        $p.Steps[1].ContinueOnError | Should -BeTrue
    }

    It 'reads GitHub Actions jobs with shell: pwsh, if: and env:' {
        $p = Read-CrdbDocPipeline -Yaml @'
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      JOB_WIDE: x
    steps:
      - uses: actions/checkout@v4
      - name: Get it
        id: get
        shell: pwsh
        run: Write-Host hi
        env:
          S: ${{ secrets.S }}
      - shell: pwsh
        if: ${{ always() }}
        run: Write-Host bye
'@
        $p.System | Should -Be 'GitHub'
        $p.Steps.Kind | Should -Be @('checkout', 'run', 'run')
        $p.Steps[1].Id | Should -Be 'get'
        $p.Steps[1].Env['S'] | Should -Be '${{ secrets.S }}'
        $p.Env['JOB_WIDE'] | Should -Be 'x'
        Test-CrdbDocStepCondition $p.Steps[2].Condition $true | Should -BeTrue
    }

    It 'says a manifest is not a pipeline' {
        (Read-CrdbDocPipeline -Yaml "region_specs:`n  - region: us-east-1`n").NotAPipeline | Should -BeLike 'not a pipeline*region_specs*'
    }

    It 'refuses <What>' -ForEach @(
        @{ What = 'a bash step'; Yaml = "- bash: echo hi`n"; Error = "*'bash' step*mark the block*" }
        @{ What = 'a GitHub step in another shell'; Yaml = "- run: echo hi`n  shell: bash`n"; Error = "*shell 'bash'*" }
        @{ What = 'steps of both systems'; Yaml = "- pwsh: a`n- run: b`n  shell: pwsh`n"; Error = '*mix*' }
    ) {
        { Read-CrdbDocPipeline -Yaml $Yaml } | Should -Throw $Error
    }

    It 'evaluates the conditions an agent knows, and refuses others' {
        Test-CrdbDocStepCondition $null $false | Should -BeTrue
        Test-CrdbDocStepCondition $null $true | Should -BeFalse
        Test-CrdbDocStepCondition 'always()' $true | Should -BeTrue
        Test-CrdbDocStepCondition 'failed()' $false | Should -BeFalse
        Test-CrdbDocStepCondition 'failure()' $true | Should -BeTrue
        { Test-CrdbDocStepCondition "eq(variables['x'], 'y')" $false } | Should -Throw '*cannot evaluate*'
    }

    It 'expands known Azure DevOps macros and leaves unknown ones as they are' {
        $vars = [ordered]@{ Known = [pscustomobject]@{ Value = 'v'; Secret = $false } }
        Expand-CrdbDocAzureMacro 'a $(Known) b $(Unknown) c $(Get-Date)' $vars | Should -Be 'a v b $(Unknown) c $(Get-Date)'
    }

    It 'reads GITHUB_ENV entries, heredocs included' {
        $f = New-TemporaryFile
        try {
            Set-Content $f "A=1`nB<<ghadelimiter_x`nline 1`nline 2`nghadelimiter_x`nC=x=y"
            $e = Read-CrdbDocGitHubFile $f.FullName
            $e['A'] | Should -Be '1'
            $e['B'] | Should -Be "line 1`nline 2"
            $e['C'] | Should -Be 'x=y'
        }
        finally { Remove-Item $f }
    }

    It 'runs Azure DevOps steps in new processes: variables, macros, secret rules, conditions, masking' {
        $p = Read-CrdbDocPipeline -Yaml @'
- pwsh: |
    Write-Host "early: not-yet-secret-1234567"
    $global:InMemory = 'gone'
    Write-Host "##vso[task.setvariable variable=Token;issecret=true]not-yet-secret-1234567"
    Write-Host "##vso[task.setvariable variable=Plain]50%AZP25 off"
    Write-Host "##vso[task.setsecret]second-secret-abcdefg"
  displayName: one
- pwsh: |
    Write-Host "macro: $(Token) env: [$env:TOKEN] plain env: [$env:PLAIN] mapped: [$env:MAPPED] memory: [$global:InMemory]"
    Write-Host ('unknown: $(NoSuchVar)')
    Write-Host "second-secret-abcdefg"
    exit 3
  env:
    MAPPED: $(Token)
- pwsh: Write-Host 'not run after a failure'
- pwsh: Write-Host "always ran, TF_BUILD=$env:TF_BUILD, secret variable [$env:VAULTSECRETID], plain one [$env:VAULTROLEID]"
  condition: always()
'@
        $run = Invoke-CrdbDocPipeline -Sandbox $script:Sandbox -Pipeline $p
        $run.Ok | Should -BeFalse
        $run.Failed | Should -BeTrue
        $run.Steps.Ran | Should -Be @($true, $true, $false, $true)
        # pwsh -Command ". 'file'" (the agents' command) exits 1 for a script's `exit 3`.
        $run.Steps[1].ExitCode | Should -Not -Be 0
        # Printed before it was registered: the agent cannot mask it, and the test says so.
        $run.Leaks | Should -HaveCount 1
        $run.Leaks[0] | Should -BeLike 'step 1 (one)*'
        $run.Steps[0].Log | Should -Match '(?m)^##vso\[task\.setvariable variable=Token;issecret=true\]\*\*\*$'
        $run.Steps[0].Log | Should -Match '(?m)^##vso\[task\.setsecret\]\*\*\*$'
        $run.Steps[1].Log | Should -Match ([regex]::Escape('macro: *** env: [] plain env: [50% off] mapped: [***] memory: []'))
        $run.Steps[1].Log | Should -Match ([regex]::Escape('unknown: $(NoSuchVar)'))
        $run.Steps[1].Log | Should -Not -Match 'second-secret'
        $run.Steps[3].Log | Should -Match ([regex]::Escape('always ran, TF_BUILD=True, secret variable [], plain one [')) 
        $run.Log | Should -Match 'Skipping'
    }

    It 'runs GitHub Actions steps: GITHUB_ENV and GITHUB_OUTPUT between steps, secrets and vars, add-mask, if: always()' {
        $p = Read-CrdbDocPipeline -Yaml @'
jobs:
  j:
    steps:
      - shell: pwsh
        id: first
        run: |
          "::add-mask::gh-secret-value-987"
          Add-Content $env:GITHUB_ENV "FROM_ONE<<EOF_1`ngh-secret-value-987`nEOF_1"
          Add-Content $env:GITHUB_OUTPUT "answer=42"
          Write-Host "vars: ${{ vars.VAULT_ADDR }} runner temp set: $([bool]$env:RUNNER_TEMP)"
      - shell: pwsh
        run: |
          Write-Host "env: [$env:FROM_ONE] output: [${{ steps.first.outputs.answer }}] secret: [${{ secrets.VAULT_SECRET_ID }}] gh: [$env:GITHUB_ACTIONS] tf: [$env:TF_BUILD]"
          throw 'boom'
      - shell: pwsh
        run: Write-Host 'not run'
      - shell: pwsh
        if: always()
        run: Write-Host "cleanup ran"
'@
        $run = Invoke-CrdbDocPipeline -Sandbox $script:Sandbox -Pipeline $p
        $run.Failed | Should -BeTrue
        $run.Leaks | Should -BeNullOrEmpty
        $run.Steps.Ran | Should -Be @($true, $true, $false, $true)
        $run.Steps[0].Log | Should -Match '(?m)^::add-mask::\*\*\*$'
        $run.Steps[0].Log | Should -Match 'vars: http://127\.0\.0\.1:\d+ runner temp set: True'
        $run.Steps[1].Log | Should -Match ([regex]::Escape('env: [***] output: [42] secret: [***] gh: [true] tf: []'))
        $run.Steps[3].Log | Should -Match 'cleanup ran'
    }
}
