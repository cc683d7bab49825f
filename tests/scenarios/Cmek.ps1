# User-level scenario: customer-managed encryption keys on a CockroachDB Cloud cluster (AWS).
# Core language only; throws on failure. Receives $CloudServer, $CloudApiKey, $ClusterId; optional
# $Regions (the cluster's regions, default us-east-1, us-west-2), $NewRegion (added with CMEK,
# default eu-west-1) and $AllowRevoke ($true only on a throwaway cluster: revocation makes it unreadable).
# In real use the specs come from Vault: New-CrdbCmekKey ... | Set-CrdbCmek -ClusterId $ClusterId.
$ErrorActionPreference = 'Stop'
if (-not $Regions) { $Regions = @('us-east-1', 'us-west-2') }
if (-not $NewRegion) { $NewRegion = 'eu-west-1' }

function New-Spec([string] $Region, [string] $KeyId) {
    [pscustomobject]@{
        PSTypeName    = 'CrdbVault.CmekKeySpec'
        Region        = $Region
        Type          = 'AWS_KMS'
        Uri           = "arn:aws:kms:${Region}:111122223333:key/$KeyId"
        AuthPrincipal = 'arn:aws:iam::111122223333:role/crdb-cmek'
    }
}
$keyA = '1234abcd-12ab-34cd-56ef-1234567890ab'
$keyB = '9876fedc-98fe-76dc-54ba-fedcba987654'

$null = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword)

# 1. Enable: one key per region, piped; waits until every region is ENABLED.
$on = $Regions | ForEach-Object { New-Spec $_ $keyA } | Set-CrdbCmek -ClusterId $ClusterId
if ($on.Status -ne 'ENABLED') { throw "after enabling, CMEK is $($on.Status)" }
if ($on.Regions.Count -ne $Regions.Count) { throw "expected $($Regions.Count) regions, got $($on.Regions.Count)" }

# 2. Enabling again is refused with advice to rotate.
$told = $false
try { $Regions | ForEach-Object { New-Spec $_ $keyA } | Set-CrdbCmek -ClusterId $ClusterId }
catch { $told = $_.FullyQualifiedErrorId -like 'CmekAlreadyEnabled*' -and $_.Exception.Message -like '*-Rotate*' }
if (-not $told) { throw 'a second enable did not point to -Rotate' }

# 3. Rotate to new keys.
$rotated = $Regions | ForEach-Object { New-Spec $_ $keyB } | Set-CrdbCmek -ClusterId $ClusterId -Rotate
foreach ($r in $rotated.Regions) {
    if ($r.Status -ne 'ENABLED' -or $r.Uri -notlike "*$keyB") { throw "region $($r.Region) is $($r.Status) with $($r.Uri) after rotation" }
}

# 4. Add a region with its key.
$grown = New-Spec $NewRegion $keyB | Set-CrdbCmek -ClusterId $ClusterId -AddRegion @{ $NewRegion = 3 }
if (-not ($grown.Regions | Where-Object { $_.Region -eq $NewRegion -and $_.Status -eq 'ENABLED' })) { throw "$NewRegion is not ENABLED after -AddRegion" }

# 5. Status as a user reads it.
$now = Get-CrdbCmek -ClusterId $ClusterId
if ($now.Status -ne 'ENABLED' -or $now.Regions.Count -ne $Regions.Count + 1) { throw "Get-CrdbCmek shows $($now.Status) with $($now.Regions.Count) regions" }

# 6. Revoke: deliberate, never by accident.
if ($AllowRevoke) {
    $gone = Revoke-CrdbCmek -ClusterId $ClusterId -Confirm:$false
    if ($gone.Status -ne 'REVOKED') { throw "after revoking, CMEK is $($gone.Status)" }
}

'Cmek scenario passed'
