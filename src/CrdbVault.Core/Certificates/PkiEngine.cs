using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;

namespace CrdbVault.Core.Certificates;

/// <summary>
/// Vault's PKI secrets engine (docs/vault-notes.md#pki-secrets-engine) as CockroachDB needs it: the mount and its max TTL,
/// the root (generated or already there), roles, issue, CA, revoke and CRL.
/// </summary>
public sealed class PkiEngine
{
    private readonly VaultClient _client;

    public PkiEngine(VaultClient client, string mountPath = "cockroach_client_ca")
    {
        _client = client;
        MountPath = InputValidator.MountPath(mountPath);
    }

    public string MountPath { get; }

    /// <summary>The type of the engine at the mount, or null when none.</summary>
    public Task<string?> ReadMountTypeAsync(CancellationToken ct) => VaultMounts.ReadTypeAsync(_client, MountPath, ct);

    /// <summary>Enables a PKI engine at the mount unless one is there; throws when another engine type holds the path.</summary>
    public Task<bool> EnsureMountAsync(CancellationToken ct) =>
        VaultMounts.EnsureAsync(_client, MountPath, "pki", "a PKI engine", "CockroachDB certificates (CrdbVault)", ct);

    /// <summary>The mount's max lease TTL (sys/mounts/:path/tune answers a raw object).</summary>
    public async Task<TimeSpan> ReadMaxLeaseTtlAsync(CancellationToken ct)
    {
        VaultResponse? r = await _client.ReadAsync($"sys/mounts/{MountPath}/tune", ct).ConfigureAwait(false);
        return r?.DataAs<MountTuneData>()?.MaxLeaseTtl ?? TimeSpan.Zero;
    }

    /// <summary>Raises the mount's max lease TTL (seconds, the documented type) so a long-lived CA can be issued.</summary>
    public Task TuneMaxLeaseTtlAsync(TimeSpan maxTtl, CancellationToken ct) =>
        _client.WriteAsync($"sys/mounts/{MountPath}/tune", new { max_lease_ttl = (long)Math.Ceiling(maxTtl.TotalSeconds) },
            VaultRequestOptions.IdempotentWrite, ct);

