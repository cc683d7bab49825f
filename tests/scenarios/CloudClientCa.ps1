# User-level scenario: trust a CA for SQL client certificates on a CockroachDB Cloud cluster.
# Core language only; throws on failure. Receives $CloudServer, $CloudApiKey, $ClusterId and
# $CaPem / $NextCaPem (two CA certificates as PEM; in real use: (Get-CrdbCertificateAuthority).Pem).
$ErrorActionPreference = 'Stop'

$cloud = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword)
if ($cloud.PSObject.TypeNames[0] -ne 'CrdbVault.CloudConnection') { throw "expected a CrdbVault.CloudConnection, got $($cloud.PSObject.TypeNames[0])" }
if ("$cloud" -like "*$CloudApiKey*") { throw 'the connection shows the API key' }

# 1. A CA object as Get-CrdbCertificateAuthority emits it, piped: bound by property name, set, waited for.
$ca = [pscustomobject]@{
    PSTypeName  = 'CrdbVault.CertificateAuthority'
    Pem         = $CaPem
    Certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($CaPem)
}
$set = $ca | Set-CrdbClientCaCert -ClusterId $ClusterId
if ($set.Status -ne 'IS_SET') { throw "after Set-CrdbClientCaCert the status is $($set.Status), expected IS_SET" }
if ($set.Thumbprint -ne $ca.Certificate.Thumbprint) { throw 'the Cloud holds another certificate than the one set' }

# 2. Read back.
$got = Get-CrdbClientCaCert -ClusterId $ClusterId
if ($got.Status -ne 'IS_SET' -or $got.Subject -ne $ca.Certificate.Subject) { throw "Get-CrdbClientCaCert shows $($got.Status) $($got.Subject)" }

# 3. Rollover: old + new CA as one bundle (clients with either certificate keep working), then the new one alone.
$bundle = Set-CrdbClientCaCert -ClusterId $ClusterId -Certificate ($CaPem + "`n" + $NextCaPem)
if ($bundle.Certificates.Count -ne 2) { throw "the rollover bundle holds $($bundle.Certificates.Count) CAs, expected 2" }
$next = Set-CrdbClientCaCert -ClusterId $ClusterId -Certificate $NextCaPem
if ($next.Certificates.Count -ne 1 -or $next.Thumbprint -eq $set.Thumbprint) { throw 'the new CA did not replace the bundle' }

# 4. A private key is refused before anything is sent.
$refused = $false
try { Set-CrdbClientCaCert -ClusterId $ClusterId -Certificate ($NextCaPem + "-----BEGIN PRIVATE KEY-----`nAAAA`n-----END PRIVATE KEY-----`n") }
catch { $refused = $_.FullyQualifiedErrorId -like 'InvalidClientCaCertificate*' }
if (-not $refused) { throw 'a PEM with a private key was not refused' }

# 5. Remove, waited for.
$removed = Remove-CrdbClientCaCert -ClusterId $ClusterId -Confirm:$false
if ($removed.Status -ne 'NOT_SET') { throw "after Remove-CrdbClientCaCert the status is $($removed.Status)" }

'CloudClientCa scenario passed'
