using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Sandbox.Cloud;
using CrdbVault.Tests.Cloud;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>Set-/Get-/Remove-CrdbClientCaCert through the hosted engine against the Cloud double.</summary>
public sealed class ClientCaCmdletTests(CloudCmdletFixture fx) : IClassFixture<CloudCmdletFixture>
{
    [Fact]
    public void Set_waits_with_progress_then_get_shows_the_certificate()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Manual);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Manual);
        s.SetVariable("Pem", CloudTestKit.CaPem("Team CA One"));

        ScriptResult set = fx.RunThroughTransition(s, $"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem", id).AssertSuccess();
        ScriptResult get = s.Run($"Get-CrdbClientCaCert -ClusterId {id}").AssertSuccess();

        dynamic done = set.Output.Single();
        Assert.Equal("IS_SET", (string)done.Status);
        Assert.Equal("CN=Team CA One", (string)done.Subject);
        Assert.Equal("CrdbVault.ClientCaCertStatus", set.Output[0].TypeNames[0]);
        Assert.Contains(set.Progress, p => p.RecordType == ProgressRecordType.Processing && p.Activity.Contains(id) && p.StatusDescription.Contains("PENDING") && p.StatusDescription.Contains("elapsed"));
        Assert.Contains(set.Progress, p => p.RecordType == ProgressRecordType.Completed);
        Assert.Single(CloudCmdletFixture.Changes(fx.Manual, id), r => r.Method == "POST");

        dynamic read = get.Output.Single();
        Assert.Equal("IS_SET", (string)read.Status);
        Assert.IsType<X509Certificate2>(((PSObject)get.Output[0]).Properties["Certificate"].Value);
        Assert.Equal((string)done.Thumbprint, (string)read.Thumbprint);
        Assert.True((DateTime)read.NotAfter > DateTime.Now);
        Assert.Contains("BEGIN CERTIFICATE", (string)read.Pem);
    }

    [Fact]
    public void Set_on_a_cluster_with_a_CA_replaces_it_with_PATCH_and_the_same_CA_again_sends_nothing()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        fx.Fast.FindCluster(id)!.ClientCa.Seed(CloudTestKit.CaPem("Old CA"));
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.SetVariable("Pem", CloudTestKit.CaPem("New CA"));

        ScriptResult replace = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem").AssertSuccess();
        ScriptResult again = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem", verbose: true).AssertSuccess();

        Assert.Equal("CN=New CA", (string)((dynamic)replace.Output.Single()).Subject);
        Assert.Equal(["PATCH"], CloudCmdletFixture.Changes(fx.Fast, id).Select(r => r.Method));
        Assert.Equal("IS_SET", (string)((dynamic)again.Output.Single()).Status);
        Assert.Contains(again.Verbose, v => v.Contains("nothing sent"));
    }

    [Fact]
    public void Certificate_authority_objects_bind_by_property_name_from_the_pipeline()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        string pem = CloudTestKit.CaPem("Vault PKI Root");
        s.SetVariable("Pem", pem);

        // What Get-CrdbCertificateAuthority (branch pki) emits: PSTypeName CrdbVault.CertificateAuthority, Pem, Certificate.
        ScriptResult r = s.Run($$"""
            $ca = [pscustomobject]@{
                PSTypeName  = 'CrdbVault.CertificateAuthority'
                Mount       = 'pki'
                Pem         = $Pem
                Certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($Pem)
            }
            $ca | Set-CrdbClientCaCert -ClusterId {{id}}
            """).AssertSuccess();

        Assert.Equal("CN=Vault PKI Root", (string)((dynamic)r.Output.Single()).Subject);
        Assert.Equal("IS_SET", (string)((dynamic)r.Output.Single()).Status);
    }

    [Fact]
    public void Accepts_a_certificate_object_or_a_file_and_two_piped_CAs_become_one_rollover_bundle()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        string dir = Directory.CreateTempSubdirectory("crdbvault-ca-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "old.pem"), CloudTestKit.CaPem("Old CA"));
            s.SetVariable("Dir", dir);
            s.SetVariable("NewPem", CloudTestKit.CaPem("New CA"));

            ScriptResult r = s.Run($$"""
                $new = [System.Security.Cryptography.X509Certificates.X509Certificate2]::CreateFromPem($NewPem)
                @("$Dir/old.pem", $new) | Set-CrdbClientCaCert -ClusterId {{id}}
                """).AssertSuccess();

            dynamic status = r.Output.Single();
            Assert.Equal(2, ((X509Certificate2[])status.Certificates).Length);
            Assert.Equal(["CN=Old CA", "CN=New CA"], ((X509Certificate2[])status.Certificates).Select(c => c.Subject));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("key", "private key")]
    [InlineData("notcert", "is not a PEM certificate")]
    [InlineData("leaf", "not a CA certificate")]
    [InlineData("garbage", "neither PEM text")]
    public void Refuses_keys_non_certificates_and_non_CAs_before_any_request(string kind, string expected)
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string input = kind switch
        {
            "key" => CloudTestKit.CaPem("With Key") + key.ExportPkcs8PrivateKeyPem(),
            "notcert" => key.ExportSubjectPublicKeyInfoPem(),
            "leaf" => CloudTestKit.CaPem("app-server", isCa: false),
            _ => "this is not a certificate",
        };
        s.SetVariable("In", input);

        ErrorRecord error = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $In").SingleError();

        Assert.StartsWith("InvalidClientCaCertificate", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(expected, error.Exception.Message);
        Assert.DoesNotContain(fx.Fast.Requests, q => q.Path.Contains(id));
        if (kind == "key") Assert.DoesNotContain("PRIVATE KEY-----\n", CloudCmdletFixture.Text(error));
    }

    [Fact]
    public void NoWait_returns_pending_right_after_submitting()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Slow);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Slow);
        s.SetVariable("Pem", CloudTestKit.CaPem());

        ScriptResult r = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem -NoWait").AssertSuccess();

        Assert.Equal("PENDING", (string)((dynamic)r.Output.Single()).Status);
        Assert.Empty(r.Progress);
        Assert.Single(CloudCmdletFixture.Changes(fx.Slow, id));
    }

    [Fact]
    public void A_wait_that_outlasts_TimeoutSeconds_is_an_operation_timeout_that_says_how_to_check()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Slow);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Slow);
        s.SetVariable("Pem", CloudTestKit.CaPem());

        ErrorRecord error = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem -TimeoutSeconds 1").SingleError();

        Assert.StartsWith("CloudOperationTimeout", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, error.CategoryInfo.Category);
        Assert.Contains("PENDING", error.Exception.Message);
        Assert.Contains("Get-CrdbClientCaCert -ClusterId " + id, error.Exception.Message);
    }

    [Fact]
    public void Ctrl_C_stops_the_wait_promptly()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Slow);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Slow);
        s.SetVariable("Pem", CloudTestKit.CaPem());

        // Ctrl+C once the change is in and the wait has polled: the change stays PENDING for a minute on
        // the Slow double, so a wait that ignored the stop would end with IS_SET in the output.
        ScriptResult r = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem", stopWhen: () => CloudCmdletFixture.PollsAfterChange(fx.Slow, id) > 0);

        Assert.True(r.Stopped);
        Assert.Empty(r.Output);
        Assert.Single(CloudCmdletFixture.Changes(fx.Slow, id)); // submitted, then the wait was stopped
        SimulatedCluster cluster = fx.Slow.FindCluster(id)!;
        lock (cluster.Gate) Assert.Equal("PENDING", cluster.ClientCa.Read(DateTimeOffset.UtcNow).Status);
    }

    [Fact]
    public void A_change_the_Cloud_fails_is_an_error_naming_the_cluster()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        fx.Fast.FailNextClientCaChange(id);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.SetVariable("Pem", CloudTestKit.CaPem());

        ErrorRecord error = s.Run($"Set-CrdbClientCaCert -ClusterId {id} -Certificate $Pem").SingleError();

        Assert.StartsWith("CloudOperationFailed", error.FullyQualifiedErrorId);
        Assert.Contains(id, error.Exception.Message);
        Assert.Contains("FAILED", error.Exception.Message);
    }

    [Fact]
    public void Remove_deletes_and_waits_until_not_set_and_honours_WhatIf()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Manual);
        fx.Manual.FindCluster(id)!.ClientCa.Seed(CloudTestKit.CaPem("Retiring CA"));
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Manual);

        s.Run($"Remove-CrdbClientCaCert -ClusterId {id} -WhatIf").AssertSuccess();
        Assert.Empty(CloudCmdletFixture.Sent(fx.Manual, id));

        ScriptResult r = fx.RunThroughTransition(s, $"Remove-CrdbClientCaCert -ClusterId {id}", id).AssertSuccess();
        Assert.Equal("NOT_SET", (string)((dynamic)r.Output.Single()).Status);
        Assert.Contains(r.Progress, p => p.StatusDescription.Contains("PENDING"));
        Assert.Equal(["DELETE"], CloudCmdletFixture.Changes(fx.Manual, id).Select(q => q.Method));
        Assert.Equal("NOT_SET", (string)((dynamic)s.Run($"Get-CrdbClientCaCert -ClusterId {id}").AssertSuccess().Output.Single()).Status);
    }

    [Fact]
    public void An_unknown_cluster_is_CloudNotFound()
    {
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);

        ErrorRecord error = s.Run("Get-CrdbClientCaCert -ClusterId 3f0c1f9e-0000-4000-8000-000000000000").SingleError();

        Assert.StartsWith("CloudNotFound", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("3f0c1f9e-0000-4000-8000-000000000000", error.Exception.Message);
    }
}
