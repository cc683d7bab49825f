using CrdbVault.Sandbox.Cloud;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>Connect-CrdbCloud through the hosted engine. COCKROACH_* variables are process-wide: only this class sets them.</summary>
public sealed class ConnectCrdbCloudTests(CloudCmdletFixture fx) : IClassFixture<CloudCmdletFixture>
{
    private const string Secret = "s3cr3tPartOfTheKeyThatMustNeverShow";
    private const string KeyId = "CCDB1_D4zMI3pZTmk5rGrzYqMhbc";

    [Fact]
    public void Connects_with_a_parameter_key_verifies_it_and_never_shows_it()
    {
        fx.Fast.AddApiKey(KeyId + "_" + Secret, CloudKeyRole.ClusterAdmin);
        using var session = new PowerShellSession(new Dictionary<string, object?> { ["Server"] = fx.Fast.BaseAddress.ToString(), ["Key"] = KeyId + "_" + Secret });

        ScriptResult r = session.Run("""
            $c = Connect-CrdbCloud -ServerUrl $Server -ApiKey ([System.Net.NetworkCredential]::new('', $Key).SecurePassword)
            $c
            "$c"
            $c.PSObject.TypeNames[0]
            """, verbose: true).AssertSuccess();

        dynamic c = r.Output[0];
        Assert.Equal(fx.Fast.BaseAddress.GetLeftPart(UriPartial.Authority), ((Uri)c.ServerUrl).GetLeftPart(UriPartial.Authority));
        Assert.Equal("2024-09-16", (string)c.ApiVersion);
        Assert.Equal(KeyId, (string)c.KeyHint);
        Assert.True((bool)c.Verified);
        Assert.Equal(fx.Fast.OrganizationName, (string)c.OrganizationName);
        Assert.Equal("CrdbVault.CloudConnection", r.Output[2].ToString());
        Assert.Contains(r.Verbose, v => v.Contains("The key is accepted"));
        Assert.DoesNotContain(Secret, r.AllText());
        Assert.Contains(fx.Fast.Requests, q => q.Path == "/api/v1/organization" && q.Status == 200 && q.CcVersion == "2024-09-16");
    }

    [Fact]
    public void Reads_the_key_and_server_from_the_environment_and_makes_the_connection_the_default()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using var session = new PowerShellSession();
        Environment.SetEnvironmentVariable("COCKROACH_API_KEY", fx.Fast.ApiKey);
        Environment.SetEnvironmentVariable("COCKROACH_SERVER", fx.Fast.BaseAddress.ToString());
        try
        {
            ScriptResult r = session.Run($"$null = Connect-CrdbCloud; Get-CrdbClientCaCert -ClusterId {id}").AssertSuccess();
            Assert.Equal("NOT_SET", (string)((dynamic)r.Output.Single()).Status);
            Assert.DoesNotContain(fx.Fast.ApiKey, r.AllText());
        }
        finally
        {
            Environment.SetEnvironmentVariable("COCKROACH_API_KEY", null);
            Environment.SetEnvironmentVariable("COCKROACH_SERVER", null);
        }
    }

    [Fact]
    public void No_key_anywhere_is_a_clear_error_and_no_request()
    {
        using var session = new PowerShellSession(new Dictionary<string, object?> { ["Server"] = fx.Slow.BaseAddress.ToString() });
        int before = fx.Slow.Requests.Count(q => q.Path == "/api/v1/organization");

        var error = session.Run("Connect-CrdbCloud -ServerUrl $Server").SingleError();

        Assert.Equal("CloudMissingApiKey,CrdbVault.Commands.ConnectCrdbCloudCommand", error.FullyQualifiedErrorId);
        Assert.Contains("COCKROACH_API_KEY", error.Exception.Message);
        Assert.Equal(before, fx.Slow.Requests.Count(q => q.Path == "/api/v1/organization"));
    }

    [Fact]
    public void A_rejected_key_fails_at_connect_without_echoing_it()
    {
        using var session = new PowerShellSession(new Dictionary<string, object?> { ["Server"] = fx.Fast.BaseAddress.ToString(), ["Key"] = KeyId + "_wrong" + Secret });

        ScriptResult r = session.Run("Connect-CrdbCloud -ServerUrl $Server -ApiKey ([System.Net.NetworkCredential]::new('', $Key).SecurePassword)");

        Assert.Equal("CloudUnauthenticated", r.AllErrors.First().FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal(System.Management.Automation.ErrorCategory.AuthenticationError, r.AllErrors.First().CategoryInfo.Category);
        Assert.Contains("service account", r.AllErrors.First().Exception.Message);
        Assert.DoesNotContain(Secret, r.AllText());
    }

    [Fact]
    public void A_key_without_an_organization_role_is_still_accepted()
    {
        fx.Fast.AddApiKey("CCDB1_clusteronly_" + Secret, CloudKeyRole.ClusterOnly);
        using var session = new PowerShellSession(new Dictionary<string, object?> { ["Server"] = fx.Fast.BaseAddress.ToString(), ["Key"] = "CCDB1_clusteronly_" + Secret });

        ScriptResult r = session.Run("Connect-CrdbCloud -ServerUrl $Server -ApiKey ([System.Net.NetworkCredential]::new('', $Key).SecurePassword)").AssertSuccess();

        dynamic c = r.Output.Single();
        Assert.True((bool)c.Verified);
        Assert.Null((string?)c.OrganizationName);
        Assert.Equal("CCDB1_clusteronly", (string)c.KeyHint);
    }

    [Fact]
    public void Cloud_cmdlets_without_a_connection_say_to_connect()
    {
        using var session = new PowerShellSession();

        var error = session.Run("Get-CrdbCmek -ClusterId 7d5b3c2a-1f0e-4b9a-8c7d-6e5f4a3b2c1d").SingleError();

        Assert.StartsWith("CloudNotConnected", error.FullyQualifiedErrorId);
        Assert.Contains("Connect-CrdbCloud", error.Exception.Message);
    }

    [Fact]
    public void Plain_http_to_a_remote_host_is_refused_before_the_key_travels()
    {
        using var session = new PowerShellSession();

        var error = session.Run("Connect-CrdbCloud -ServerUrl http://cloud.example.com -ApiKey ([System.Net.NetworkCredential]::new('', 'CCDB1_x_y').SecurePassword)").SingleError();

        Assert.StartsWith("InvalidCloudServer", error.FullyQualifiedErrorId);
        Assert.Contains("unencrypted", error.Exception.Message);
    }
}
