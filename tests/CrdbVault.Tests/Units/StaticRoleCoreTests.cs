using System.Net;
using CrdbVault.Core.Database;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

/// <summary>Static roles in Core: input checks before any request, and both documented response shapes.</summary>
public sealed class StaticRoleCoreTests
{
    private static (StaticRoles Roles, StubHandler Stub) Create()
    {
        var stub = new StubHandler();
        using IDisposable scripted = InternalHooks.UseHttpHandler(stub);
        var client = new VaultClient(new VaultClientOptions
        {
            Address = new Uri("https://vault.test:8200"),
            RetryBaseDelay = TimeSpan.FromMilliseconds(1),
            MaxAttempts = 3,
        }, new FixedToken());
        return (new StaticRoles(client), stub);
    }

    private sealed class FixedToken : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>("hvs.TOKEN");
    }

    private static StaticRoleRequest Request(TimeSpan? period = null, string? schedule = null, TimeSpan? window = null, string[]? statements = null, string user = "app_user") => new()
    {
        Name = "reporting",
        ConnectionName = "crdb",
        UserName = user,
        RotationPeriod = period,
        RotationSchedule = schedule,
        RotationWindow = window,
        RotationStatements = statements ?? [],
    };

    [Fact]
    public void The_default_rotation_statement_is_ALTER_USER_with_password()
    {
        StaticRoleRequest r = StaticRoles.Validate(Request(period: TimeSpan.FromHours(1)));
        Assert.Equal(["ALTER USER \"{{name}}\" WITH PASSWORD '{{password}}';"], r.RotationStatements);
    }

    [Fact]
    public void Period_and_schedule_are_exclusive_and_one_is_needed()
    {
        Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request()));
        Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request(period: TimeSpan.FromHours(1), schedule: "0 3 * * *")));
    }

    [Fact]
    public void Vault_minimums_are_checked_before_any_request()
    {
        Assert.Contains("5 seconds", Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request(period: TimeSpan.FromSeconds(4)))).Message);
        StaticRoles.Validate(Request(period: TimeSpan.FromSeconds(5)));
        Assert.Contains("1 hour", Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request(schedule: "0 3 * * *", window: TimeSpan.FromMinutes(59)))).Message);
        Assert.Contains("only with -RotationSchedule", Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request(period: TimeSpan.FromHours(1), window: TimeSpan.FromHours(2)))).Message);
    }

    [Theory]
    [InlineData("ALTER USER app WITH PASSWORD 'fixed';")]
    [InlineData("ALTER USER \"{{name}}\" WITH LOGIN;")]
    [InlineData("SELECT '{{password}}';")]
    [InlineData("")]
    public void Rotation_statements_must_set_the_password_of_the_user(string statement) =>
        Assert.Throws<ArgumentException>(() => StaticRoles.Validate(Request(period: TimeSpan.FromHours(1), statements: [statement])));

    [Fact]
    public void Custom_rotation_statements_are_kept()
    {
        string[] custom = ["ALTER ROLE \"{{username}}\" WITH LOGIN PASSWORD '{{password}}';"];
        Assert.Equal(custom, StaticRoles.Validate(Request(period: TimeSpan.FromHours(1), statements: custom)).RotationStatements);
    }

    [Theory]
    [InlineData("0 3 * * *")]
    [InlineData("0 0 * * SAT")]
    [InlineData("*/15 * * * *")]
    [InlineData("0 9-17/2 * * MON-FRI")]
    [InlineData("5,35 1 1,15 JAN,jul ?")]
    [InlineData("  0   3 *  * *  ")]
    [InlineData("59 23 31 12 7")]
    public void Five_field_schedules_are_accepted(string schedule) =>
        Assert.Equal(string.Join(' ', schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries)), RotationSchedule.Validate(schedule));

    [Theory]
    [InlineData("@hourly", "descriptors")]
    [InlineData("@every 1h", "descriptors")]
    [InlineData("0 0 3 * * *", "exactly five")]
    [InlineData("0 3 * *", "exactly five")]
    [InlineData("60 * * * *", "outside 0-59")]
    [InlineData("0 24 * * *", "outside 0-23")]
    [InlineData("0 0 0 * *", "outside 1-31")]
    [InlineData("0 0 * 13 *", "outside 1-12")]
    [InlineData("0 0 * * 8", "outside 0-7")]
    [InlineData("*/0 * * * *", "step")]
    [InlineData("*/61 * * * *", "step")]
    [InlineData("0 0 L * *", "takes *")]
    [InlineData("0 0 * * 5#3", "takes *")]
    [InlineData("0 0 15W * *", "takes *")]
    [InlineData("0 0 * * MON-", "takes *")]
    [InlineData("0,,5 * * * *", "empty list item")]
    [InlineData("1-2-3 * * * *", "range")]
    [InlineData("0 0 * JAN-FOO *", "takes *")]
    [InlineData("0 0 * * JAN", "takes *")]
    [InlineData("", "empty")]
    [InlineData("0 3 * * *;DROP", "takes *")]
    public void Other_schedules_are_refused_with_what_to_write(string schedule, string why)
    {
        var ex = Assert.Throws<ArgumentException>(() => RotationSchedule.Validate(schedule));
        Assert.Contains(why, ex.Message);
        Assert.Contains("e.g. '0 3 * * *'", ex.Message);
    }

    [Fact]
    public void An_oversized_schedule_is_refused_before_parsing() =>
        Assert.Throws<ArgumentException>(() => RotationSchedule.Validate("0 " + new string('1', 500) + " * * *"));

    [Fact]
    public async Task Static_creds_with_a_rotation_period_are_read()
    {
        var (roles, stub) = Create();
        // Vault's documented sample (period shape).
        stub.Answer(HttpStatusCode.OK, """
            {"data":{"username":"static-user","password":"132ae3ef-5a64-7499-351e-bfe59f3a2a21","last_vault_rotation":"2019-05-06T15:26:42.525302-05:00","rotation_period":30,"ttl":28}}
            """);
        DateTimeOffset before = DateTimeOffset.UtcNow;
        StaticCredentialInfo c = await roles.ReadCredentialAsync("my-static-role", default);
        Assert.Equal("static-user", c.UserName);
        Assert.Equal("132ae3ef-5a64-7499-351e-bfe59f3a2a21", SecureStrings.Reveal(c.Password));
        Assert.Equal(new DateTimeOffset(2019, 5, 6, 20, 26, 42, TimeSpan.Zero).AddTicks(5253020), c.LastVaultRotation);
        Assert.Equal(TimeSpan.FromSeconds(30), c.RotationPeriod);
        Assert.Null(c.RotationSchedule);
        Assert.InRange(c.NextRotation!.Value, before.AddSeconds(27), DateTimeOffset.UtcNow.AddSeconds(29));
        Assert.DoesNotContain("132ae3ef", c.ToString());
        Assert.Equal("https://vault.test:8200/v1/database/static-creds/my-static-role", stub.Requests.Single().Uri.ToString());
    }

    [Fact]
    public async Task Static_creds_with_a_rotation_schedule_are_read()
    {
        var (roles, stub) = Create();
        stub.Answer(HttpStatusCode.OK, """
            {"data":{"username":"static-user","password":"pw","last_vault_rotation":"2019-05-06T15:26:42.525302-05:00","rotation_schedule":"0 0 * * SAT","rotation_window":3600,"ttl":5000}}
            """);
        StaticCredentialInfo c = await roles.ReadCredentialAsync("my-static-role", default);
        Assert.Equal("0 0 * * SAT", c.RotationSchedule);
        Assert.Equal(TimeSpan.FromHours(1), c.RotationWindow);
        Assert.Null(c.RotationPeriod);
        Assert.InRange(c.NextRotation!.Value, DateTimeOffset.UtcNow.AddSeconds(4990), DateTimeOffset.UtcNow.AddSeconds(5001));
    }

    [Fact]
    public async Task Static_roles_are_read_in_both_shapes_including_the_older_string_period()
    {
        var (roles, stub) = Create();
        stub.Answer(HttpStatusCode.OK, """
            {"data":{"credential_type":"password","db_name":"mysql","username":"static-user","rotation_statements":["ALTER USER \"{{name}}\" IDENTIFIED BY '{{password}}';"],"rotation_period":3600,"skip_import_rotation":false}}
            """);
        stub.Answer(HttpStatusCode.OK, """
            {"data":{"credential_type":"password","db_name":"mysql","username":"static-user","rotation_statements":["ALTER USER \"{{name}}\" IDENTIFIED BY '{{password}}';"],"rotation_schedule":"0 0 * * SAT","rotation_window":3600,"skip_import_rotation":false}}
            """);
        stub.Answer(HttpStatusCode.OK, """
            {"data":{"db_name":"mysql","username":"static-user","rotation_statements":["ALTER USER \"{{name}}\" WITH PASSWORD '{{password}}';"],"rotation_period":"1h"}}
            """);
        StaticRoleInfo period = (await roles.ReadAsync("a", default))!;
        Assert.Equal(("mysql", "static-user", TimeSpan.FromHours(1), (string?)null, (TimeSpan?)null), (period.ConnectionName, period.UserName, period.RotationPeriod!.Value, period.RotationSchedule, period.RotationWindow));
        StaticRoleInfo schedule = (await roles.ReadAsync("b", default))!;
        Assert.Equal(("0 0 * * SAT", TimeSpan.FromHours(1), (TimeSpan?)null), (schedule.RotationSchedule!, schedule.RotationWindow!.Value, schedule.RotationPeriod));
        StaticRoleInfo older = (await roles.ReadAsync("c", default))!;
        Assert.Equal(TimeSpan.FromHours(1), older.RotationPeriod);
        Assert.Equal("password", older.CredentialType);
    }

    [Fact]
    public async Task An_unknown_role_is_NotFound_with_what_to_do()
    {
        var (roles, stub) = Create();
        stub.Answer(HttpStatusCode.BadRequest, """{"errors":["unknown role: nope"]}""");
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => roles.ReadCredentialAsync("nope", default));
        Assert.Equal(VaultErrorKind.NotFound, ex.Kind);
        Assert.Contains("Set-CrdbVaultStaticRole", ex.Message);
    }

    [Fact]
    public async Task Reads_of_static_creds_are_retried_but_rotate_role_is_sent_at_most_once()
    {
        var (roles, stub) = Create();
        stub.Answer(HttpStatusCode.ServiceUnavailable, """{"errors":["Vault is sealed"]}""");
        stub.Answer(HttpStatusCode.OK, """{"data":{"username":"u","password":"p","ttl":10,"rotation_period":10}}""");
        await roles.ReadCredentialAsync("r", default);
        Assert.Equal(2, stub.Requests.Count);

        stub.Requests.Clear();
        stub.Answer(HttpStatusCode.ServiceUnavailable, """{"errors":["Vault is sealed"]}""");
        stub.Answer(HttpStatusCode.NoContent);
        var ex = await Assert.ThrowsAsync<VaultApiException>(() => roles.RotateAsync("r", default));
        Assert.Single(stub.Requests);
        Assert.Equal(HttpMethod.Post, stub.Requests[0].Method);
        Assert.EndsWith("/v1/database/rotate-role/r", stub.Requests[0].Uri.ToString());
    }
}
