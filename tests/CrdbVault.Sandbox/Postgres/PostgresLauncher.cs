using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace CrdbVault.Sandbox.Postgres;

/// <summary>
/// A throwaway PostgreSQL as strict as a secure CockroachDB cluster: initdb in a temp dir (a
/// superuser with a random password), TCP on 127.0.0.1 at a free port, TLS only (a server
/// certificate for 127.0.0.1/localhost; scram-sha-256 passwords, or client certificates for members
/// of <see cref="CertificateLoginRole"/>; no plaintext entry in pg_hba.conf), a <c>defaultdb</c>
/// database as CockroachDB has, run as "postgres" when we are root. Stops with
/// <c>pg_ctl stop -m fast</c> and deletes its directory; if our process dies the server gets a
/// parent-death signal, and stale directories of dead runs are removed at the next start.
/// </summary>
public sealed class PostgresLauncher : IAsyncDisposable
{
    private const string TempPrefix = "crdbvault-pg-";
    private readonly PostgresBinaries _binaries;
    private readonly PostgresLauncherOptions _options;
    private readonly string _root;
    private readonly LogTail _log = new();
    private Process? _server;
    private Thread? _keeper;
    private readonly ManualResetEventSlim _release = new();
    private int _stopped;

    private PostgresLauncher(PostgresBinaries binaries, PostgresLauncherOptions options, string root, string password)
    {
        _binaries = binaries;
        _options = options;
        _root = root;
        AdminUser = options.AdminUser;
        AdminPassword = password;
        Tls = options.Tls ?? PostgresTls.Generate();
    }

    /// <summary>
    /// PostgreSQL cannot take "a certificate, or else a password" for one user as CockroachDB does:
    /// pg_hba.conf asks members of this NOLOGIN role for a client certificate (<c>cert</c>: its CN
    /// must be the user) and everyone else for a scram-sha-256 password.
    /// </summary>
    public const string CertificateLoginRole = "certificate_login";

    /// <summary>CockroachDB's default database, created at start (clients default to it).</summary>
    public const string DefaultDatabase = "defaultdb";

    /// <summary>The server certificate, its key and the CA (see <see cref="CaCertificatePath"/>).</summary>
    public PostgresTls Tls { get; }

    /// <summary>The CA as a PEM file for clients (<c>sslrootcert</c>, <c>-RootCertificate</c>): readable, outside the data directory.</summary>
    public string CaCertificatePath => Path.Combine(_root, "ca.crt");

    public string Host => "127.0.0.1";
    public int Port { get; private set; }
    public string AdminUser { get; }
    /// <summary>Random, base62 (URL-safe).</summary>
    public string AdminPassword { get; }
    public string DataDirectory => Path.Combine(_root, "data");
    public string SocketDirectory => Path.Combine(_root, "sock");

    /// <summary>Npgsql connection string for the superuser, database "postgres".</summary>
    public string AdminConnectionString => ConnectionString(AdminUser, AdminPassword);

    /// <summary>
    /// libpq URL for the superuser, verifying the server as clients of a secure cluster must:
    /// <c>postgresql://user:pass@127.0.0.1:port/defaultdb?sslmode=verify-full&amp;sslrootcert=/tmp/…/ca.crt</c>.
    /// </summary>
    public string AdminUrl =>
        $"postgresql://{Uri.EscapeDataString(AdminUser)}:{Uri.EscapeDataString(AdminPassword)}@{Host}:{Port}/{DefaultDatabase}?sslmode=verify-full&sslrootcert={EscapePath(CaCertificatePath)}";

    /// <summary>A connection string for any user of this server: TLS verify-full against <see cref="CaCertificatePath"/>.</summary>
    public string ConnectionString(string user, string password, string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host, Port = Port, Username = user, Password = password, Database = database,
        Timeout = 10, SslMode = SslMode.VerifyFull, RootCertificate = CaCertificatePath,
    }.ConnectionString;

