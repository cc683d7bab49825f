using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Postgres;
using Npgsql;

namespace CrdbVault.Sandbox;

/// <summary>
/// What <c>serve</c> sets up on top of a fresh world so that the README's and docs/'s examples run as
/// written (README.md, "What serve prepares", lists it for users). It is done the way a DBA and a
/// Vault operator would do it — SQL as the superuser, Vault over HTTP with the root token — and
/// never through the module's cmdlets, so a bug in a cmdlet cannot keep the sandbox from starting.
/// <list type="bullet">
/// <item>SQL: the group role <c>app_rw</c> the dynamic users join, a database <c>app</c> with tables
/// <c>orders</c> and <c>customers</c>, the admins <c>vault_admin</c> and <c>vault_admin_eu</c> (what
/// Vault connects as; superusers stand in for CockroachDB's admin role), <c>app_admin</c>, the
/// certificate users <c>alice</c> and <c>app_reader</c>, and the password users whose passwords static
/// roles take over: <c>report_reader</c>, <c>etl_loader</c>, <c>legacy_app</c>, <c>etl_loader_eu</c>.</item>
/// <item>Vault: the database engine at <c>database/</c> (connection <c>crdb</c>, verify-full,
/// root rotated; roles app, reporting, migrations, etl, app_old; static roles reporting (report_reader,
/// every 24 h) and etl (etl_loader, 03:00 daily)) and <c>team-a/database/</c> (connection
/// <c>crdb-eu</c>, role reporting, static role etl_eu); the cluster's CA in the PKI mount
/// <c>cockroach_client_ca</c> (the CA that signed PostgreSQL's certificate, so its client
/// certificates log in) with the client and node roles, a second CA at
/// <c>cockroach_client_ca_2027</c> (rollover) and a client-only EC CA at <c>team-a/pki</c>; <c>transit/</c>, <c>ops/transit/</c> with the key
/// <c>crdb-ear-prod</c>, <c>keymgmt/</c>; AppRole at <c>approle/</c> with the role
/// <c>crdb-runbook</c>.</item>
/// </list>
/// The Cloud double's seeded cluster (AWS, Advanced, us-east-1 / us-west-2 / eu-west-1) is made by
/// <see cref="SandboxWorld"/> itself.
/// </summary>
public sealed class ServeSetup
{
    public const string GroupRole = "app_rw";
    public const string AppDatabase = "app";
    public const string VaultAdmin = "vault_admin";
    public const string VaultAdminEu = "vault_admin_eu";
    public const string AppAdmin = "app_admin";
    public static readonly IReadOnlyList<string> CertificateUsers = ["alice", "app_reader"];
    /// <summary>Password users for the static-role examples (docs/static-roles.md): Vault takes their passwords over.</summary>
    public static readonly IReadOnlyList<string> StaticRoleUsers = ["report_reader", "etl_loader", "legacy_app", "etl_loader_eu"];

    public const string DatabaseMount = "database";
    public const string ConnectionName = "crdb";
    public static readonly IReadOnlyList<string> DatabaseRoles = ["app", "reporting", "migrations", "etl", "app_old"];
    public const string TeamDatabaseMount = "team-a/database";
    public const string TeamConnectionName = "crdb-eu";
    public const string PkiMount = "cockroach_client_ca";
    public const string SecondPkiMount = "cockroach_client_ca_2027";
    public const string TeamPkiMount = "team-a/pki";
    public const string OpsTransitMount = "ops/transit";
    public const string OpsTransitKey = "crdb-ear-prod";
    public const string AppRoleMount = "approle";
    public const string AppRole = "crdb-runbook";
    /// <summary>What the AppRole's tokens may do: issue, renew and revoke database credentials.</summary>
    public const string AppRolePolicy = "crdb-runbook";
    public const string AppRolePolicyText = """
        path "database/creds/*" { capabilities = ["read"] }
        path "sys/leases/renew" { capabilities = ["update"] }
        path "sys/leases/revoke" { capabilities = ["update"] }
        path "sys/leases/lookup" { capabilities = ["update"] }
        """;

