using System.Management.Automation;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// A creds answer with username and password but no lease_id (the API documentation's own sample
/// has that shape): the SQL user exists, so the credential must reach the user, with a warning that
/// nothing will revoke it.
/// </summary>
[Collection("sandbox")]
public sealed class LeaselessCredentialTests : CredentialTestBase
{
    public LeaselessCredentialTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        Session.Run("Set-CrdbVaultRole -Name nolease -ConnectionName pg -MountPath $Mount -WarningAction SilentlyContinue | Out-Null").AssertSuccess();
    }

    private static string WithoutLease(string body)
    {
        JsonObject json = JsonNode.Parse(body)!.AsObject();
        json.Remove("lease_id");
        json.Remove("lease_duration");
        json.Remove("renewable");
        return json.ToJsonString();
    }

    [Fact]
    public async Task The_credential_is_emitted_with_a_warning_naming_the_user_who_must_be_dropped_by_hand()
    {
        Sandbox.World.Options.Faults.Add(new Fault { PathPrefix = $"{Mount}/creds/nolease", AfterExecution = true, TransformBody = WithoutLease });

        ScriptResult r = Session.Run("New-CrdbDynamicCredential -Role nolease -MountPath $Mount");

        Assert.Empty(r.AllErrors);
        PSObject cred = Assert.Single(r.Output);
        string user = (string)cred.Properties["UserName"].Value;
        Assert.Null(cred.Properties["LeaseId"].Value);
        Assert.Null(cred.Properties["ExpiresAt"].Value);
        Assert.True(await Sandbox.PgRoleExistsAsync(user));
        string warning = Assert.Single(r.Warnings);
        Assert.Contains($"'{user}'", warning);
        Assert.Contains("no lease", warning);
        Assert.Contains($"DROP ROLE IF EXISTS \"{user}\"", warning);
        Assert.Contains("Get-CrdbVaultRole -Name nolease", warning);

        // The credential works, and the password never shows.
        Session.SetVariable("Cred", cred);
        Session.Run("Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -Credential $Cred.Credential -RootCertificate $SqlCa | Out-Null").AssertSuccess();
        await ExecSqlAsync($"DROP ROLE \"{user}\"");
    }
}
