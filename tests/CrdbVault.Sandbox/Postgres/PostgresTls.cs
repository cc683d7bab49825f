using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Engines.Pki;

namespace CrdbVault.Sandbox.Postgres;

/// <summary>
/// The TLS material of the throwaway PostgreSQL: the server certificate and key, and the CA that
/// both verifies the server (clients' <c>sslrootcert</c>) and signs the client certificates the
/// server accepts (<c>ssl_ca_file</c>), as one <c>ca.crt</c> does for a CockroachDB cluster.
/// </summary>
public sealed class PostgresTls
{
    /// <summary>The CA's common name: the one Initialize-CrdbCertificateAuthority's docs use, so a mount holding this CA matches them.</summary>
    public const string SandboxCaName = "Cockroach CA";

    public required string CaCertificatePem { get; init; }
    public required string ServerCertificatePem { get; init; }
    public required string ServerKeyPem { get; init; }

    /// <summary>
    /// The CA's private key (PEM), only when <see cref="Generate"/> made the CA: then the CA can be
    /// imported into a Vault PKI mount, so certificates issued there log in to this server.
    /// </summary>
    public string? CaKeyPem { get; init; }

    /// <summary>
    /// A fresh EC P-256 CA and a server certificate (CN <c>node</c>, SANs 127.0.0.1 and localhost,
    /// serverAuth + clientAuth) made with the PKI double's own issuing code, not with the module's
    /// cmdlets: a bug in a cmdlet cannot keep the sandbox from starting.
    /// </summary>
    public static PostgresTls Generate()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using PkiKey caKey = PkiKeys.Generate("ec", 256);
        using X509Certificate2 ca = PkiCertificates.CreateRoot(caKey, PkiCertificates.Subject(SandboxCaName, null), PkiSans.None,
            now.AddMinutes(-5), now.AddYears(10), maxPathLength: -1); // Initialize-CrdbCertificateAuthority's default: leaves outlive no CA
        var issuer = new PkiIssuer { Id = "sandbox", Certificate = ca, Key = caKey };
        // A node certificate as Initialize-CrdbCertificateAuthority's node role issues it.
        PkiRole role = PkiRole.FromBody(new JsonObject
        {
            ["server_flag"] = true, ["client_flag"] = true, ["key_type"] = "ec", ["key_bits"] = 256,
            ["key_usage"] = new JsonArray("DigitalSignature", "KeyEncipherment"),
        });
        using PkiKey serverKey = PkiKeys.Generate("ec", 256);
        var sans = new PkiSans(["localhost"], [], [IPAddress.Loopback], [], []);
        using X509Certificate2 server = PkiCertificates.CreateLeaf(issuer, PkiCertificates.Subject("node", null), serverKey.PublicKey, role, sans,
            now.AddMinutes(-5), now.AddDays(30), PkiCertificates.NewSerial());
        return new PostgresTls
        {
            CaCertificatePem = PkiCertificates.Pem(ca),
            ServerCertificatePem = PkiCertificates.Pem(server),
            ServerKeyPem = serverKey.ExportPem(pkcs8: false) + "\n",
            CaKeyPem = caKey.ExportPem(pkcs8: false) + "\n",
        };
    }
}
