using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>
/// <c>serve</c> as a user starts it: the options, the fault file, and a running instance (in-process,
/// its own world) that prepared what the docs assume, published every key of its info file, armed the
/// faults only after its own set-up, and removes the info file when stopped.
/// </summary>
public sealed class ServeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Options_are_checked_with_a_message_that_says_what_is_wrong()
    {
        Assert.Contains("unknown argument '--port'", Assert.Throws<FormatException>(() => ServeCommand.Parse(["--port", "1"])).Message);
        Assert.Contains("--faults needs a value", Assert.Throws<FormatException>(() => ServeCommand.Parse(["--faults"])).Message);
        foreach (string bad in new[] { "-1", "abc", "3601", "NaN" })
            Assert.Contains("--cloud-transition-seconds", Assert.Throws<FormatException>(() => ServeCommand.Parse(["--cloud-transition-seconds", bad])).Message);

        ServeCommand.Settings s = ServeCommand.Parse(["--info-file", "i.json", "--cloud-transition-seconds", "2.5"]);
        Assert.Equal("i.json", s.InfoFile);
        Assert.Equal(TimeSpan.FromSeconds(2.5), s.CloudTransition);
        Assert.Empty(s.Faults);
    }

    [Fact]
    public void A_fault_file_becomes_the_faults_the_doubles_inject()
    {
        string path = WriteFile("faults.json", """
            {"faults": [
              {"method": "get", "path": "/v1/database/creds/app", "status": 503, "errors": ["Vault is sealed"], "times": 2, "retry_after": 1},
              {"path": "/v1/database/creds/", "when": "after", "drop": true},
              {"method": "POST", "path": "/api/v1/clusters/", "delay": "1500ms", "times": -1},
              {"path": "/v1/sys/health", "delay": 2}
            ]}
            """);
        IReadOnlyList<Fault> f = ServeCommand.Parse(["--faults", path]).Faults;
        Assert.Equal(4, f.Count);
        Assert.Equal(("GET", "database/creds/app", 503, 2, 1), (f[0].Method, f[0].PathPrefix, f[0].Status, f[0].Times, f[0].RetryAfterSeconds));
        Assert.Equal(["Vault is sealed"], f[0].Errors);
        Assert.False(f[0].AfterExecution);
        Assert.True(f[1].AfterExecution && f[1].Drop);
        Assert.Null(f[1].Method);
        Assert.Equal(1, f[1].Times);
        // Cloud paths stay whole: the Cloud double matches full paths.
        Assert.Equal(("POST", "/api/v1/clusters/", -1, TimeSpan.FromMilliseconds(1500)), (f[2].Method, f[2].PathPrefix, f[2].Times, f[2].Delay));
        Assert.Equal(TimeSpan.FromSeconds(2), f[3].Delay);
    }

    [Theory]
    [InlineData("""{"faults": [{"path": "/v1/x", "stauts": 503}]}""", "faults[0]: unknown field 'stauts'")]
    [InlineData("""{"faults": [{"path": "database/creds/app", "status": 503}]}""", "must start with /v1/ (the Vault double) or /api/")]
    [InlineData("""{"faults": [{"path": "/v1/x"}]}""", "does nothing")]
    [InlineData("""{"faults": [{"path": "/v1/x", "status": 503, "drop": true}]}""", "exclude each other")]
    [InlineData("""{"faults": [{"path": "/v1/x", "status": 200}]}""", "from 400 to 599")]
    [InlineData("""{"faults": [{"path": "/v1/x", "status": 503, "times": 0}]}""", "-1 for every")]
    [InlineData("""{"faults": [{"path": "/v1/x", "delay": "soon"}]}""", "a duration")]
    [InlineData("""{"faults": [{"path": "/v1/x", "delay": "2h"}]}""", "a duration")]
    [InlineData("""{"faults": [{"path": "/v1/x", "status": 503, "when": "during"}]}""", "'before' or 'after'")]
    [InlineData("""{"faults": [{"path": "/v1/x", "method": "FETCH", "status": 503}]}""", "is not one of")]
    [InlineData("""{"faults": [{"path": "/v1/x", "drop": true, "retry_after": 1}]}""", "needs a 'status'")]
    [InlineData("""{"fault": []}""", "expected {\"faults\"")]
    [InlineData("""[1, 2]""", "expected {\"faults\"")]
    [InlineData("""{"faults": [{"path": "/v1/x", "status": 503}], "extra": 1}""", "unknown field 'extra'")]
    [InlineData("""{"faults": [{"path": """, "not JSON")]
    public void A_fault_file_with_a_mistake_is_refused_naming_the_place(string json, string expected)
    {
        string path = WriteFile("bad.json", json);
        FormatException e = Assert.Throws<FormatException>(() => ServeCommand.Parse(["--faults", path]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_deeply_nested_or_huge_fault_file_is_refused()
    {
        string deep = WriteFile("deep.json", "{\"faults\": [" + new string('[', 100) + new string(']', 100) + "]}");
        Assert.Contains("not JSON", Assert.Throws<FormatException>(() => ServeCommand.Parse(["--faults", deep])).Message);
        string huge = WriteFile("huge.json", "{\"faults\": [" + string.Join(",", Enumerable.Repeat("{\"path\": \"/v1/x\", \"status\": 503}", 40_000)) + "]}");
        Assert.Contains("larger than", Assert.Throws<FormatException>(() => ServeCommand.Parse(["--faults", huge])).Message);
    }

    [Fact]
    public async Task A_running_serve_prepared_what_the_docs_assume_and_armed_the_faults_after_its_own_setup()
    {
        string info = Path.Combine(_dir, "info.json");
        // A fault on a path the set-up itself writes (sys/mounts): it must reach only the user's request.
        string faults = WriteFile("faults.json", """
            {"faults": [
              {"method": "GET", "path": "/v1/sys/mounts", "status": 503, "errors": ["Vault is sealed"]},
              {"method": "POST", "path": "/api/v1/clusters/", "when": "after", "status": 503}
            ]}
            """);
        using var stop = new CancellationTokenSource();
        var output = new StringWriter();
        Task<int> serve = ServeCommand.ServeAsync(ServeCommand.Parse(["--info-file", info, "--faults", faults, "--cloud-transition-seconds", "3600"]), output, stop.Token);
        try
        {
            DateTime deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(info) && !serve.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.True(File.Exists(info), "serve did not write its info file: " + (serve.IsFaulted ? serve.Exception!.ToString() : "timeout"));
            JsonObject json = JsonNode.Parse(File.ReadAllText(info))!.AsObject();
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(info));
            foreach (string key in new[] { "VAULT_ADDR", "VAULT_TOKEN", "VAULT_ROLE_ID", "VAULT_SECRET_ID", "COCKROACH_SERVER", "COCKROACH_API_KEY", "COCKROACH_CLUSTER_ID", "POSTGRES_URL",
                "SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
                "CRDBVAULT_IMDS_ENDPOINT", "SECRETLESS_LOGINS" })
                Assert.True(json.ContainsKey(key), $"the info file has no {key}");
            string postgresUrl = json["POSTGRES_URL"]!.GetValue<string>();
            Assert.Matches("^postgresql://crdbvault_admin:[A-Za-z0-9]+@127\\.0\\.0\\.1:[0-9]+/defaultdb\\?sslmode=verify-full&sslrootcert=/.+/ca\\.crt$", postgresUrl);

            // The SQL side: app_rw, the admins, the certificate and static-role users; reached with verify-full.
            var pg = new Uri(postgresUrl);
            string ca = postgresUrl[(postgresUrl.IndexOf("sslrootcert=", StringComparison.Ordinal) + "sslrootcert=".Length)..];
            string[] userInfo = pg.UserInfo.Split(':');
            await using (var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
            {
                Host = pg.Host, Port = pg.Port, Username = userInfo[0], Password = userInfo[1], Database = "defaultdb",
                SslMode = SslMode.VerifyFull, RootCertificate = ca, Pooling = false,
            }.ConnectionString))
            {
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('app_rw', 'vault_admin', 'vault_admin_eu', 'app_admin', 'alice', 'app_reader', 'report_reader', 'etl_loader', 'legacy_app', 'etl_loader_eu')", conn);
                Assert.Equal("alice,app_admin,app_reader,app_rw,etl_loader,etl_loader_eu,legacy_app,report_reader,vault_admin,vault_admin_eu", (string)(await cmd.ExecuteScalarAsync())!);
            }

            // The Vault side, as the docs use it.
            using var vault = new HttpClient { BaseAddress = new Uri(json["VAULT_ADDR"]!.GetValue<string>() + "/v1/") };
            vault.DefaultRequestHeaders.Add("X-Vault-Token", json["VAULT_TOKEN"]!.GetValue<string>());
            // The first GET sys/mounts meets the armed fault (the set-up's own requests did not).
            using (HttpResponseMessage sealedAnswer = await vault.GetAsync("sys/mounts"))
                Assert.Equal(HttpStatusCode.ServiceUnavailable, sealedAnswer.StatusCode);
            JsonObject mounts = (await vault.GetFromJsonAsync<JsonObject>("sys/mounts"))!;
            JsonObject table = mounts["data"]?.AsObject() ?? mounts;
            foreach (var (path, type) in new[] { ("database/", "database"), ("team-a/database/", "database"), ("cockroach_client_ca/", "pki"), ("cockroach_client_ca_2027/", "pki"), ("team-a/pki/", "pki"),
                ("transit/", "transit"), ("ops/transit/", "transit"), ("keymgmt/", "keymgmt") })
                Assert.Equal(type, table[path]?["type"]?.GetValue<string>());
            JsonObject creds = (await vault.GetFromJsonAsync<JsonObject>("database/creds/app"))!;
            Assert.StartsWith("database/creds/app/", creds["lease_id"]!.GetValue<string>());
            // The static roles of docs/static-roles.md: Vault set their users' passwords, which log in.
            JsonObject reporting = (await vault.GetFromJsonAsync<JsonObject>("database/static-creds/reporting"))!;
            Assert.Equal("report_reader", reporting["data"]!["username"]!.GetValue<string>());
            await using (var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
            {
                Host = pg.Host, Port = pg.Port, Username = "report_reader", Password = reporting["data"]!["password"]!.GetValue<string>(), Database = "defaultdb",
                SslMode = SslMode.VerifyFull, RootCertificate = ca, Pooling = false,
            }.ConnectionString))
                await conn.OpenAsync();
            JsonObject etl = (await vault.GetFromJsonAsync<JsonObject>("database/static-roles/etl"))!;
            Assert.Equal("0 3 * * *", etl["data"]!["rotation_schedule"]!.GetValue<string>());
            Assert.Equal("etl_loader_eu", (await vault.GetFromJsonAsync<JsonObject>("team-a/database/static-roles/etl_eu"))!["data"]!["username"]!.GetValue<string>());
            JsonObject caPem = (await vault.GetFromJsonAsync<JsonObject>("cockroach_client_ca/cert/ca"))!;
            Assert.Equal(File.ReadAllText(ca).Trim(), caPem["data"]!["certificate"]!.GetValue<string>().Trim());
            using (HttpResponseMessage login = await new HttpClient().PostAsJsonAsync(json["VAULT_ADDR"]!.GetValue<string>() + "/v1/auth/approle/login",
                new { role_id = json["VAULT_ROLE_ID"]!.GetValue<string>(), secret_id = json["VAULT_SECRET_ID"]!.GetValue<string>() }))
                Assert.Equal(HttpStatusCode.OK, login.StatusCode);

            // The Cloud side: the seeded cluster; an "after" fault reports 503 although the change
            // happened, and a change stays PENDING for the --cloud-transition-seconds given (an hour here).
            using var cloud = new HttpClient { BaseAddress = new Uri(json["COCKROACH_SERVER"]!.GetValue<string>()) };
            cloud.DefaultRequestHeaders.Add("Authorization", "Bearer " + json["COCKROACH_API_KEY"]!.GetValue<string>());
            string cluster = json["COCKROACH_CLUSTER_ID"]!.GetValue<string>();
            using (HttpResponseMessage set = await cloud.PostAsJsonAsync($"api/v1/clusters/{cluster}/client-ca-cert", new { x509_pem_cert = File.ReadAllText(ca) }))
                Assert.Equal(HttpStatusCode.ServiceUnavailable, set.StatusCode);
            JsonObject state = (await cloud.GetFromJsonAsync<JsonObject>($"api/v1/clusters/{cluster}/client-ca-cert"))!;
            Assert.Equal("PENDING", state["status"]!.GetValue<string>());
        }
        finally
        {
            stop.Cancel();
        }
        Assert.Equal(0, await serve);
        Assert.False(File.Exists(info), "serve left its info file behind");
        Assert.Contains("\"VAULT_ADDR\"", output.ToString());
    }
}