    private ServeSetup(string roleId, string secretId)
    {
        RoleId = roleId;
        SecretId = secretId;
    }

    /// <summary>VAULT_ROLE_ID of <see cref="AppRole"/>.</summary>
    public string RoleId { get; }
    /// <summary>A secret_id of <see cref="AppRole"/> (no TTL, unlimited uses).</summary>
    public string SecretId { get; }

    public static async Task<ServeSetup> ApplyAsync(SandboxWorld world, CancellationToken ct = default)
    {
        PostgresLauncher pg = world.Postgres;
        string vaultAdminPassword = NewPassword(), vaultAdminEuPassword = NewPassword();
        await PrepareSqlAsync(pg, vaultAdminPassword, vaultAdminEuPassword, ct).ConfigureAwait(false);

        using HttpClient http = world.Vault.CreateClient(world.RootToken);
        async Task<JsonNode?> Send(HttpMethod method, string path, object? body = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using HttpResponseMessage r = await http.SendAsync(request, ct).ConfigureAwait(false);
            string text = await r.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"serve setup: {method} {path} answered {(int)r.StatusCode}: {text}");
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        Task Write(string path, object body) => Send(HttpMethod.Post, path, body);

        // The database engine, as Initialize-CrdbVaultDatabase -RotateRoot and Set-CrdbVaultRole leave it.
        string url = $"postgresql://{{{{username}}}}:{{{{password}}}}@{pg.Host}:{pg.Port}/{PostgresLauncher.DefaultDatabase}?sslmode=verify-full&sslrootcert={pg.CaCertificatePath}";
        foreach (var (mount, connection, user, password, roles) in new[]
        {
            (DatabaseMount, ConnectionName, VaultAdmin, vaultAdminPassword, DatabaseRoles),
            (TeamDatabaseMount, TeamConnectionName, VaultAdminEu, vaultAdminEuPassword, (IReadOnlyList<string>)["reporting"]),
        })
        {
            await Write($"sys/mounts/{mount}", new { type = "database" }).ConfigureAwait(false);
            await Write($"{mount}/config/{connection}", new
            {
                plugin_name = "postgresql-database-plugin", connection_url = url, username = user, password,
                allowed_roles = new[] { "*" }, password_authentication = "scram-sha-256",
                username_template = "{{ printf \"v-%s-%s-%s-%s\" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 | lowercase }}",
            }).ConfigureAwait(false);
            await Write($"{mount}/rotate-root/{connection}", new { }).ConfigureAwait(false);
            foreach (string role in roles)
                await Write($"{mount}/roles/{role}", new
                {
                    db_name = connection, default_ttl = "1h", max_ttl = "24h",
                    creation_statements = new[]
                    {
                        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
                        $"GRANT \"{GroupRole}\" TO \"{{{{name}}}}\";",
                    },
                    revocation_statements = new[] { "REASSIGN OWNED BY \"{{name}}\" TO CURRENT_USER;", "DROP OWNED BY \"{{name}}\";", "DROP ROLE IF EXISTS \"{{name}}\";" },
                    renew_statements = new[] { "ALTER ROLE \"{{name}}\" WITH VALID UNTIL '{{expiration}}';" },
                }).ConfigureAwait(false);
        }

        // Static roles as Set-CrdbVaultStaticRole leaves them (docs/static-roles.md). Creating one sets
        // the user's password, so only Vault knows it from here on. DocExamples.Mapping.psd1 (VaultWrites)
        // writes the two of database/ again before each docs file, since an example may remove one.
        await Write($"{DatabaseMount}/static-roles/reporting", new { db_name = ConnectionName, username = "report_reader", rotation_period = "24h" }).ConfigureAwait(false);
        await Write($"{DatabaseMount}/static-roles/etl", new { db_name = ConnectionName, username = "etl_loader", rotation_schedule = "0 3 * * *", rotation_window = "1h" }).ConfigureAwait(false);
        await Write($"{TeamDatabaseMount}/static-roles/etl_eu", new { db_name = TeamConnectionName, username = "etl_loader_eu", rotation_period = "24h" }).ConfigureAwait(false);

        // The cluster's CA: PostgreSQL's server certificate and its trusted client CA.
        await Write($"sys/mounts/{PkiMount}", new { type = "pki", config = new { max_lease_ttl = "87600h" } }).ConfigureAwait(false);
        await Write($"{PkiMount}/config/ca", new { pem_bundle = pg.Tls.CaKeyPem + pg.Tls.CaCertificatePem }).ConfigureAwait(false);
        await WritePkiRolesAsync(Write, PkiMount).ConfigureAwait(false);
        await Write($"sys/mounts/{SecondPkiMount}", new { type = "pki", config = new { max_lease_ttl = "87600h" } }).ConfigureAwait(false);
        await Write($"{SecondPkiMount}/root/generate/internal", new { common_name = "Cockroach CA 2027", ttl = "87600h", key_type = "ec", key_bits = 256 }).ConfigureAwait(false);
        await WritePkiRolesAsync(Write, SecondPkiMount).ConfigureAwait(false);
        await Write($"sys/mounts/{TeamPkiMount}", new { type = "pki", config = new { max_lease_ttl = "87600h" } }).ConfigureAwait(false);
        await Write($"{TeamPkiMount}/root/generate/internal", new { common_name = "Team A SQL clients", ttl = "87600h", key_type = "ec", key_bits = 384 }).ConfigureAwait(false);
        // As Initialize-CrdbCertificateAuthority -Kind Client -KeyType ec -KeyBits 384 -ClientMaxTtl 72h leaves it.
        await WritePkiRolesAsync(Write, TeamPkiMount, node: false, keyType: "ec", keyBits: 384, clientMaxTtl: "72h").ConfigureAwait(false);

        // Encryption keys.
        await Write("sys/mounts/transit", new { type = "transit" }).ConfigureAwait(false);
        await Write($"sys/mounts/{OpsTransitMount}", new { type = "transit" }).ConfigureAwait(false);
        await Write($"{OpsTransitMount}/keys/{OpsTransitKey}", new { type = "aes256-gcm96" }).ConfigureAwait(false);
        await Write("sys/mounts/keymgmt", new { type = "keymgmt" }).ConfigureAwait(false);

        // AppRole for the runbook and pipeline examples (VAULT_ROLE_ID / VAULT_SECRET_ID).
        await Write($"sys/policies/acl/{AppRolePolicy}", new { policy = AppRolePolicyText }).ConfigureAwait(false);
        await Write($"sys/auth/{AppRoleMount}", new { type = "approle" }).ConfigureAwait(false);
        await Write($"auth/{AppRoleMount}/role/{AppRole}", new { token_policies = AppRolePolicy, token_ttl = "1h", token_max_ttl = "8h" }).ConfigureAwait(false);
        string roleId = (await Send(HttpMethod.Get, $"auth/{AppRoleMount}/role/{AppRole}/role-id").ConfigureAwait(false))!["data"]!["role_id"]!.GetValue<string>();
        string secretId = (await Send(HttpMethod.Post, $"auth/{AppRoleMount}/role/{AppRole}/secret-id", new { }).ConfigureAwait(false))!["data"]!["secret_id"]!.GetValue<string>();
        return new ServeSetup(roleId, secretId);
    }

