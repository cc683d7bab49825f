using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>revoke and revoke-with-key, and the real CRL each issuer signs.</summary>
public sealed partial class PkiEngine
{
    private VaultReply RevokeRequest(VaultRequest r)
    {
        string? serialText = PkiFields.Str(r.Body, "serial_number");
        string? pem = PkiFields.Str(r.Body, "certificate");
        bool hasSerial = !string.IsNullOrWhiteSpace(serialText), hasCert = !string.IsNullOrWhiteSpace(pem);
        if (hasSerial && hasCert) throw new PkiRequestException("must provide either the certificate or the serial number, not both");
        if (!hasSerial && !hasCert) throw new PkiRequestException("must provide either the certificate or the serial number");

        string serial;
        if (hasCert)
        {
            X509Certificate2 cert;
            try { cert = X509Certificate2.CreateFromPem(pem); }
            catch (CryptographicException ex) { throw new PkiRequestException($"certificate could not be parsed: {ex.Message}"); }
            serial = PkiCertificates.Format(cert.SerialNumberBytes.Span);
            lock (_gate)
            {
                if (_certs.TryGetValue(serial, out PkiStoredCert? known))
                {
                    if (!known.Certificate.RawData.AsSpan().SequenceEqual(cert.RawData))
                        throw new PkiRequestException("certificate with same serial but unequal value already present in this cluster's storage; refusing to revoke");
                }
                else
                {
                    // A no_store certificate: accept it when one of our issuers signed it.
                    PkiIssuer issuer = _issuers.FirstOrDefault(i => SignedBy(cert, i.Certificate))
                        ?? throw new PkiRequestException("unable to verify signature on presented cert from any present issuer in this mount; certificates from previous CAs will need to have their issuing CA and key re-imported if revocation is necessary");
                    _certs[serial] = new PkiStoredCert { Serial = serial, Certificate = cert, IssuerId = issuer.Id };
                }
            }
        }
        else
        {
            serial = PkiCertificates.Normalize(serialText) ?? throw new PkiRequestException($"invalid serial number: {serialText}");
        }
        DateTimeOffset revokedAt = Revoke(serial);
        return VaultReply.Ok(new JsonObject
        {
            ["revocation_time"] = revokedAt.ToUnixTimeSeconds(),
            ["revocation_time_rfc3339"] = revokedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ"),
            ["state"] = "revoked",
        });
    }

    /// <summary>
    /// <c>revoke-with-key</c> (Vault 1.12+): like revoke, by serial or certificate, but only with the
    /// certificate's private key as proof of possession, so an identity that may not revoke arbitrary
    /// serials can still revoke a certificate it holds.
    /// </summary>
    private VaultReply RevokeWithKey(VaultRequest r)
    {
        string? keyPem = PkiFields.Str(r.Body, "private_key");
        if (string.IsNullOrWhiteSpace(keyPem)) throw new PkiRequestException("must provide private key to revoke-with-key");
        string? serialText = PkiFields.Str(r.Body, "serial_number");
        string? pem = PkiFields.Str(r.Body, "certificate");
        bool hasSerial = !string.IsNullOrWhiteSpace(serialText), hasCert = !string.IsNullOrWhiteSpace(pem);
        if (hasSerial == hasCert) throw new PkiRequestException("must provide either the certificate or the serial number, not both");
        X509Certificate2 cert;
        if (hasSerial)
        {
            string serial = PkiCertificates.Normalize(serialText) ?? throw new PkiRequestException($"invalid serial number: {serialText}");
            lock (_gate)
                cert = _certs.TryGetValue(serial, out PkiStoredCert? stored) ? stored.Certificate : throw new PkiRequestException($"certificate with serial {serial} not found");
        }
        else
        {
            try { cert = X509Certificate2.CreateFromPem(pem); }
            catch (CryptographicException ex) { throw new PkiRequestException($"certificate could not be parsed: {ex.Message}"); }
        }
        if (!KeyMatches(cert, keyPem)) throw new PkiRequestException("failed to validate private key match with certificate: private key does not match certificate");
        return RevokeRequest(new VaultRequest(r.Method, "revoke", hasSerial ? new JsonObject { ["serial_number"] = serialText } : new JsonObject { ["certificate"] = pem },
            r.Query, r.Token, r.Mount, r.Cancellation));
    }

    private static bool KeyMatches(X509Certificate2 cert, string keyPem)
    {
        byte[] expected = cert.PublicKey.ExportSubjectPublicKeyInfo();
        foreach (Func<AsymmetricAlgorithm> create in new Func<AsymmetricAlgorithm>[] { () => ECDsa.Create(), () => RSA.Create() })
        {
            using AsymmetricAlgorithm key = create();
            try { key.ImportFromPem(keyPem); }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException) { continue; }
            if (key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expected)) return true;
        }
        return false;
    }

    /// <summary>Marks the certificate revoked (idempotent) and rebuilds its issuer's CRL.</summary>
    private DateTimeOffset Revoke(string serial)
    {
        lock (_gate)
        {
            if (!_certs.TryGetValue(serial, out PkiStoredCert? stored))
                throw new PkiRequestException($"certificate with serial {serial} not found");
            if (_issuers.FirstOrDefault(i => i.SerialNumber == serial) is PkiIssuer self)
                throw new PkiRequestException($"adding issuer (id: {self.Id}) to its own CRL is not allowed");
            if (stored.RevokedAt is DateTimeOffset already) return already;
            stored.RevokedAt = _services.Clock.GetUtcNow();
            if (_issuers.FirstOrDefault(i => i.Id == stored.IssuerId) is { Key: not null } issuer) RebuildCrl(issuer);
            return stored.RevokedAt.Value;
        }
    }

    private byte[] CrlFor(PkiIssuer issuer)
    {
        lock (_gate)
        {
            if (issuer.CrlDer is null && issuer.Key is not null) RebuildCrl(issuer);
            return issuer.CrlDer ?? [];
        }
    }

    /// <summary>A real CRL signed by the issuer's key listing every revoked certificate it issued.</summary>
    private void RebuildCrl(PkiIssuer issuer)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (PkiStoredCert c in _certs.Values.Where(c => c.IssuerId == issuer.Id && c.RevokedAt is not null))
            builder.AddEntry(c.Certificate.SerialNumberBytes.Span, c.RevokedAt!.Value);
        DateTimeOffset now = _services.Clock.GetUtcNow();
        issuer.CrlNumber++;
        PkiKey key = issuer.Key!;
        issuer.CrlDer = builder.Build(issuer.Certificate.SubjectName, key.SignatureGenerator(), new BigInteger(issuer.CrlNumber), now + CrlLifetime,
            key.Hash(), PkiCertificates.Aki(issuer.Certificate), now);
    }

    private static bool SignedBy(X509Certificate2 cert, X509Certificate2 issuer)
    {
        if (!cert.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreWrongUsage;
        return chain.Build(cert) && chain.ChainElements.Count >= 2 && chain.ChainElements[1].Certificate.RawData.AsSpan().SequenceEqual(issuer.RawData);
    }
}
