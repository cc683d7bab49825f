namespace CrdbVault.Sandbox.Postgres;

/// <summary>Where initdb, pg_ctl and postgres live: PATH first, then /usr/lib/postgresql/&lt;highest&gt;/bin (Debian/Ubuntu).</summary>
public sealed record PostgresBinaries(string InitDb, string PgCtl, string Postgres)
{
    public static PostgresBinaries Locate()
    {
        foreach (string dir in Candidates())
        {
            string initdb = Path.Combine(dir, "initdb"), pgctl = Path.Combine(dir, "pg_ctl"), postgres = Path.Combine(dir, "postgres");
            if (File.Exists(initdb) && File.Exists(pgctl) && File.Exists(postgres)) return new PostgresBinaries(initdb, pgctl, postgres);
        }
        throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or in /usr/lib/postgresql/*/bin. " +
            "The sandbox runs a throwaway PostgreSQL in place of CockroachDB's SQL layer. Install it: " +
            "'apt-get install postgresql' (Debian/Ubuntu), 'dnf install postgresql-server' (Fedora/RHEL) or 'brew install postgresql' (macOS).");
    }

    private static IEnumerable<string> Candidates()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            yield return dir;
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) yield break;
        // Highest major version first ("15" > "9.6").
        foreach (string versionDir in Directory.GetDirectories(debian).OrderByDescending(d => Version.TryParse(VersionText(Path.GetFileName(d)), out Version? v) ? v : new Version(0, 0)))
            yield return Path.Combine(versionDir, "bin");
    }

    private static string VersionText(string name) => name.Contains('.') ? name : name + ".0";
}