    /// <summary>A path as a URL query value: percent-encoded except the characters paths are made of.</summary>
    private static string EscapePath(string path) => Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal);

    public static async Task<PostgresLauncher> StartAsync(PostgresLauncherOptions? options = null, CancellationToken ct = default)
    {
        options ??= new PostgresLauncherOptions();
        PostgresBinaries binaries = PostgresBinaries.Locate();
        // A directory whose owner died is kept only while its server still runs.
        string root = TempDirectories.Create(TempPrefix, dir =>
        {
            string postmaster = Path.Combine(dir, "data", "postmaster.pid");
            return File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out int pgPid) && TempDirectories.IsAlive(pgPid);
        });
        var launcher = new PostgresLauncher(binaries, options, root, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32));
        try
        {
            await launcher.InitAsync().ConfigureAwait(false);
            await launcher.StartServerAsync(ct).ConfigureAwait(false);
            await launcher.CreateDefaultsAsync(ct).ConfigureAwait(false);
            AppDomain.CurrentDomain.ProcessExit += launcher.OnProcessExit;
            return launcher;
        }
        catch
        {
            await launcher.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task InitAsync()
    {
        Directory.CreateDirectory(SocketDirectory);
        string pwfile = Path.Combine(_root, "pwfile");
        await File.WriteAllTextAsync(pwfile, AdminPassword + "\n").ConfigureAwait(false);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await UnixProcess.ChownToServiceUserAsync(_root).ConfigureAwait(false);
        try
        {
            // --no-sync: a throwaway cluster does not need fsync (initdb drops from ~1.5 s to ~0.3 s).
            await UnixProcess.RunAsync(_binaries.InitDb,
                ["-D", DataDirectory, "--auth=scram-sha-256", "--username=" + AdminUser, "--pwfile=" + pwfile,
                 "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"],
                _root, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        }
        finally { File.Delete(pwfile); }

        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"),
        [
            "",
            "# crdbvault sandbox",
            "listen_addresses = '127.0.0.1'",
            $"unix_socket_directories = '{SocketDirectory}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 200",
            "password_encryption = 'scram-sha-256'",
            "ssl = on",
            "ssl_cert_file = 'server.crt'",
            "ssl_key_file = 'server.key'",
            "ssl_ca_file = 'root.crt'   # verifies client certificates (cert logins)",
            "log_min_error_statement = panic   # never log statement text: it can hold passwords",
            "log_min_messages = warning",
            .. _options.ExtraConfigLines,
        ]).ConfigureAwait(false);

        await WriteHbaAsync(_options.HbaLines ?? [.. _options.ExtraHbaLines, .. DefaultHba]).ConfigureAwait(false);
        // The key is owner-only and owned by the server's user, as PostgreSQL demands.
        await WriteDataFileAsync("server.crt", Tls.ServerCertificatePem).ConfigureAwait(false);
        await WriteDataFileAsync("server.key", Tls.ServerKeyPem).ConfigureAwait(false);
        await WriteDataFileAsync("root.crt", Tls.CaCertificatePem).ConfigureAwait(false);
        foreach (var (name, content) in _options.DataFiles)
            await WriteDataFileAsync(name, content).ConfigureAwait(false);
        await File.WriteAllTextAsync(CaCertificatePath, Tls.CaCertificatePem).ConfigureAwait(false);
    }

    /// <summary>
    /// TLS from 127.0.0.1 only: a client certificate for members of <see cref="CertificateLoginRole"/>,
    /// a scram-sha-256 password for everyone else. No <c>host</c> or <c>local</c> line: a plaintext
    /// login finds no entry and is refused, as on a secure CockroachDB cluster.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultHba =
    [
        $"hostssl all +{CertificateLoginRole} 127.0.0.1/32 cert",
        "hostssl all all 127.0.0.1/32 scram-sha-256",
    ];

    /// <summary>CockroachDB's <c>defaultdb</c> and the role that selects certificate logins.</summary>
    private async Task CreateDefaultsAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        // One statement per command: CREATE DATABASE cannot share an implicit transaction.
        foreach (string sql in new[] { $"CREATE DATABASE {DefaultDatabase}", $"CREATE ROLE {CertificateLoginRole} NOLOGIN" })
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        // The port is chosen free a moment before start; on a race with another process, retry.
        for (int attempt = 1; ; attempt++)
        {
            Port = FreePort();
            StartProcess();
            try
            {
                await WaitReadyAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3 && _log.Text.Contains("could not bind", StringComparison.OrdinalIgnoreCase))
            {
                _release.Set();
                _keeper?.Join();
                _release.Reset();
            }
        }
    }

    private void StartProcess()
    {
        ProcessStartInfo psi = UnixProcess.StartInfo(_binaries.Postgres, ["-D", DataDirectory, "-p", Port.ToString()], _root, parentDeathSignal: "SIGQUIT");
        var started = new TaskCompletionSource<Process>();
        // PR_SET_PDEATHSIG fires when the *thread* that forked dies, so fork from a thread that lives
        // exactly as long as this launcher (a thread-pool thread could retire and kill the server).
        _keeper = new Thread(() =>
        {
            try
            {
                Process p = Process.Start(psi)!;
                p.StandardInput.Close();
                p.OutputDataReceived += (_, e) => _log.Add(e.Data);
                p.ErrorDataReceived += (_, e) => _log.Add(e.Data);
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                started.SetResult(p);
            }
            catch (Exception ex) { started.SetException(ex); return; }
            _release.Wait();
        })
        { IsBackground = true, Name = "postgres-keeper" };
        _keeper.Start();
        _server = started.Task.GetAwaiter().GetResult();
    }

    private async Task WaitReadyAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        string cs = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        while (true)
        {
            if (_server!.HasExited)
                throw new InvalidOperationException($"PostgreSQL exited during start (code {_server.ExitCode}): {_log.Text}");
            try
            {
                await using var conn = new NpgsqlConnection(cs);
                await conn.OpenAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or IOException or TimeoutException)
            {
                if (watch.Elapsed > _options.StartTimeout)
                    throw new InvalidOperationException($"PostgreSQL did not accept connections within {_options.StartTimeout.TotalSeconds:0} s: {ex.Message}. Server log: {_log.Text}");
                await Task.Delay(50, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rewrites pg_hba.conf (call <see cref="ReloadAsync"/> to apply it to a running server).</summary>
    public async Task WriteHbaAsync(IEnumerable<string> lines)
    {
        string path = Path.Combine(DataDirectory, "pg_hba.conf");
        await File.WriteAllLinesAsync(path, ["# crdbvault sandbox: first match wins", .. lines]).ConfigureAwait(false);
        await UnixProcess.ChownToServiceUserAsync(path).ConfigureAwait(false);
    }

    /// <summary>Appends lines to postgresql.conf (apply with <see cref="ReloadAsync"/>; some settings need a restart).</summary>
    public async Task AppendConfigAsync(IEnumerable<string> lines) =>
        await File.AppendAllLinesAsync(Path.Combine(DataDirectory, "postgresql.conf"), lines).ConfigureAwait(false);

    /// <summary>Writes a file into the data directory, owner-only and owned by the server's user (e.g. server.key).</summary>
    public async Task<string> WriteDataFileAsync(string name, string content)
    {
        string path = Path.Combine(DataDirectory, name);
        await File.WriteAllTextAsync(path, content).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await UnixProcess.ChownToServiceUserAsync(path).ConfigureAwait(false);
        return path;
    }

    /// <summary><c>pg_ctl reload</c>: re-reads postgresql.conf and pg_hba.conf.</summary>
    public Task ReloadAsync() =>
        UnixProcess.RunAsync(_binaries.PgCtl, ["reload", "-D", DataDirectory, "-s"], _root, TimeSpan.FromSeconds(30));

    /// <summary>The server's recent log lines (for diagnosing test failures; statements are never logged).</summary>
    public string RecentLog => _log.Text;

    private void OnProcessExit(object? sender, EventArgs e) => StopAsync().GetAwaiter().GetResult();

    /// <summary>Stops the server (fast shutdown) and deletes the temp directory. Safe to call twice.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        if (_server is { HasExited: false })
        {
            try
            {
                await UnixProcess.RunAsync(_binaries.PgCtl, ["stop", "-D", DataDirectory, "-m", "fast", "-w", "-s"], _root, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            }
            catch (Exception) { /* fall through to kill */ }
            if (!_server.WaitForExit(5000))
            {
                try { _server.Kill(true); } catch (InvalidOperationException) { }
                _server.WaitForExit(5000);
            }
        }
        _release.Set();
        _server?.Dispose();
        TempDirectories.Delete(_root);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The last lines the server printed.</summary>
    private sealed class LogTail
    {
        private readonly Queue<string> _lines = new();
        public void Add(string? line)
        {
            if (line is null) return;
            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > 50) _lines.Dequeue();
            }
        }
        public string Text { get { lock (_lines) return string.Join('\n', _lines); } }
    }
}
