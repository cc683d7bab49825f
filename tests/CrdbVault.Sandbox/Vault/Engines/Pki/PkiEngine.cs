using System.Text.Json.Nodes;
namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>
/// Vault's PKI secrets engine with real X.509: root generation and import, roles with Vault's
/// defaults and name rules, issue/sign, CA and certificate reads, revocation and a real CRL, leases
/// for generate_lease roles. Works at any mount path. One partial file per path family, as the sys
/// engine has: issuers (root/, issuers/, issuer/, config/), roles and issuing (roles/, issue/,
/// sign/), reads (ca, ca_chain, cert/, crl) and revocation (revoke, revoke-with-key, CRLs).
/// </summary>
public sealed partial class PkiEngine : IVaultEngine, IUnauthenticatedPaths, IDisposable
{
    private const string PemChain = "application/pem-certificate-chain";
    private static readonly TimeSpan CrlLifetime = TimeSpan.FromHours(72);

    private readonly VaultMount _mount;
    private readonly VaultServices _services;
    private readonly object _gate = new();
    private readonly Dictionary<string, PkiRole> _roles = new(StringComparer.Ordinal);
    private readonly List<PkiIssuer> _issuers = [];
    private readonly Dictionary<string, PkiKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PkiStoredCert> _certs = new(StringComparer.Ordinal);
    private string? _defaultIssuerId;

    public PkiEngine(VaultMount mount, VaultServices services)
    {
        _mount = mount;
        _services = services;
    }

    public string Type => "pki";

    /// <summary>Paths Vault serves without a token: CA, chain, CRL and certificate reads.</summary>
    public static bool IsUnauthenticatedPath(string method, string path) =>
        method == "GET" && (path is "ca" or "ca/pem" or "ca_chain" or "crl" or "crl/pem" or "crl/delta" or "crl/delta/pem"
            || path.StartsWith("cert/", StringComparison.Ordinal)
            || (path.StartsWith("issuer/", StringComparison.Ordinal) && (path.EndsWith("/json", StringComparison.Ordinal) || path.EndsWith("/pem", StringComparison.Ordinal) || path.EndsWith("/der", StringComparison.Ordinal))));

    public bool IsUnauthenticated(string method, string path) => IsUnauthenticatedPath(method, path);

    /// <summary>For tests: serials of the certificates stored (colon form).</summary>
    public IReadOnlyList<string> StoredSerials { get { lock (_gate) return [.. _certs.Keys]; } }

    public Task<VaultReply> HandleAsync(VaultRequest request)
    {
        try
        {
            return Task.FromResult(Route(request));
        }
        catch (PkiRequestException ex)
        {
            return Task.FromResult(VaultReply.Error(ex.Status, ex.Message));
        }
    }

    private VaultReply Route(VaultRequest r)
    {
        string[] s = r.Path.Split('/');
        switch (s)
        {
            case ["root", "generate", string type] when r.IsWrite: return GenerateRoot(r, type);
            case ["issuers", "generate", "root", string type] when r.IsWrite: return GenerateRoot(r, type);
            case ["config", "ca"] when r.IsWrite: return ImportBundle(r);
            case ["issuers", "import", "bundle" or "cert"] when r.IsWrite: return ImportBundle(r);
            case ["config", "issuers"] or ["root", "replace"]: return ConfigIssuers(r);
            case ["issuers"] when r.IsList: return ListIssuers();
            case ["keys"] when r.IsList: lock (_gate) return VaultReply.Keys(_keys.Keys);
            case ["issuer", string reference] when r.IsRead: return ReadIssuer(reference, "info");
            case ["issuer", string reference, "json" or "pem" or "der" or "crl" or "crl/pem"] when r.IsRead: return ReadIssuer(reference, s[2]);
            case ["issuer", string reference, "crl", "pem" or "der"] when r.IsRead: return ReadIssuer(reference, "crl/" + s[3]);
            case ["issuer", string reference, "issue", string role] when r.IsWrite: return Issue(r, role, reference, csrMode: false);
            case ["issuer", string reference, "sign", string role] when r.IsWrite: return Issue(r, role, reference, csrMode: true);
            case ["roles"] when r.IsList: lock (_gate) return VaultReply.Keys(_roles.Keys.Order(StringComparer.Ordinal));
            case ["roles", string name]: return Role(r, name);
            case ["issue", string role] when r.IsWrite: return Issue(r, role, null, csrMode: false);
            case ["sign", string role] when r.IsWrite: return Issue(r, role, null, csrMode: true);
            case ["ca", "pem"] when r.IsRead: return RawDefault(pem: true);
            case ["ca"] when r.IsRead: return RawDefault(pem: false);
            case ["ca_chain"] when r.IsRead: return RawChain();
            case ["cert", "ca"] when r.IsRead: return CertJson(DefaultIssuerOrNull()?.SerialNumber);
            case ["cert", "ca_chain"] when r.IsRead: return CaChainJson();
            case ["cert", "crl"] when r.IsRead: return CrlJson();
            case ["cert", string serial] when r.IsRead: return CertJson(serial);
            case ["certs"] when r.IsList: lock (_gate) return VaultReply.Keys(_certs.Keys.Order(StringComparer.Ordinal));
            case ["revoke"] when r.IsWrite: return RevokeRequest(r);
            case ["revoke-with-key"] when r.IsWrite: return RevokeWithKey(r);
            case ["crl", "pem"] when r.IsRead: return Crl(pem: true);
            case ["crl"] when r.IsRead: return Crl(pem: false);
            case ["crl", "rotate"] when r.IsRead: return RotateCrl();
        }
        return VaultReply.UnsupportedPath();
    }

    public void Dispose()
    {
        lock (_gate)
            foreach (PkiKey k in _keys.Values) k.Dispose();
    }
}
