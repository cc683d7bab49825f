@{
    RootModule           = 'EmptyModule.dll'
    ModuleVersion        = '1.0.0'
    GUID                 = '0b6f1c55-3d0e-4a5e-9d55-6f2f8c1a7e01'
    Author               = 'CrdbVault contributors'
    Description          = 'Baseline for the Import-Module benchmark: one trivial cmdlet, no dependencies.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    CmdletsToExport      = @('Get-Empty')
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
}
