using System.Management.Automation;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

[Collection("sandbox")]
public sealed class RoleTests : CredentialTestBase
{
    public RoleTests(SandboxFixture sandbox) : base(sandbox) => InitializeDatabase();

    [Fact]
    public void Set_writes_parsed_statements_and_get_reads_them_back()
    {
        var r = Session.Run("""
            Set-CrdbVaultRole -Name reader -ConnectionName pg -MountPath $Mount -Grant 'select on table public.orders', 'CONNECT ON DATABASE postgres' -GrantRole app_ro -DefaultTtl 7200 -MaxTtl '1d'
            Get-CrdbVaultRole -Name reader -MountPath $Mount
            """).AssertSuccess();
        dynamic set = r.Output[0];
        Assert.Equal("CrdbVault.VaultDatabaseRole", r.Output[0].TypeNames[0]);
        Assert.Equal(TimeSpan.FromHours(2), (TimeSpan)set.DefaultTtl);
        Assert.Equal(TimeSpan.FromDays(1), (TimeSpan)set.MaxTtl);
        string[] creation = set.CreationStatements;
        Assert.Equal("CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';", creation[0]);
        Assert.Contains("GRANT SELECT ON TABLE public.orders TO \"{{name}}\";", creation);
        Assert.Contains("GRANT app_ro TO \"{{name}}\";", creation);
        string[] revocation = set.RevocationStatements;
        Assert.Equal("DROP ROLE IF EXISTS \"{{name}}\";", revocation[^1]);
        dynamic got = r.Output[1];
        Assert.Equal("pg", (string)got.ConnectionName);
        Assert.Equal(creation, (string[])got.CreationStatements);
    }

    [Fact]
    public void Get_lists_with_wildcards_and_reports_a_missing_role()
    {
        Session.Run("""
            'alpha', 'alpine', 'beta' | ForEach-Object { Set-CrdbVaultRole -Name $_ -ConnectionName pg -MountPath $Mount -GrantRole app_ro | Out-Null }
            """).AssertSuccess();
        var all = Session.Run("Get-CrdbVaultRole -MountPath $Mount").AssertSuccess();
        Assert.Equal(3, all.Output.Count);
        var al = Session.Run("Get-CrdbVaultRole -Name 'al*' -MountPath $Mount").AssertSuccess();
        Assert.Equal(["alpha", "alpine"], al.Output.Select(o => (string)((dynamic)o).Name).Order().ToArray());
        ErrorRecord e = Session.Run("Get-CrdbVaultRole -Name gamma -MountPath $Mount").SingleError();
        Assert.StartsWith("VaultRoleNotFound", e.FullyQualifiedErrorId);
    }

    [Fact]
    public void Remove_deletes_the_role_from_the_pipeline_and_honours_whatif()
    {
        Session.Run("Set-CrdbVaultRole -Name gone -ConnectionName pg -MountPath $Mount -GrantRole app_ro | Out-Null").AssertSuccess();
        Session.Run("Get-CrdbVaultRole -Name gone -MountPath $Mount | Remove-CrdbVaultRole -WhatIf").AssertSuccess();
        Assert.Single(Session.Run("Get-CrdbVaultRole -MountPath $Mount").AssertSuccess().Output);
        Session.Run("Get-CrdbVaultRole -Name gone -MountPath $Mount | Remove-CrdbVaultRole").AssertSuccess();
        Assert.Empty(Session.Run("Get-CrdbVaultRole -MountPath $Mount").AssertSuccess().Output);
    }

    [Theory]
    [InlineData("-Grant 'SELECT ON orders'", "object type")]
    [InlineData("-Grant 'SELECT ON TABLE t; DROP TABLE t'", "';'")]
    [InlineData("-GrantRole 'Admin'", "use 'admin'")]
    [InlineData("-DefaultTtl 'soon'", "not a duration")]
    [InlineData("-DefaultTtl '2h' -MaxTtl '1h'", "longer than -MaxTtl")]
    [InlineData("-Name 'a b'", "may contain only")]
    public void Bad_role_input_fails_before_any_request(string args, string hint)
    {
        int before = VaultRequestCount;
        string command = args.StartsWith("-Name") ? $"Set-CrdbVaultRole -ConnectionName pg -MountPath $Mount {args}" : $"Set-CrdbVaultRole -Name r -ConnectionName pg -MountPath $Mount {args}";
        ErrorRecord e = Session.Run(command).SingleError();
        Assert.Contains(hint, e.Exception.Message);
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public void A_role_that_grants_nothing_warns()
    {
        var r = Session.Run("Set-CrdbVaultRole -Name empty -ConnectionName pg -MountPath $Mount").AssertSuccess();
        Assert.Contains(r.Warnings, w => w.Contains("grants nothing"));
    }

    [Fact]
    public void On_a_cockroachdb_target_the_schema_change_limitation_is_explained_with_its_remedy()
    {
        var r = Session.Run("""
            Initialize-CrdbVaultDatabase -Name crdb -MountPath $Mount -ConnectionUrl 'postgresql://crdb.example.com:26257/defaultdb?sslmode=verify-full' -Credential $admin -SkipConnectionCheck | Out-Null
            Set-CrdbVaultRole -Name app -ConnectionName crdb -MountPath $Mount -Grant 'ALL ON DATABASE defaultdb'
            """).AssertSuccess();
        Assert.Contains(r.Warnings, w => w.Contains("allow_role_memberships_to_change_during_transaction") && w.Contains("ALTER ROLE ALL SET"));
        var fixedUp = Session.Run("Set-CrdbVaultRole -Name app -ConnectionName crdb -MountPath $Mount -GrantRole app_rw -AllowRoleMembershipChangeInTransaction").AssertSuccess();
        Assert.DoesNotContain(fixedUp.Warnings, w => w.Contains("schema changes"));
        Assert.StartsWith("SET allow_role_memberships_to_change_during_transaction = true", ((string[])((dynamic)fixedUp.Output.Single()).CreationStatements)[0]);
        // Not on the PostgreSQL connection:
        Assert.DoesNotContain(Session.Run("Set-CrdbVaultRole -Name pgapp -ConnectionName pg -MountPath $Mount -GrantRole app_rw").AssertSuccess().Warnings, w => w.Contains("schema changes"));
    }
}
