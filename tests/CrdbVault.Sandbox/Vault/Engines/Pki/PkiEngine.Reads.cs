using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>What Vault serves without a token: ca, ca/pem, ca_chain, cert/:serial, crl; and the encodings of answers.</summary>
public sealed partial class PkiEngine
{
    private VaultReply RawDefault(bool pem)
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer is null) return VaultReply.NoContent();
        return pem
            ? VaultReply.RawContent(Encoding.ASCII.GetBytes(PkiCertificates.Pem(issuer.Certificate)), PemChain)
            : VaultReply.RawContent(issuer.Certificate.RawData, "application/pkix-cert");
    }

    private VaultReply RawChain()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer is null) return VaultReply.NoContent();
        return VaultReply.RawContent(Encoding.ASCII.GetBytes(string.Concat(Chain(issuer).Select(PkiCertificates.Pem))), PemChain);
    }

    private VaultReply CaChainJson()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        string chain = issuer is null ? "" : string.Concat(Chain(issuer).Select(PkiCertificates.Pem));
        return VaultReply.Ok(new JsonObject { ["certificate"] = chain, ["ca_chain"] = chain });
    }

    private VaultReply CertJson(string? serial)
    {
        string? normalized = PkiCertificates.Normalize(serial);
        if (normalized is null) return VaultReply.NotFound();
        PkiStoredCert? stored;
        lock (_gate) _certs.TryGetValue(normalized, out stored);
        if (stored is null) return VaultReply.NotFound();
        return VaultReply.Ok(new JsonObject
        {
            ["certificate"] = PkiCertificates.Pem(stored.Certificate),
            ["revocation_time"] = stored.RevokedAt?.ToUnixTimeSeconds() ?? 0,
            ["revocation_time_rfc3339"] = stored.RevokedAt is DateTimeOffset t ? t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ") : "",
            ["issuer_id"] = stored.IssuerId,
        });
    }

    private VaultReply CrlJson()
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer?.Key is null) return VaultReply.Ok(new JsonObject { ["certificate"] = "" });
        return VaultReply.Ok(new JsonObject { ["certificate"] = new string(PemEncoding.Write("X509 CRL", CrlFor(issuer))) });
    }

    private VaultReply Crl(bool pem)
    {
        PkiIssuer? issuer = DefaultIssuerOrNull();
        if (issuer?.Key is null) return VaultReply.NoContent();
        byte[] der = CrlFor(issuer);
        return pem
            ? VaultReply.RawContent(Encoding.ASCII.GetBytes(new string(PemEncoding.Write("X509 CRL", der)) + "\n"), "application/x-pem-file")
            : VaultReply.RawContent(der, "application/pkix-crl");
    }

    private VaultReply RotateCrl()
    {
        lock (_gate)
            foreach (PkiIssuer i in _issuers.Where(i => i.Key is not null)) RebuildCrl(i);
        return VaultReply.Ok(new JsonObject { ["success"] = true });
    }


    // ---------------------------------------------------------------- encodings

    private static string Format(JsonObject b)
    {
        string format = PkiFields.Str(b, "format") is { Length: > 0 } f ? f : "pem";
        if (format is not ("pem" or "der" or "pem_bundle")) throw new PkiRequestException($"unknown format for \"format\": {format}");
        return format;
    }

    private static bool PrivateKeyFormat(JsonObject b)
    {
        string f = PkiFields.Str(b, "private_key_format") is { Length: > 0 } v ? v : "der";
        if (f is not ("der" or "pkcs8" or "pem")) throw new PkiRequestException($"unknown private_key_format: {f}");
        return f == "pkcs8";
    }

    private static string Encode(X509Certificate2 cert, string format) =>
        format == "der" ? Convert.ToBase64String(cert.RawData) : PkiCertificates.Pem(cert).TrimEnd();

    private static string KeyOut(PkiKey key, string format, bool pkcs8) =>
        format == "der" ? Convert.ToBase64String(key.ExportDer(pkcs8)) : key.ExportPem(pkcs8).TrimEnd();
}
