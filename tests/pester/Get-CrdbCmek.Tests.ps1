#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxCloud $Sandbox
    $script:Role = 'arn:aws:iam::111122223333:role/crdb-cmek'
    function New-Spec([string] $Region, [string] $KeyId = '1234abcd-12ab-34cd-56ef-1234567890ab') {
        New-CrdbCmekRegionSpec -Region $Region -Type AWS_KMS -Uri "arn:aws:kms:${Region}:111122223333:key/$KeyId" -AuthPrincipal $Role
    }
    $script:Enabled = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
    $null = 'us-east-1', 'us-west-2' | ForEach-Object { New-Spec $_ } | Set-CrdbCmek -ClusterId $Enabled
    $script:Never = New-CrdbSandboxCluster $Sandbox -Region us-east-1
}
AfterAll {
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Get-CrdbCmek' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Get-CrdbCmek'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Get-CrdbCmek(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.CmekStatus'
    }

    It 'Example 1: a cluster that never had CMEK shows DISABLED with Configured = False' {
        $s = Get-CrdbCmek -ClusterId $Never
        $s.PSObject.TypeNames | Should -Contain 'CrdbVault.CmekStatus'
        $s.Status | Should -Be 'DISABLED'
        $s.Configured | Should -BeFalse
        $s.Regions.Count | Should -Be 0
    }

    It 'Example 1: an enabled cluster shows ENABLED in its default view' {
        $s = Get-CrdbCmek -ClusterId $Enabled
        $s.Status | Should -Be 'ENABLED'
        $s.Configured | Should -BeTrue
        ($s | Out-String) | Should -Match 'ENABLED'
    }

    It 'Example 2: Regions has one row per region with the key in force' {
        $rows = Get-CrdbCmek $Enabled | ForEach-Object Regions
        $rows.Region | Should -Be @('us-east-1', 'us-west-2')
        $rows | ForEach-Object { $_.KeyType | Should -Be 'AWS_KMS'; $_.Uri | Should -Match "^arn:aws:kms:$($_.Region):" }
        $table = Get-CrdbCmek $Enabled | ForEach-Object Regions | Format-Table Region, Status, KeyType, Uri, UpdatedAt | Out-String
        $table | Should -Match 'us-west-2'
    }

    It 'Example 3: the health check passes on a healthy cluster and throws naming a failed region' {
        $check = {
            param($ClusterId)
            $bad = Get-CrdbCmek -ClusterId $ClusterId | ForEach-Object Regions | Where-Object Status -ne 'ENABLED'
            if ($bad) { throw "CMEK not enabled in: $($bad.Region -join ', ')" }
        }
        { & $check $Enabled } | Should -Not -Throw

        $sick = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
        $null = 'us-east-1', 'us-west-2' | ForEach-Object { New-Spec $_ } | Set-CrdbCmek -ClusterId $sick
        Set-CrdbSandboxCloudFailure $Sandbox -ClusterId $sick -Kind cmek -Operation Rotate -Region us-west-2 -Message 'KMS key is disabled'
        try { $null = 'us-east-1', 'us-west-2' | ForEach-Object { New-Spec $_ '9876fedc-98fe-76dc-54ba-fedcba987654' } | Set-CrdbCmek -ClusterId $sick -Rotate }
        catch { $_.FullyQualifiedErrorId | Should -Match '^CloudOperationFailed,' }
        { & $check $sick } | Should -Throw 'CMEK not enabled in: us-west-2'
        (Get-CrdbCmek $sick).Regions.Where({ $_.Region -eq 'us-west-2' }).UserMessage | Should -Be 'KMS key is disabled'
    }

    It 'takes cluster ids from the pipeline; an unknown one is CloudNotFound and the rest go on' {
        $out = $Never, '3f0c1f9e-0000-4000-8000-000000000000', $Enabled | Get-CrdbCmek -ErrorVariable e -ErrorAction SilentlyContinue
        $out.ClusterId | Should -Be @($Never, $Enabled)
        $e[0].FullyQualifiedErrorId | Should -Match '^CloudNotFound,'
    }
}
