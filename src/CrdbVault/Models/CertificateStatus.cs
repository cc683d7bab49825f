namespace CrdbVault;

/// <summary>What New-CrdbClientCert / New-CrdbNodeCert did: issued a certificate, or (-RenewWithin) kept the current one.</summary>
public enum CertificateStatus
{
    /// <summary>Vault issued a new certificate (written to -CertsDir when given).</summary>
    Issued,

    /// <summary>-RenewWithin found the certificate in -CertsDir valid beyond the window: nothing was issued or written.</summary>
    Current,
}