    /// <summary>The client and node roles as Initialize-CrdbCertificateAuthority writes them (docs/certificates.md).</summary>
    private static async Task WritePkiRolesAsync(Func<string, object, Task> write, string mount, bool node = true,
        string keyType = "rsa", int keyBits = 0, string clientMaxTtl = "720h")
    {
        string[] keyUsage = ["DigitalSignature", "KeyEncipherment"];
        await write($"{mount}/roles/client", new
        {
            allow_any_name = true, enforce_hostnames = false, allow_localhost = false, allowed_domains = Array.Empty<string>(),
            allow_bare_domains = false, allow_subdomains = false, allow_glob_domains = false, allow_wildcard_certificates = false,
            allow_ip_sans = false, allowed_uri_sans = "", allowed_other_sans = "", server_flag = false, client_flag = true,
            code_signing_flag = false, email_protection_flag = false, ext_key_usage = Array.Empty<string>(), key_usage = keyUsage,
            key_type = keyType, key_bits = keyBits, use_csr_common_name = false, use_csr_sans = false, require_cn = true,
            cn_validations = new[] { "hostname" }, ttl = "24h", max_ttl = clientMaxTtl, generate_lease = false, no_store = false,
        }).ConfigureAwait(false);
        if (!node) return;
        await write($"{mount}/roles/node", new
        {
            allow_any_name = true, enforce_hostnames = false, allow_localhost = true, allow_wildcard_certificates = true,
            allow_ip_sans = true, allowed_uri_sans = "", allowed_other_sans = "", server_flag = true, client_flag = true,
            code_signing_flag = false, email_protection_flag = false, ext_key_usage = Array.Empty<string>(), key_usage = keyUsage,
            key_type = keyType, key_bits = keyBits, use_csr_common_name = false, use_csr_sans = false, require_cn = true,
            ttl = "720h", max_ttl = "8760h", generate_lease = false, no_store = false,
        }).ConfigureAwait(false);
    }

