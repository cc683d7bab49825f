namespace CrdbVault.Sandbox.Postgres;

/// <summary>How the throwaway PostgreSQL starts. Defaults: scram-sha-256 over TCP on 127.0.0.1 only.</summary>
public sealed class PostgresLauncherOptions
{
    /// <summary>Name of the superuser initdb creates.</summary>
    public string AdminUser { get; init; } = "crdbvault_admin";

    /// <summary>Lines appended to postgresql.conf before start (e.g. <c>ssl = on</c>).</summary>
    public IList<string> ExtraConfigLines { get; init; } = [];

    /// <summary>pg_hba.conf lines placed BEFORE the default rules (first match wins), e.g. <c>hostssl all all 127.0.0.1/32 cert</c>.</summary>
    public IList<string> ExtraHbaLines { get; init; } = [];

    /// <summary>When set, pg_hba.conf is exactly these lines (the defaults are dropped).</summary>
    public IList<string>? HbaLines { get; init; }

    /// <summary>Files written into the data directory before start (owner-only), e.g. "server.crt" / "server.key".</summary>
    public IDictionary<string, string> DataFiles { get; init; } = new Dictionary<string, string>();

    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