    /// <summary>The default issuer's certificate (<c>ca/pem</c>, raw PEM) or null when the mount has none.</summary>
    public async Task<CaInfo?> ReadCaAsync(CancellationToken ct)
    {
        byte[]? raw;
        try
        {
            raw = await _client.ReadRawAsync($"{MountPath}/ca/pem", ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.NotFound)
        {
            return null; // no mount there ("no handler for route")
        }
        if (raw is null || raw.Length == 0) return null;
        string pem = Encoding.ASCII.GetString(raw).Trim();
        if (pem.Length == 0) return null;
        X509Certificate2 cert = ParseCertificate(pem, $"{MountPath}/ca/pem");
        string? issuerId = null;
        try
        {
            VaultResponse? info = await _client.ReadAsync($"{MountPath}/issuer/default/json", ct).ConfigureAwait(false);
            issuerId = info?.DataAs<IssuerData>()?.IssuerId;
        }
        catch (VaultApiException)
        {
            // Vault before 1.11 has no issuers; the id is optional.
        }
        return new CaInfo(MountPath, cert, pem + "\n", issuerId);
    }

    /// <summary>Generates an internal root (the key never leaves Vault).</summary>
    public async Task<(CaInfo Ca, IReadOnlyList<string> Warnings)> GenerateRootAsync(string commonName, TimeSpan ttl, string keyType, int keyBits,
        CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(commonName)) throw new ArgumentException("-CommonName is empty. " +
            "Give the CA a name such as 'Cockroach CA'.", "CommonName");
        var body = new Dictionary<string, object>
        {
            ["common_name"] = commonName,
            ["ttl"] = VaultDuration.Format(ttl),
            ["key_type"] = keyType,
            ["key_bits"] = keyBits,
            ["exclude_cn_from_sans"] = true,
        };
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"A root may have been generated: check Get-CrdbCertificateAuthority -MountPath '{MountPath}' before running again.",
        };
        string path = $"{MountPath}/root/generate/internal";
        VaultResponse r = await _client.WriteAsync(path, body, options, ct).ConfigureAwait(false)
            ?? throw new VaultApiException($"Vault answered {path} without a certificate.", VaultErrorKind.Other, path, 204);
        GeneratedRootData? root = r.DataAs<GeneratedRootData>();
        string pem = root?.Certificate ?? throw new VaultApiException($"Vault answered {MountPath}/root/generate/internal without a " +
            $"certificate.", VaultErrorKind.Other, $"{MountPath}/root/generate/internal", 200);
        return (new CaInfo(MountPath, ParseCertificate(pem, "root/generate"), pem.Trim() + "\n", root.IssuerId), r.Warnings);
    }

    /// <summary>Imports an existing CA (certificate and its key, PEM) as the mount's issuer (<c>config/ca</c>).</summary>
    public async Task ImportCaBundleAsync(System.Security.SecureString pemBundle, CancellationToken ct)
    {
        await _client.WriteAsync($"{MountPath}/config/ca", new Dictionary<string, object> { ["pem_bundle"] = SecureStrings.Reveal(pemBundle) },
            VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    public async Task WriteRoleAsync(string name, IReadOnlyDictionary<string, object> body, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Role");
        await _client.WriteAsync($"{MountPath}/roles/{name}", body, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    /// <summary>The role's data, or null when there is no such role.</summary>
    public async Task<JsonElement?> ReadRoleAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "Role");
        VaultResponse? r = await _client.ReadAsync($"{MountPath}/roles/{name}", ct).ConfigureAwait(false);
        return r?.Data;
    }

    public Task<IReadOnlyList<string>> ListRolesAsync(CancellationToken ct) => _client.ListAsync($"{MountPath}/roles", ct);

    /// <summary>The HCL of an ACL policy, or null when there is none.</summary>
    public async Task<string?> ReadPolicyAsync(string name, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "IssuerPolicyName");
        VaultResponse? r = await _client.ReadAsync($"sys/policies/acl/{name}", ct).ConfigureAwait(false);
        return r?.DataAs<AclPolicyData>()?.Policy;
    }

    public async Task WritePolicyAsync(string name, string hcl, CancellationToken ct)
    {
        InputValidator.PathSegment(name, "IssuerPolicyName");
        await _client.WriteAsync($"sys/policies/acl/{name}", new { policy = hcl }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>pki/issue/&lt;role&gt;</c>. Never retried: each call creates a certificate, and a retried call
    /// could leave an unknown one behind. The private key is kept as a SecureString from here on.
    /// </summary>
    public async Task<IssuedCertificate> IssueAsync(string role, PkiIssueRequest request, CancellationToken ct)
    {
        InputValidator.PathSegment(role, "Role");
        string path = $"{MountPath}/issue/{role}";
        var body = new Dictionary<string, object> { ["common_name"] = request.CommonName, ["format"] = "pem", ["private_key_format"] = "der" };
        if (request.AltNames.Count > 0) body["alt_names"] = string.Join(',', request.AltNames);
        if (request.IpSans.Count > 0) body["ip_sans"] = string.Join(',', request.IpSans);
        if (request.Ttl is TimeSpan ttl) body["ttl"] = VaultDuration.Format(ttl);
        if (request.ExcludeCnFromSans) body["exclude_cn_from_sans"] = true;
        var options = new VaultRequestOptions
        {
            Idempotent = false,
            UnknownOutcomeHint = $"A certificate may have been issued: " +
                $"list {MountPath}/certs and revoke strays (Revoke-CrdbCertificate -MountPath '{MountPath}').",
        };
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync(path, body, options, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("unknown role"))
        {
            throw ex.AsNotFound($"Vault has no PKI role '{role}' at '{MountPath}/'. " +
                $"Run Initialize-CrdbCertificateAuthority -MountPath '{MountPath}' (it writes the CockroachDB-safe roles), or pass -Role.", path);
        }
        catch (VaultApiException ex) when (ex.Status is 404 or 405)
        {
            throw ex.AsNotFound($"Nothing answers at '{path}': is '{MountPath}' a PKI engine? " +
                $"Run Initialize-CrdbCertificateAuthority -MountPath '{MountPath}' or check -MountPath.", path);
        }
        catch (VaultApiException ex) when (ex.Kind == VaultErrorKind.PermissionDenied)
        {
            string withSans = request.AltNames.Count + request.IpSans.Count > 0
                ? " with SANs (the CrdbVault issuer policy denies alt_names and ip_sans on client roles)"
                : "";
            throw new VaultApiException($"Vault refused {path}: the token's policies do not allow it{withSans}. "
                + "The issuer policy (Initialize-CrdbCertificateAuthority writes it) denies root, node and protected users too; "
                + $"ask for it, or a per-user policy (Set-CrdbCertificateIssuerPolicy), on '{path}' (see Get-Help about_CrdbVault_Policies).",
                VaultErrorKind.PermissionDenied, path, ex.Status, ex.Errors);
        }
        if (r is null) throw new VaultApiException($"Vault answered {path} with no data.", VaultErrorKind.Other, path, 204);

        IssuedCertificateData? issued = r.DataAs<IssuedCertificateData>();
        string? certPem = issued?.Certificate;
        string? keyPem = issued?.PrivateKey;
        if (issued is null || string.IsNullOrEmpty(certPem) || string.IsNullOrEmpty(keyPem))
            throw new VaultApiException($"Vault answered {path} without certificate and private key: " +
                $"is '{MountPath}' a PKI engine?", VaultErrorKind.Other, path, 200);
        X509Certificate2 cert;
        var chain = new List<X509Certificate2>();
        try
        {
            cert = ParseCertificate(certPem, path);
            foreach (string c in issued.CaChain ?? []) chain.Add(ParseCertificate(c, path));
            if (chain.Count == 0 && issued.IssuingCa is { Length: > 0 } issuing) chain.Add(ParseCertificate(issuing, path));
        }
        catch (CertificateRejectedException ex)
        {
            // Vault issued it and handed out its key: it must not stay valid just because we cannot read it.
            string what = await RevokeUnreadableAsync(issued.SerialNumber, keyPem, ct).ConfigureAwait(false);
            throw new CertificateRejectedException($"{ex.Message} Nothing was written; {what}");
        }
        string serial = issued.SerialNumber ?? CertificateChecks.FormatSerial(cert);
        if (r.LeaseId is string leaseId)
        {
            // A generate_lease role: the lease revokes the certificate, so it is recorded like a credential's.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            _client.Ledger?.RecordIssued(leaseId, MountPath, role, null, serial, now, r.LeaseDuration > TimeSpan.Zero ? now + r.LeaseDuration : null);
        }
        return new IssuedCertificate
        {
            MountPath = MountPath,
            Role = role,
            Certificate = cert,
            CertificatePem = certPem.Trim() + "\n",
            PrivateKeyPem = SecureStrings.From(keyPem.Trim() + "\n"),
            PrivateKeyType = issued.PrivateKeyType ?? "",
            CaChain = chain,
            SerialNumber = serial,
            LeaseId = r.LeaseId,
            LeaseDuration = r.LeaseDuration,
            Warnings = r.Warnings,
        };
    }

    private async Task<string> RevokeUnreadableAsync(string? serial, string keyPem, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(serial))
            return $"Vault's answer has no serial_number either, so it could not be revoked: " +
                $"list {MountPath}/certs and revoke the newest (Revoke-CrdbCertificate -MountPath '{MountPath}').";
        using System.Security.SecureString key = SecureStrings.From(keyPem);
        try
        {
            await RevokeWithKeyAsync(serial, key, ct).ConfigureAwait(false);
            return $"the certificate Vault issued (serial {serial}) was revoked.";
        }
        catch (Exception ex) when (ex is VaultApiException or ArgumentException)
        {
            return $"revoking the certificate Vault issued (serial {serial}) failed too ({ex.Message}): " +
                $"revoke it with Revoke-CrdbCertificate -SerialNumber {serial} -MountPath '{MountPath}'.";
        }
    }

    /// <summary>
    /// <c>pki/revoke-with-key</c> (Vault 1.12+): revokes by serial, proving possession of the
    /// certificate's private key, so an issuer may revoke what it was issued without the rights of
    /// <c>pki/revoke</c> over every serial. Safe to retry (revoking twice is harmless).
    /// </summary>
    public async Task<DateTimeOffset> RevokeWithKeyAsync(string serialNumber, System.Security.SecureString privateKeyPem, CancellationToken ct)
    {
        string serial = CertificateChecks.NormalizeSerial(serialNumber);
        string path = $"{MountPath}/revoke-with-key";
        VaultResponse? r = await _client.WriteAsync(path,
            new Dictionary<string, object> { ["serial_number"] = serial, ["private_key"] = SecureStrings.Reveal(privateKeyPem) },
            VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        return RevocationTime(r);
    }

    private static DateTimeOffset RevocationTime(VaultResponse? r) =>
        r?.DataAs<RevocationData>()?.RevocationTime is long seconds && seconds > 0 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.UtcNow;

    /// <summary><c>pki/revoke</c> by serial; returns the revocation time Vault reports.</summary>
    public async Task<DateTimeOffset> RevokeAsync(string serialNumber, CancellationToken ct)
    {
        string serial = CertificateChecks.NormalizeSerial(serialNumber);
        string path = $"{MountPath}/revoke";
        VaultResponse? r;
        try
        {
            r = await _client.WriteAsync(path, new { serial_number = serial }, VaultRequestOptions.IdempotentWrite, ct).ConfigureAwait(false);
        }
        catch (VaultApiException ex) when (ex.IsRefusal("not found"))
        {
            throw ex.AsNotFound($"Mount '{MountPath}' has no certificate with serial {serial} (issued elsewhere, from a no_store role, " +
                $"or already tidied). Check -MountPath.", path);
        }
        return RevocationTime(r);
    }

    /// <summary>The default issuer's CRL as PEM (<c>crl/pem</c>), or null when there is none.</summary>
    public async Task<string?> ReadCrlPemAsync(CancellationToken ct)
    {
        byte[]? raw = await _client.ReadRawAsync($"{MountPath}/crl/pem", ct).ConfigureAwait(false);
        return raw is null ? null : Encoding.ASCII.GetString(raw);
    }

    /// <summary>Parses one PEM certificate with a clear error when it is something else.</summary>
    public static X509Certificate2 ParseCertificate(string pem, string source)
    {
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new CertificateRejectedException($"{source} did not return a PEM certificate ({ex.Message}).");
        }
    }
}
