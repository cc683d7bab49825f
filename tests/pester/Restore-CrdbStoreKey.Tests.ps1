#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-CrdbVaultModule
    $script:Sandbox = Start-CrdbSandbox
    $null = Connect-CrdbSandboxVault $Sandbox
    $null = Enable-CrdbSandboxSecretsEngine $Sandbox -Type transit
    $script:Keys = New-CrdbPrivateDirectory
    $script:Backup = New-CrdbPrivateDirectory
    $script:Spare = New-CrdbPrivateDirectory
}
AfterAll {
    Disconnect-CrdbVault
    Remove-Item $script:Keys, $script:Backup, $script:Spare -Recurse -Force -ErrorAction SilentlyContinue
    Stop-CrdbSandbox $script:Sandbox
}

Describe 'Restore-CrdbStoreKey' {
    It 'is exported with help, an OutputType and -WhatIf' {
        $facts = Get-CrdbCommandFacts 'Restore-CrdbStoreKey'
        $facts.Command | Should -Not -BeNullOrEmpty
        $facts.Synopsis | Should -Not -Match '^\s*Restore-CrdbStoreKey(\s|$)'
        $facts.OutputType | Should -Contain 'CrdbVault.StoreKey'
        $facts.Command.Parameters.Keys | Should -Contain 'WhatIf'
    }

    It 'Example 2: rebuilds the byte-identical key file (0600) from a backed-up recovery record' {
        $path = Join-Path $Keys 'store-2026-11.key'
        $k = New-CrdbStoreKey -Path $path
        $original = [IO.File]::ReadAllBytes($path)
        Copy-Item $k.RecoveryRecordPath $Backup
        Remove-Item $path   # the disk is lost
        $r = Restore-CrdbStoreKey -RecoveryRecord (Join-Path $Backup 'store-2026-11.key.vault.json') -Path $path
        $r.KeyId | Should -Be $k.KeyId
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($path)) | Should -Be ([Convert]::ToBase64String($original))
        if (-not $IsWindows) { [IO.File]::GetUnixFileMode($path) | Should -Be ([IO.UnixFileMode]'UserRead, UserWrite') }
    }

    It 'Example 1: straight from the object New-CrdbStoreKey returned, to another place' {
        $k = New-CrdbStoreKey -Path (Join-Path $Keys 'store-b.key')
        $spare = Join-Path $Spare 'store-b.key'
        $r = $k | Restore-CrdbStoreKey -Path $spare
        $r.Path | Should -Be $spare
        [Convert]::ToBase64String([IO.File]::ReadAllBytes($spare)) | Should -Be ([Convert]::ToBase64String([IO.File]::ReadAllBytes($k.Path)))
    }

    It 'Example 3: every record of a node after a -WhatIf preview; existing files are not replaced without -Force' {
        $node = New-CrdbPrivateDirectory
        $restoreTo = New-CrdbPrivateDirectory
        try {
            $made = 'store-1.key', 'store-2.key' | ForEach-Object { New-CrdbStoreKey -Path (Join-Path $node $_) }
            $records = Get-ChildItem (Join-Path $node '*.vault.json')
            $records | ForEach-Object { Restore-CrdbStoreKey -RecoveryRecord $_.FullName -Path (Join-Path $restoreTo ($_.Name -replace '\.vault\.json$')) -WhatIf }
            @(Get-ChildItem $restoreTo).Count | Should -Be 0
            $records | ForEach-Object { Restore-CrdbStoreKey -RecoveryRecord $_.FullName -Path (Join-Path $restoreTo ($_.Name -replace '\.vault\.json$')) }
            foreach ($k in $made) {
                [Convert]::ToBase64String([IO.File]::ReadAllBytes((Join-Path $restoreTo (Split-Path $k.Path -Leaf)))) |
                    Should -Be ([Convert]::ToBase64String([IO.File]::ReadAllBytes($k.Path)))
            }
            { Restore-CrdbStoreKey -RecoveryRecord $records[0].FullName -Path (Join-Path $restoreTo ($records[0].Name -replace '\.vault\.json$')) -ErrorAction Stop } |
                Should -Throw
        }
        finally { Remove-Item $node, $restoreTo -Recurse -Force }
    }

    It 'refuses a record whose wrapped key was altered, or that names another transit key, and writes nothing' {
        # (A record whose KeyId alone was edited is NOT refused today: see the report for issue 9.)
        $k = New-CrdbStoreKey -Path (Join-Path $Keys 'store-c.key')
        $null = Invoke-CrdbSandboxVaultApi $Sandbox POST 'transit/keys/other-key' -Body @{ type = 'aes256-gcm96' }
        $record = Get-Content $k.RecoveryRecordPath -Raw | ConvertFrom-Json
        $alteredCiphertext = $record.PSObject.Copy()
        $alteredCiphertext.Ciphertext = $record.Ciphertext.Substring(0, $record.Ciphertext.Length - 8) + 'AAAAAAAA'
        $otherKey = $record.PSObject.Copy()
        $otherKey.TransitKey = 'other-key'
        foreach ($bad in $alteredCiphertext, $otherKey) {
            $file = Join-Path $Backup "bad-$([guid]::NewGuid().ToString('n')).vault.json"
            $bad | ConvertTo-Json | Set-Content $file
            $target = Join-Path $Spare 'bad.key'
            { Restore-CrdbStoreKey -RecoveryRecord $file -Path $target -ErrorAction Stop } | Should -Throw
            Test-Path $target | Should -BeFalse
        }
    }
}
