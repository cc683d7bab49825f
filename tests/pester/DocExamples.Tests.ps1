#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The docs are tests: every ```powershell block of README.md, docs/*.md and docs/cmdlets/*.md (the
# generated help's examples) runs, file by file and in order, in a fresh real pwsh against the run's
# sandbox (`serve`), with the example hosts and paths mapped through DocExamples.Mapping.psd1. A block
# that cannot run here carries <!-- docs-test skip: <reason> --> right above it and is reported as
# skipped with that reason. Each block is one test: it fails when it throws or writes an error.
# docs/testing.md, "Docs as tests", has the rules.
BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
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
                        if ($title.Length -gt 70) { $title = $title.Substring(0, 67) + '...' }
                        @{ File = $name; Index = $_.Index; Line = $_.Line; Skip = $_.Skip; Title = $title; Code = $_.Code }
                    })
            }
        }
    }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    Import-CrdbVaultModule   # only to check the module is built; the blocks run in their own pwsh
    $script:Sandbox = Start-CrdbSandbox
    $script:Clock = [System.Diagnostics.Stopwatch]::StartNew()
    $script:Tally = @{ Run = 0; Passed = 0; Marked = [ordered]@{}; Files = 0 }
}

AfterAll {
    if ($script:Tally) {
        $failed = $script:Tally.Run - $script:Tally.Passed
        $marked = ($script:Tally.Marked.Values | Measure-Object -Sum).Sum
        Write-Host ("DOCS-AS-TESTS {0} blocks run ({1} passed, {2} failed), {3} marked not runnable, {4} files, {5:0} s" -f `
                $script:Tally.Run, $script:Tally.Passed, $failed, [int] $marked, $script:Tally.Files, $script:Clock.Elapsed.TotalSeconds)
        foreach ($reason in $script:Tally.Marked.Keys) { Write-Host "  marked ($($script:Tally.Marked[$reason])): $reason" }
    }
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Docs as tests' {
    Context '<Name>' -ForEach $DocFiles {
        BeforeAll {
            $toRun = @($Blocks | Where-Object { -not $_.Skip })
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
