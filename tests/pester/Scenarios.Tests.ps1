#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# The user-level scenarios of tests/scenarios, run in real pwsh against the run's sandbox with the
# variables each documents (xunit runs the same files in the hosted engine).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $script:Work = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault -ErrorAction SilentlyContinue
    Remove-Item $script:Work -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Scenarios' {
    It 'DynamicCredentials: the credential lifecycle an admin types' {
        $result = Invoke-CrdbScenario DynamicCredentials -Variables @{
            VaultAddress     = $Sandbox.VaultAddress
            VaultToken       = $Sandbox.VaultToken
            SqlHost          = $Sandbox.PostgresHost
            SqlPort          = $Sandbox.PostgresPort
            SqlCa            = $Sandbox.PostgresCaCertificate
            SqlAdmin         = $Sandbox.AdminCredential.UserName
            SqlAdminPassword = $Sandbox.AdminCredential.GetNetworkCredential().Password
            Mount            = New-CrdbTestName 'scenario_db'
            GroupRole        = New-CrdbSandboxSqlRole $Sandbox
        }
        @($result)[-1] | Should -Be 'DynamicCredentials scenario passed'
    }

    It 'ClientCertificate: an empty PKI mount to a client certificate in a certs dir, checked and revoked' {
        $certs = Join-Path $Work 'certs'
        $null = New-Item -ItemType Directory $certs
        $result = Invoke-CrdbScenario ClientCertificate -Variables @{ VaultAddress = $Sandbox.VaultAddress; VaultToken = $Sandbox.VaultToken; CertsDir = $certs }
        @($result)[-1] | Should -Be 'ok'
    }

    It 'StoreKey: encryption-at-rest store keys from transit, lost and restored' {
        $null = Connect-CrdbSandboxVault $Sandbox
        $null = Enable-CrdbSandboxSecretsEngine $Sandbox -Type transit
        $result = Invoke-CrdbScenario StoreKey -Variables @{ VaultAddress = $Sandbox.VaultAddress; VaultToken = $Sandbox.VaultToken; WorkDir = $Work }
        @($result)[-1] | Should -Be 'StoreKey scenario passed'
    }

    It 'CloudClientCa: trust two Vault CAs in turn on a Cloud cluster' {
        $null = Connect-CrdbSandboxVault $Sandbox
        # In real use the PEMs come from Vault, as the scenario's header says.
        $ca = Initialize-CrdbCertificateAuthority -MountPath (New-CrdbTestName 'scenario_ca') -CommonName 'Scenario CA 1'
        $next = Initialize-CrdbCertificateAuthority -MountPath (New-CrdbTestName 'scenario_ca') -CommonName 'Scenario CA 2'
        $result = Invoke-CrdbScenario CloudClientCa -Variables @{
            CloudServer = $Sandbox.CloudServer; CloudApiKey = $Sandbox.CloudApiKey
            ClusterId   = New-CrdbSandboxCluster $Sandbox -Region us-east-1
            CaPem       = $ca.Pem; NextCaPem = $next.Pem
        }
        @($result)[-1] | Should -Be 'CloudClientCa scenario passed'
    }

    It 'Cmek: enable, refuse a second enable, rotate, add a region, read, revoke' {
        $result = Invoke-CrdbScenario Cmek -Variables @{
            CloudServer = $Sandbox.CloudServer; CloudApiKey = $Sandbox.CloudApiKey
            ClusterId   = New-CrdbSandboxCluster $Sandbox -Region us-east-1, us-west-2
            AllowRevoke = $true
        }
        @($result)[-1] | Should -Be 'Cmek scenario passed'
    }
}
