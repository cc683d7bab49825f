#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Enable-CrdbSandboxSecretsEngine $Sandbox -Type transit   # vault secrets enable transit
    $script:Keys = New-CrdbPrivateDirectory                             # install -d -m 700 ... cockroach-keys
    $script:Backup = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Keys, $script:Backup -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'New-CrdbStoreKey' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'New-CrdbStoreKey'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*New-CrdbStoreKey(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.StoreKey'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 1: writes a 64-byte v1 store key (0600) and a recovery record beside it, and never shows the key' {
        $path = Join-Path $Keys 'store-2026-11.key'
        $k = New-CrdbStoreKey -Path $path
        $k.PSObject.TypeNames | Should -Contain 'CrdbVault.StoreKey'
        $k.Path | Should -Be $path
        $k.KeySize | Should -Be 256
        $k.TransitMount | Should -Be 'transit'
        $k.TransitKey | Should -Be 'cockroach-ear'
        $k.Ciphertext | Should -Match '^vault:v\d+:'
        $k.RecoveryRecordPath | Should -Be "$path.vault.json"
        $bytes = [IO.File]::ReadAllBytes($path)
        $bytes.Length | Should -Be 64
        [Convert]::ToHexString($bytes, 0, 32).ToLowerInvariant() | Should -Be $k.KeyId
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($path) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }

        $aes = $bytes[32..63]
        $shown = ($k | Format-List * | Out-String) + ($k | Out-String) + "$k" + ($k | ConvertTo-Json) + [IO.File]::ReadAllText($k.RecoveryRecordPath)
        foreach ($form in [Convert]::ToBase64String($aes), [Convert]::ToHexString($aes)) {
            $shown | Should -Not -Match ([regex]::Escape($form))
        }
    }

    It 'Example 2: rotation makes a new file with a new key id; the recovery record is safe to copy to backups' {
        $old = Get-Item (Join-Path $Keys 'store-2026-11.key') -ErrorAction SilentlyContinue
        if (-not $old) { $null = New-CrdbStoreKey -Path (Join-Path $Keys 'store-2026-11.key') }
        $oldId = [Convert]::ToHexString([IO.File]::ReadAllBytes((Join-Path $Keys 'store-2026-11.key')), 0, 32).ToLowerInvariant()
        $new = New-CrdbStoreKey -Path (Join-Path $Keys 'store-2027-05.key') -KeySize 256
        $new.KeyId | Should -Not -Be $oldId
        Copy-Item $new.RecoveryRecordPath $Backup
        $record = Get-Content (Join-Path $Backup 'store-2027-05.key.vault.json') -Raw | ConvertFrom-Json
        $record | Should -Not -BeNullOrEmpty
        [IO.File]::ReadAllText($new.RecoveryRecordPath) | Should -Not -Match ([regex]::Escape([Convert]::ToBase64String([IO.File]::ReadAllBytes($new.Path)[32..63])))
    }

    It 'Example 3: -NoCreateTransitKey fails when the transit key is missing, and works with an existing one (128 bits)' {
        $mount = Enable-CrdbSandboxSecretsEngine $Sandbox -Type transit -Path "ops_$([guid]::NewGuid().ToString('n').Substring(0, 6))/transit"
        $path = Join-Path $Keys 'store-prod.key'
        { New-CrdbStoreKey -Path $path -TransitKey crdb-ear-prod -MountPath $mount -NoCreateTransitKey -KeySize 128 -ErrorAction Stop } | Should -Throw
        Test-Path $path | Should -BeFalse
        $null = Invoke-CrdbSandboxVaultApi $Sandbox POST "$mount/keys/crdb-ear-prod" -Body @{ type = 'aes256-gcm96' }
        $k = New-CrdbStoreKey -Path $path -TransitKey crdb-ear-prod -MountPath $mount -NoCreateTransitKey -KeySize 128
        [IO.File]::ReadAllBytes($path).Length | Should -Be 48
        $k.TransitMount | Should -Be $mount
    }

    It 'never replaces an existing file without -Force, and replaces it with -Force' {
        $path = Join-Path $Keys 'exists.key'
        $first = New-CrdbStoreKey -Path $path
        { New-CrdbStoreKey -Path $path -ErrorAction Stop } | Should -Throw -ErrorId 'StoreKeyExists,*'
        [Convert]::ToHexString([IO.File]::ReadAllBytes($path), 0, 32).ToLowerInvariant() | Should -Be $first.KeyId
        (New-CrdbStoreKey -Path $path -Force).KeyId | Should -Not -Be $first.KeyId
    }

    It 'refuses a folder others can read and a 192-bit key before asking Vault' -Skip:$IsWindows {
        $open = Join-Path ([IO.Path]::GetTempPath()) ('crdbvault-open-' + [guid]::NewGuid().ToString('n'))
        $null = [IO.Directory]::CreateDirectory($open, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute')
        try {
            $err = { New-CrdbStoreKey -Path (Join-Path $open 'k.key') -ErrorAction Stop } | Should -Throw -PassThru
            $err.Exception.Message | Should -Match 'chmod 700'
            Test-Path (Join-Path $open 'k.key') | Should -BeFalse
        }
        finally { Remove-Item $open -Recurse -Force }
        $err = { New-CrdbStoreKey -Path (Join-Path $Keys 'k192.key') -KeySize 192 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidStoreKeyArgument,*' -PassThru
        $err.Exception.Message | Should -Match '128, 256 or 512'
    }

    It '-WhatIf writes nothing' {
        $path = Join-Path $Keys 'whatif.key'
        New-CrdbStoreKey -Path $path -WhatIf | Should -BeNullOrEmpty
        Test-Path $path | Should -BeFalse
        Test-Path "$path.vault.json" | Should -BeFalse
    }
}