    private static async Task PrepareSqlAsync(PostgresLauncher pg, string vaultAdminPassword, string vaultAdminEuPassword, CancellationToken ct)
    {
        await ExecuteAsync(pg.AdminConnectionString, [$"CREATE DATABASE {AppDatabase}"], ct).ConfigureAwait(false);
        await ExecuteAsync(pg.AdminConnectionString,
        [
            $"CREATE ROLE {GroupRole} NOLOGIN",
            $"GRANT CONNECT ON DATABASE {PostgresLauncher.DefaultDatabase}, {AppDatabase} TO {GroupRole}",
            // Superusers stand in for members of CockroachDB's admin role (what Vault connects as).
            $"CREATE ROLE {VaultAdmin} WITH LOGIN SUPERUSER PASSWORD '{vaultAdminPassword}'",
            $"CREATE ROLE {VaultAdminEu} WITH LOGIN SUPERUSER PASSWORD '{vaultAdminEuPassword}'",
            $"CREATE ROLE {AppAdmin} WITH LOGIN PASSWORD '{NewPassword()}'",
            .. CertificateUsers.Select(u => $"CREATE ROLE {u} WITH LOGIN IN ROLE {PostgresLauncher.CertificateLoginRole}"),
            .. StaticRoleUsers.Select(u => $"CREATE ROLE {u} WITH LOGIN PASSWORD '{NewPassword()}' IN ROLE {GroupRole}"),
        ], ct).ConfigureAwait(false);
        await ExecuteAsync(new NpgsqlConnectionStringBuilder(pg.AdminConnectionString) { Database = AppDatabase }.ConnectionString,
        [
            "CREATE TABLE public.customers (id bigint PRIMARY KEY, name text NOT NULL)",
            "CREATE TABLE public.orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES public.customers (id), total numeric NOT NULL)",
            $"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {GroupRole}",
            $"GRANT ALL ON DATABASE {AppDatabase} TO {AppAdmin}",
        ], ct).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(string connectionString, IEnumerable<string> statements, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct).ConfigureAwait(false);
        foreach (string sql in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Base62: safe in SQL literals and URLs.</summary>
    private static string NewPassword() => RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32);
}
