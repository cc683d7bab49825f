using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Npgsql;
using Xunit;

namespace CrdbVault.Tests.Credentials;

[Collection("sandbox")]
public sealed class DynamicCredentialTests : CredentialTestBase
{
    public DynamicCredentialTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        Group = SandboxFixture.Unique("app_rw");
        Session.SetVariable("Group", Group);
        ExecSqlAsync($"CREATE ROLE {Group}; GRANT CONNECT ON DATABASE postgres TO {Group};").GetAwaiter().GetResult();
    }

    private string Group { get; }

    [Fact]
    public async Task Issue_log_in_renew_revoke_leaves_no_role()
    {
        var r = Session.Run("""
            Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Mount -GrantRole $Group -DefaultTtl '10m' -MaxTtl 3600 | Out-Null
            $cred = New-CrdbDynamicCredential -Role app -MountPath $Mount
            $cred
            $cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa
            $cred | Update-CrdbLease -Increment '20m'
            Get-CrdbLease -Prefix "$Mount/creds/app"
            """, verbose: true).AssertSuccess();
        dynamic cred = r.Output[0];
        string user = cred.UserName;
        Assert.Equal("CrdbVault.DynamicCredential", r.Output[0].TypeNames[0]);
        Assert.Equal(user.ToLowerInvariant(), user);
        Assert.StartsWith("v-token-app-", user);
        Assert.Equal(TimeSpan.FromMinutes(10), (TimeSpan)cred.LeaseDuration);
        Assert.IsType<System.Security.SecureString>((object)cred.Password);
        Assert.Equal(user, (string)cred.Credential.UserName);
        Assert.True(await Sandbox.PgRoleExistsAsync(user));

        dynamic login = r.Output[1];
        Assert.Equal(user, (string)login.UserName);
        Assert.Equal("password", (string)login.AuthenticationMethod);
        Assert.StartsWith("PostgreSQL", (string)login.ServerVersion);

        dynamic renewed = r.Output[2];
        Assert.Equal(TimeSpan.FromMinutes(20), (TimeSpan)renewed.LeaseDuration);
        dynamic listed = r.Output[3];
        Assert.Equal((string)cred.LeaseId, (string)listed.LeaseId);

        string password = (string)Session.Run("$cred.Credential.GetNetworkCredential().Password").Output[0].BaseObject;
        Assert.DoesNotContain(password, r.AllText());

        var revoke = Session.Run("$cred | Revoke-CrdbLease -Sync -Verbose", verbose: true).AssertSuccess();
        Assert.DoesNotContain(password, revoke.AllText());
        Assert.False(await Sandbox.PgRoleExistsAsync(user));

        ErrorRecord e = Session.Run("$cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa").SingleError();
        Assert.StartsWith("SqlAuthenticationFailed", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        Assert.DoesNotContain(password, e.ToString());

        ErrorRecord gone = Session.Run("$cred | Get-CrdbLease").SingleError();
        Assert.Equal(ErrorCategory.ObjectNotFound, gone.CategoryInfo.Category);
    }

    [Fact]
    public void Renewal_is_capped_by_max_ttl_with_a_warning()
    {
        var r = Session.Run("""
            Set-CrdbVaultRole -Name capped -ConnectionName pg -MountPath $Mount -GrantRole $Group -DefaultTtl 60 -MaxTtl 120 | Out-Null
            New-CrdbDynamicCredential -Role capped -MountPath $Mount | Update-CrdbLease -Increment '2h'
            """).AssertSuccess();
        dynamic lease = r.Output.Single();
        Assert.True((TimeSpan)lease.LeaseDuration <= TimeSpan.FromSeconds(120));
        Assert.Contains(r.Warnings, w => w.Contains("max_ttl"));
    }

    [Fact]
    public async Task Revocation_works_when_the_user_holds_grants_and_owns_objects()
    {
        string table = SandboxFixture.Unique("owned_t");
        var r = Session.Run("""
            Set-CrdbVaultRole -Name owner -ConnectionName pg -MountPath $Mount -Grant 'CONNECT ON DATABASE postgres', 'CREATE, USAGE ON SCHEMA public' | Out-Null
            New-CrdbDynamicCredential -Role owner -MountPath $Mount
            """).AssertSuccess();
        dynamic cred = r.Output.Single();
        string user = cred.UserName;
        Session.SetVariable("Cred", r.Output.Single());
        string pw = (string)Session.Run("$Cred.Credential.GetNetworkCredential().Password").Output[0].BaseObject;
        await using (var conn = new NpgsqlConnection(Sandbox.World.Postgres.ConnectionString(user, pw)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE TABLE {table} (id int)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        Session.Run("$Cred | Revoke-CrdbLease -Sync").AssertSuccess();
        Assert.False(await Sandbox.PgRoleExistsAsync(user));
        // The table survives, handed over to Vault's connection user.
        await using var admin = new NpgsqlConnection(Sandbox.World.Postgres.AdminConnectionString);
        await admin.OpenAsync();
        await using var owner = new NpgsqlCommand($"SELECT tableowner FROM pg_tables WHERE tablename = '{table}'", admin);
        Assert.Equal(Sandbox.World.Postgres.AdminUser, (string?)await owner.ExecuteScalarAsync());
        // Leave the shared database as we found it: other tests revoke as non-superusers.
        await ExecSqlAsync($"DROP TABLE {table}");
    }

    [Fact]
    public async Task Revoke_by_prefix_drops_every_user_of_the_role()
    {
        Session.Run("""
            Set-CrdbVaultRole -Name bulk -ConnectionName pg -MountPath $Mount -GrantRole $Group | Out-Null
            1..5 | ForEach-Object { New-CrdbDynamicCredential -Role bulk -MountPath $Mount } | Out-Null
            """).AssertSuccess();
        var listed = Session.Run("Get-CrdbLease -Prefix \"$Mount/creds/bulk/\"").AssertSuccess();
        Assert.Equal(5, listed.Output.Count);
        Assert.Equal(5, await CountRolesAsync("v-token-bulk-%"));
        Session.Run("Revoke-CrdbLease -Prefix \"$Mount/creds/bulk\" -Sync -Confirm:$false").AssertSuccess();
        Assert.Equal(0, await CountRolesAsync("v-token-bulk-%"));
        Assert.Empty(Session.Run("Get-CrdbLease -Prefix \"$Mount/creds/bulk\"").AssertSuccess().Output);
    }

    [Fact]
    public async Task WhatIf_issues_and_revokes_nothing()
    {
        Session.Run("Set-CrdbVaultRole -Name wi -ConnectionName pg -MountPath $Mount -GrantRole $Group | Out-Null").AssertSuccess();
        Assert.Empty(Session.Run("New-CrdbDynamicCredential -Role wi -MountPath $Mount -WhatIf").AssertSuccess().Output);
        Assert.Equal(0, await CountRolesAsync("v-token-wi-%"));
        var r = Session.Run("$c = New-CrdbDynamicCredential -Role wi -MountPath $Mount; $c | Revoke-CrdbLease -WhatIf; $c.UserName").AssertSuccess();
        Assert.True(await Sandbox.PgRoleExistsAsync((string)r.Output.Last().BaseObject));
    }

    [Fact]
    public async Task A_lease_that_expires_drops_its_user()
    {
        var r = Session.Run("""
            Set-CrdbVaultRole -Name short -ConnectionName pg -MountPath $Mount -GrantRole $Group -DefaultTtl 1 -MaxTtl 2 | Out-Null
            (New-CrdbDynamicCredential -Role short -MountPath $Mount).UserName
            """).AssertSuccess();
        string user = (string)r.Output.Single().BaseObject;
        Assert.True(await SandboxFixture.EventuallyAsync(async () => !await Sandbox.PgRoleExistsAsync(user), TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void An_unknown_role_is_not_found_and_says_how_to_list_roles()
    {
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role nosuchrole -MountPath $Mount").SingleError();
        Assert.StartsWith("VaultNotFound", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("Get-CrdbVaultRole", e.Exception.Message);
    }

    [Fact]
    public void A_mount_that_does_not_exist_is_explained()
    {
        ErrorRecord e = Session.Run("New-CrdbDynamicCredential -Role app -MountPath nosuchmount").SingleError();
        Assert.Contains("database secrets engine", e.Exception.Message);
    }

    [Theory]
    [InlineData("New-CrdbDynamicCredential -Role 'app role'")]
    [InlineData("New-CrdbDynamicCredential -Role 'a/b'")]
    [InlineData("Get-CrdbLease -LeaseId 'database/creds/../x'")]
    [InlineData("Revoke-CrdbLease -Prefix 'database creds'")]
    [InlineData("Update-CrdbLease -LeaseId 'x?y=1'")]
    public void Malformed_names_fail_before_any_request(string command)
    {
        int before = VaultRequestCount;
        ErrorRecord e = Session.Run(command).SingleError();
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public void Revoke_lease_refuses_objects_without_a_lease_id()
    {
        int before = VaultRequestCount;
        ErrorRecord piped = Session.Run("[pscustomobject]@{ Name = 'no lease' } | Revoke-CrdbLease").SingleError();
        Assert.StartsWith("InputObjectNotBound", piped.FullyQualifiedErrorId);
        ErrorRecord empty = Session.Run("[pscustomobject]@{ LeaseId = '' } | Revoke-CrdbLease").SingleError();
        Assert.StartsWith("MissingLeaseId", empty.FullyQualifiedErrorId);
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public void Connection_strings_leave_the_password_out_unless_asked()
    {
        var r = Session.Run("""
            Set-CrdbVaultRole -Name cs -ConnectionName pg -MountPath $Mount -GrantRole $Group | Out-Null
            $c = New-CrdbDynamicCredential -Role cs -MountPath $Mount
            $c | Get-CrdbConnectionString -Server db.example.com -RootCertificate /etc/ca.crt
            $c | Get-CrdbConnectionString -Server db.example.com -Format AdoNet -AsPlainText
            $c | Get-CrdbConnectionString -Server db.example.com -AsPlainText
            $c.Credential.GetNetworkCredential().Password
            """).AssertSuccess();
        string pw = (string)r.Output[3].BaseObject;
        string url = (string)r.Output[0].BaseObject;
        Assert.StartsWith("postgresql://v-token-cs-", url);
        Assert.EndsWith("@db.example.com:26257/defaultdb?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.crt", url);
        Assert.DoesNotContain(pw, url);
        Assert.Contains(r.Warnings, w => w.Contains("-AsPlainText"));
        Assert.Contains("Password=", (string)r.Output[1].BaseObject);
        Assert.Contains(":" + Uri.EscapeDataString(pw) + "@", (string)r.Output[2].BaseObject);
    }
}
