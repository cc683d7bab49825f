using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// The module refuses to store a URL with credentials, but another tool (or a person with the vault
/// CLI) may have put one into Vault. Whatever Vault holds, the cmdlets that read a connection never
/// show its password: not in the output object, its formatting or JSON, nor in any stream, -Verbose
/// included (issue 8 D3).
/// </summary>
[Collection("sandbox")]
public sealed class StoredUrlRedactionTests : CredentialTestBase
{
    private const string UserInfoPassword = "Pw-In-UserInfo-7731";
    private const string QueryPassword = "Pw-In-Query-7731";

    public StoredUrlRedactionTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
    }

    private string UrlWithPasswords =>
        $"postgresql://{Sandbox.World.Postgres.AdminUser}:{UserInfoPassword}@{Sandbox.World.Postgres.Host}:{Sandbox.World.Postgres.Port}/postgres" +
            $"?sslmode=verify-full&password={QueryPassword}";

    private static void AssertNoPassword(string text)
    {
        Assert.DoesNotContain(UserInfoPassword, text);
        Assert.DoesNotContain(QueryPassword, text);
    }

    [Fact]
    public void Initialize_shows_a_stored_url_with_passwords_redacted_in_every_stream()
    {
        // Vault answers the read-back with a URL that carries passwords (as if another tool wrote it).
        string url = UrlWithPasswords;
        Fault stored = Sandbox.World.Options.Faults.Add(new Fault
        {
            Method = "GET", PathPrefix = $"{Mount}/config/pg", AfterExecution = true,
            TransformBody = body =>
            {
                JsonObject json = JsonNode.Parse(body)!.AsObject();
                json["data"]!["connection_url"] = url;
                json["data"]!["connection_details"]!["connection_url"] = url;
                return json.ToJsonString();
            },
        });

        ScriptResult r = Session.Run("""
            $c = Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -SkipPrivilegeCheck -Verbose -WarningAction Continue
            $c
            $c | Format-List * | Out-String
            $c | ConvertTo-Json
            "$c"
            """, verbose: true).AssertSuccess();

        Assert.Equal(1, stored.Hits);
        dynamic connection = r.Output[0];
        string shown = connection.ConnectionUrl;
        Assert.Contains($"{Sandbox.World.Postgres.AdminUser}:***@", shown);
        Assert.Contains("password=***", shown);
        Assert.NotEmpty(r.Verbose);
        AssertNoPassword(r.AllText());
        AssertNoPassword(string.Join("\n", r.Output.Select(o => o.ToString())));
    }

    [Fact]
    public async Task A_connection_stored_with_passwords_is_read_by_Set_CrdbVaultRole_without_showing_them()
    {
        // Written straight to the Vault double, past the module's refusal of such URLs.
        VaultHttpResult written = await Sandbox.RootAsync("POST", $"{Mount}/config/byhand", new
        {
            plugin_name = "postgresql-database-plugin", connection_url = UrlWithPasswords, allowed_roles = "*", verify_connection = false,
        });
        Assert.True(written.Code is 200 or 204, $"the double answered {written.Code}");
        Assert.Contains(UserInfoPassword, (await Sandbox.RootAsync("GET", $"{Mount}/config/byhand")).Data!.ToJsonString());

        ScriptResult r = Session.Run("""
            Set-CrdbVaultRole -Name byhand -ConnectionName byhand -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres' -Verbose -WarningAction Continue |
                Format-List * | Out-String
            """, verbose: true).AssertSuccess();

        Assert.NotEmpty(r.Verbose);
        AssertNoPassword(r.AllText());
        AssertNoPassword(string.Join("\n", r.Output.Select(o => o.ToString())));
    }
}
