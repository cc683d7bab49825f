namespace CrdbVault.Sandbox.Postgres;

/// <summary>
/// How the throwaway PostgreSQL starts. Defaults: TLS only, on 127.0.0.1 only: a client certificate
/// for members of <see cref="PostgresLauncher.CertificateLoginRole"/>, a scram-sha-256 password for
/// everyone else, nothing in plaintext.
/// </summary>
public sealed class PostgresLauncherOptions
{
    /// <summary>Name of the superuser initdb creates.</summary>
    public string AdminUser { get; init; } = "crdbvault_admin";

    /// <summary>Lines appended to postgresql.conf before start (e.g. <c>log_connections = on</c>).</summary>
    public IList<string> ExtraConfigLines { get; init; } = [];

    /// <summary>pg_hba.conf lines placed BEFORE the default rules (first match wins), e.g. <c>hostssl all alice 127.0.0.1/32 reject</c>.</summary>
    public IList<string> ExtraHbaLines { get; init; } = [];

    /// <summary>When set, pg_hba.conf is exactly these lines (the defaults are dropped).</summary>
    public IList<string>? HbaLines { get; init; }

    /// <summary>
    /// The server certificate, its key and the CA (which also verifies client certificates). Null: a
    /// fresh CA and server certificate are made at start (<see cref="PostgresTls.Generate"/>).
    /// </summary>
    public PostgresTls? Tls { get; init; }

    /// <summary>Files written into the data directory before start (owner-only), e.g. "crl.pem".</summary>
    public IDictionary<string, string> DataFiles { get; init; } = new Dictionary<string, string>();

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
