using System.Management.Automation;
using CrdbVault.Sandbox.Vault.Engines;
using CrdbVault.Tests.Infrastructure;
using CrdbVault.Tests.Pipelines;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Static roles end to end, as a user types them: Set/Get/Remove-CrdbVaultStaticRole,
/// Get-CrdbStaticCredential into Test-CrdbConnection and Get-CrdbConnectionString,
/// Reset-CrdbStaticCredential, and Vault's own rotations against the sandbox PostgreSQL.
/// </summary>
[Collection("sandbox")]
public sealed class StaticRoleTests : CredentialTestBase
{
    public StaticRoleTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        User = SandboxFixture.Unique("report_reader");
        Initial = "initial-" + Guid.NewGuid().ToString("n");
        ExecSqlAsync($"CREATE ROLE {User} LOGIN PASSWORD '{Initial}'").GetAwaiter().GetResult();
        Session.SetVariable("User", User);
        Session.Run("""$sql = @{ Server = $SqlHost; Port = $SqlPort; Database = 'postgres'; RootCertificate = $SqlCa }""").AssertSuccess();
    }

    private string User { get; }
    private string Initial { get; }

    private async Task<bool> LogsInAsync(string password)
    {
        var cs = new NpgsqlConnectionStringBuilder(Sandbox.World.Postgres.ConnectionString(User, password)) { Pooling = false }.ConnectionString;
        try
        {
            await using var conn = new NpgsqlConnection(cs);
            await conn.OpenAsync();
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == "28P01")
        {
            return false;
        }
    }

    private string Password(string variable) => (string)Session.Run($"{variable}.Credential.GetNetworkCredential().Password").Output[0].BaseObject;

    [Fact]
    public async Task Create_read_test_and_reset_against_PostgreSQL()
    {
        ScriptResult r = Session.Run("""
            Set-CrdbVaultStaticRole -Name reporting -ConnectionName pg -UserName $User -RotationPeriod '24h' -MountPath $Mount
            $cred = Get-CrdbStaticCredential -Role reporting -MountPath $Mount
            $cred
            $cred | Test-CrdbConnection @sql
            """, verbose: true).AssertSuccess();
        dynamic role = r.Output[0];
        Assert.Equal("CrdbVault.VaultStaticRole", r.Output[0].TypeNames[0]);
        Assert.Equal((User, "pg", TimeSpan.FromHours(24)), ((string)role.UserName, (string)role.ConnectionName, (TimeSpan)role.RotationPeriod));
        Assert.Equal(["ALTER USER \"{{name}}\" WITH PASSWORD '{{password}}';"], (string[])role.RotationStatements);

        dynamic cred = r.Output[1];
        Assert.Equal("CrdbVault.StaticCredential", r.Output[1].TypeNames[0]);
        Assert.IsType<System.Security.SecureString>((object)cred.Password);
        Assert.Equal(User, (string)cred.Credential.UserName);
        DateTimeOffset last = cred.LastVaultRotation, next = cred.NextRotation;
        Assert.True(DateTimeOffset.UtcNow - last < TimeSpan.FromMinutes(1));
        Assert.InRange(next - last, TimeSpan.FromHours(24) - TimeSpan.FromSeconds(5), TimeSpan.FromHours(24) + TimeSpan.FromSeconds(5));
        Assert.Equal(User, (string)((dynamic)r.Output[2]).UserName);

        string password = Password("$cred");
        Assert.Contains($"{User}:{password}@", (string)Session.Run("$cred | Get-CrdbConnectionString @sql -AsPlainText").AssertSuccess().Output[0].BaseObject);
        // Creating the role rotated the live password at once.
        Assert.False(await LogsInAsync(Initial));
        Assert.True(await LogsInAsync(password));
        Assert.DoesNotContain(password, r.AllText());
        Assert.DoesNotContain(password, (string)Session.Run("$cred | Format-List * | Out-String; \"$cred\"").Output[0].BaseObject);

        // Reset: a new password now; the old one stops working.
        ScriptResult reset = Session.Run("$new = $cred | Reset-CrdbStaticCredential -PassThru; $new | Test-CrdbConnection @sql", verbose: true).AssertSuccess();
        string newPassword = Password("$new");
        Assert.NotEqual(password, newPassword);
        Assert.False(await LogsInAsync(password));
        Assert.True(await LogsInAsync(newPassword));
        Assert.DoesNotContain(newPassword, reset.AllText());
        ErrorRecord refused = Session.Run("$cred | Test-CrdbConnection @sql").SingleError();
        Assert.StartsWith("SqlAuthenticationFailed", refused.FullyQualifiedErrorId);

        // -WhatIf rotates nothing.
        Session.Run("Reset-CrdbStaticCredential -Role reporting -MountPath $Mount -WhatIf").AssertSuccess();
        Assert.True(await LogsInAsync(newPassword));
    }

    [Fact]
    public async Task A_rotation_period_of_5s_makes_the_old_password_fail()
    {
        Session.Run("$first = Set-CrdbVaultStaticRole -Name fast -ConnectionName pg -UserName $User -RotationPeriod 5 -MountPath $Mount | Get-CrdbStaticCredential").AssertSuccess();
        string first = Password("$first");
        Assert.True(await LogsInAsync(first) || Password("(Get-CrdbStaticCredential fast -MountPath $Mount)") != first);
        // Wait for the state Vault reports (a later LastVaultRotation), never for a fixed time.
        Assert.True(await SandboxFixture.EventuallyAsync(() => Task.FromResult((bool)Session.Run(
            "(Get-CrdbStaticCredential fast -MountPath $Mount).LastVaultRotation -gt $first.LastVaultRotation").AssertSuccess().Output[0].BaseObject), TimeSpan.FromSeconds(30)));
        Assert.False(await LogsInAsync(first));
        ErrorRecord e = Session.Run("$first | Test-CrdbConnection @sql").SingleError();
        Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        Session.Run("Remove-CrdbVaultStaticRole fast -MountPath $Mount").AssertSuccess();
    }

    [Fact]
    public async Task A_rotation_schedule_rotates_when_the_clock_hook_passes_it()
    {
        ScriptResult r = Session.Run("""
            Set-CrdbVaultStaticRole -Name nightly -ConnectionName pg -UserName $User -RotationSchedule '30 2 * * *' -RotationWindow '1h' -MountPath $Mount
            $before = Get-CrdbStaticCredential nightly -MountPath $Mount
            $before
            """).AssertSuccess();
        dynamic role = r.Output[0];
        Assert.Equal(("30 2 * * *", TimeSpan.FromHours(1)), ((string)role.RotationSchedule, (TimeSpan)role.RotationWindow));
        Assert.Null((object?)role.RotationPeriod);
        dynamic before = r.Output[1];
        DateTimeOffset next = before.NextRotation;
        Assert.Equal((2, 30, 0), (next.UtcDateTime.Hour, next.UtcDateTime.Minute, next.UtcDateTime.Second));
        string first = Password("$before");

        var rotations = ((DatabaseEngine)Sandbox.World.Vault.Mounts.Get(Mount)!.Engine).StaticRoles;
        await rotations.AdvanceClockAsync(next - DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));
        Session.Run("$after = Get-CrdbStaticCredential nightly -MountPath $Mount").AssertSuccess();
        Assert.NotEqual(first, Password("$after"));
        Assert.False(await LogsInAsync(first));
        Assert.True(await LogsInAsync(Password("$after")));
        DateTimeOffset last = (DateTimeOffset)((dynamic)Session.Run("$after").Output[0]).LastVaultRotation;
        Assert.Equal((2, 31), (last.UtcDateTime.Hour, last.UtcDateTime.Minute));
    }

    [Fact]
    public async Task Updating_changes_the_schedule_without_rotating()
    {
        Session.Run("Set-CrdbVaultStaticRole -Name upd -ConnectionName pg -UserName $User -RotationPeriod '1h' -MountPath $Mount | Out-Null; $one = Get-CrdbStaticCredential upd -MountPath $Mount").AssertSuccess();
        string one = Password("$one");
        ScriptResult r = Session.Run("Set-CrdbVaultStaticRole -Name upd -ConnectionName pg -UserName $User -RotationSchedule '0 4 * * SUN' -MountPath $Mount").AssertSuccess();
        Assert.Equal("0 4 * * SUN", (string)((dynamic)r.Output[0]).RotationSchedule);
        Assert.True(await LogsInAsync(one));
        Assert.Equal(one, Password("(Get-CrdbStaticCredential upd -MountPath $Mount)"));

        ErrorRecord e = Session.Run("Set-CrdbVaultStaticRole -Name upd -ConnectionName pg -UserName someone_else -RotationPeriod '1h' -MountPath $Mount").SingleError();
        Assert.StartsWith("InvalidStaticRoleArgument", e.FullyQualifiedErrorId);
        Assert.Contains("Remove-CrdbVaultStaticRole", e.Exception.Message);
    }

    [Fact]
    public void The_connections_own_user_is_refused_before_anything_is_written()
    {
        int writes() => Sandbox.World.Vault.RequestLog.Snapshot().Count(x => x.Method is "POST" or "PUT" && x.Path.Contains("static-roles", StringComparison.Ordinal));
        int before = writes();
        ErrorRecord e = Session.Run("Set-CrdbVaultStaticRole -Name self -ConnectionName pg -UserName $SqlAdmin -RotationPeriod '1h' -MountPath $Mount").SingleError();
        Assert.StartsWith("InvalidStaticRoleArgument", e.FullyQualifiedErrorId);
        Assert.Contains("itself logs in as", e.Exception.Message);
        Assert.Equal(before, writes());
    }

    [Fact]
    public void Set_and_get_with_wildcards_and_remove()
    {
        Session.Run("""
            'etl_a', 'etl_b', 'other' | ForEach-Object { Set-CrdbVaultStaticRole -Name $_ -ConnectionName pg -UserName $User -RotationPeriod '1h' -MountPath $Mount | Out-Null }
            """).AssertSuccess();
        Assert.Equal(["etl_a", "etl_b"], Session.Run("Get-CrdbVaultStaticRole 'etl*' -MountPath $Mount").AssertSuccess().Output.Select(o => (string)((dynamic)o).Role).Order());
        Assert.StartsWith("VaultStaticRoleNotFound", Session.Run("Get-CrdbVaultStaticRole nope -MountPath $Mount").SingleError().FullyQualifiedErrorId);
        Session.Run("Get-CrdbVaultStaticRole 'etl*' -MountPath $Mount | Remove-CrdbVaultStaticRole -WhatIf").AssertSuccess();
        Assert.Equal(3, Session.Run("Get-CrdbVaultStaticRole -MountPath $Mount").AssertSuccess().Output.Count);
        Session.Run("Get-CrdbVaultStaticRole 'etl*' -MountPath $Mount | Remove-CrdbVaultStaticRole").AssertSuccess();
        Assert.Equal(["other"], Session.Run("Get-CrdbVaultStaticRole -MountPath $Mount").AssertSuccess().Output.Select(o => (string)((dynamic)o).Role));
        ErrorRecord gone = Session.Run("Get-CrdbStaticCredential etl_a -MountPath $Mount").SingleError();
        Assert.Equal(ErrorCategory.ObjectNotFound, gone.CategoryInfo.Category);
    }

    [Theory]
    [InlineData("-RotationPeriod 4", "5 seconds")]
    [InlineData("-RotationPeriod 'soon'", "not a duration")]
    [InlineData("-RotationSchedule '@daily'", "descriptors")]
    [InlineData("-RotationSchedule '0 0 3 * * *'", "exactly five")]
    [InlineData("-RotationSchedule '0 25 * * *'", "outside 0-23")]
    [InlineData("-RotationSchedule '0 3 * * *' -RotationWindow '30m'", "1 hour")]
    [InlineData("-RotationPeriod '1h' -RotationStatements 'ALTER USER x WITH LOGIN'", "{{password}}")]
    [InlineData("-RotationPeriod '1h' -UserName 'Report'", "use 'report'")]
    [InlineData("-RotationPeriod '1h' -Name 'a/b'", "may contain only")]
    [InlineData("-RotationPeriod '1h' -MountPath '../sys'", "")]
    public void Bad_input_fails_before_any_request(string args, string hint)
    {
        int before = VaultRequestCount;
        string user = args.Contains("-UserName", StringComparison.Ordinal) ? "" : "-UserName $User";
        string name = args.Contains("-Name", StringComparison.Ordinal) ? "" : "-Name bad";
        string mount = args.Contains("-MountPath", StringComparison.Ordinal) ? "" : "-MountPath $Mount";
        ErrorRecord e = Session.Run($"Set-CrdbVaultStaticRole {name} -ConnectionName pg {user} {mount} {args}").SingleError();
        Assert.Contains(hint, e.Exception.Message);
        Assert.Contains(e.CategoryInfo.Category, new[] { ErrorCategory.InvalidArgument, ErrorCategory.InvalidData }); // InvalidData: PowerShell's own binding
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public void Period_and_schedule_cannot_be_combined()
    {
        ErrorRecord e = Session.Run("Set-CrdbVaultStaticRole -Name x -ConnectionName pg -UserName $User -RotationPeriod '1h' -RotationSchedule '0 3 * * *' -MountPath $Mount").SingleError();
        Assert.Contains("AmbiguousParameterSet", e.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task WhatIf_says_the_password_rotates_at_once_and_writes_nothing()
    {
        ConsoleProcess.Result r = await ConsoleProcess.RunAsync("""
            Connect-CrdbVault -Address $env:T_VAULT_ADDR -Token ([System.Net.NetworkCredential]::new('', $env:T_VAULT_TOKEN).SecurePassword) | Out-Null
            Set-CrdbVaultStaticRole -Name planned -ConnectionName pg -UserName $env:T_USER -RotationPeriod '24h' -MountPath $env:T_MOUNT -WhatIf
            """, new Dictionary<string, string?> { ["T_VAULT_ADDR"] = Sandbox.World.VaultAddress, ["T_VAULT_TOKEN"] = Sandbox.World.RootToken, ["T_USER"] = User, ["T_MOUNT"] = Mount });
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        string whatIf = string.Join(" ", r.Lines.SkipWhile(l => !l.StartsWith("What if:", StringComparison.Ordinal)));
        Assert.Contains($"Create static role for SQL user '{User}'", whatIf);
        Assert.Contains("NEW PASSWORD", whatIf);
        Assert.Contains("AT ONCE", whatIf);
        Assert.True(await LogsInAsync(Initial));
        Assert.Empty(Session.Run("Get-CrdbVaultStaticRole -MountPath $Mount -ErrorAction SilentlyContinue").Output);
    }
}
