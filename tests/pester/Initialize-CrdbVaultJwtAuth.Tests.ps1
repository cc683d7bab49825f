#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbVault -Address $Sandbox.VaultAddress -Token (ConvertTo-SecureString $Sandbox.VaultToken -AsPlainText -Force)
    $script:Logins = $Sandbox.Secretless
}
AfterAll {
    foreach ($name in @($Sandbox.Job.Keys)) { Remove-Item "Env:$name" -ErrorAction SilentlyContinue }
    Disconnect-CrdbVault -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Initialize-CrdbVaultJwtAuth' {
    It 'is exported with help and an OutputType' {
        $facts = Get-CrdbCommandFacts 'Initialize-CrdbVaultJwtAuth'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.OutputType | Should -Contain 'CrdbVault.VaultJwtAuthRole'
    }

    It 'writes a pipeline role the pipeline then logs in with, and a second run writes nothing' {
        $mount = "jwt-ado-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $splat = @{ Name = 'nightly'; Policy = $Logins.policy; AzureDevOpsOrganizationId = $Logins.organization_id; ProjectId = $Logins.project_id
            PipelineDefinitionId = 7; AuthMount = $mount; TokenTtl = '30m'; TokenMaxTtl = '2h' }
        $first = Initialize-CrdbVaultJwtAuth @splat
        $first.PSObject.TypeNames | Should -Contain 'CrdbVault.VaultJwtAuthRole'
        $first.MountCreated | Should -BeTrue
        $first.RoleWritten | Should -BeTrue
        $first.BoundClaims.def_id | Should -Be '7'
        ($first | Format-Table | Out-String) | Should -Match $mount
        $second = Initialize-CrdbVaultJwtAuth @splat
        $second.MountCreated, $second.IssuerConfigured, $second.RoleWritten | Should -Not -Contain $true

        $env:SYSTEM_OIDCREQUESTURI = $Sandbox.Job.SYSTEM_OIDCREQUESTURI
        $env:SYSTEM_ACCESSTOKEN = $Sandbox.Job.SYSTEM_ACCESSTOKEN
        $job = Connect-CrdbVault -Address $Sandbox.VaultAddress -AzureDevOps -Role nightly -AuthMount $mount -NoDefault
        $job.Policies | Should -Contain $Logins.policy
    }

    It '-WhatIf changes nothing' {
        $mount = "jwt-gh-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        Initialize-CrdbVaultJwtAuth -Name deploy -Policy $Logins.policy -GitHubRepository crdbvault/infra -AuthMount $mount -WhatIf | Should -BeNullOrEmpty
        { Invoke-RestMethod -Uri "$($Sandbox.VaultAddress)/v1/sys/auth/$mount" -Headers @{ 'X-Vault-Token' = $Sandbox.VaultToken } } | Should -Throw
    }

    It 'refuses to re-point a mount that trusts another issuer' {
        { Initialize-CrdbVaultJwtAuth -Name x -Policy default -GitHubRepository crdbvault/infra -AuthMount jwt-azuredevops -ErrorAction Stop } |
            Should -Throw -ErrorId 'JwtMountConflict,*'
    }

    It 'refuses a GitHub repository that is not owner/repository' {
        { Initialize-CrdbVaultJwtAuth -Name x -Policy default -GitHubRepository crdbvault -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidJwtAuthArgument,*'
    }
}
