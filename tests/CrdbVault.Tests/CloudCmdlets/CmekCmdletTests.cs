using System.Management.Automation;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Cloud;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.CloudCmdlets;

/// <summary>Set-/Get-/Revoke-CrdbCmek through the hosted engine against the Cloud double.</summary>
public sealed class CmekCmdletTests(CloudCmdletFixture fx) : IClassFixture<CloudCmdletFixture>
{
    private const string KeyA = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string KeyB = "9876fedc-98fe-76dc-54ba-fedcba987654";

    /// <summary>PowerShell that emits CrdbVault.CmekKeySpec-like objects (what New-CrdbCmekKey emits) for AWS regions.</summary>
    private static string Specs(string keyId, params string[] regions) =>
        "@(" + string.Join(", ", regions.Select(r =>
            $"[pscustomobject]@{{ PSTypeName = 'CrdbVault.CmekKeySpec'; Region = '{r}'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:{r}:111122223333:key/{keyId}'; AuthPrincipal = 'arn:aws:iam::111122223333:role/crdb-cmek' }}")) + ")";

    /// <summary>A CmekRegionStatus row read through the engine's adapter (the test project does not reference the module assembly).</summary>
    private sealed record Row(string Region, string Status, string? KeyType, string? Uri, string? UserMessage, DateTimeOffset? UpdatedAt);

    private static List<Row> Rows(object status)
    {
        var rows = (System.Collections.IEnumerable)PSObject.AsPSObject(status).Properties["Regions"].Value;
        return rows.Cast<object>().Select(PSObject.AsPSObject).Select(o => new Row(
            (string)o.Properties["Region"].Value, (string)o.Properties["Status"].Value, (string?)o.Properties["KeyType"].Value,
            (string?)o.Properties["Uri"].Value, (string?)o.Properties["UserMessage"].Value, (DateTimeOffset?)o.Properties["UpdatedAt"].Value)).ToList();
    }

    private static readonly string[] Three = ["us-east-1", "us-west-2", "eu-west-1"];

    private static string Enable(string id) => $"{Specs(KeyA, Three)} | Set-CrdbCmek -ClusterId {id}";

    [Fact]
    public void Enables_three_regions_from_piped_specs_with_progress_per_region()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Manual);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Manual);

        // The regions stay ENABLING until the wait has seen them so; then the clock moves on.
        ScriptResult r = fx.RunThroughTransition(s, Enable(id), id).AssertSuccess();

        PSObject status = r.Output.Single();
        Assert.Equal("CrdbVault.CmekStatus", status.TypeNames[0]);
        dynamic d = status;
        Assert.Equal("ENABLED", (string)d.Status);
        var regions = Rows((object)status);
        Assert.Equal(Three, regions.Select(x => x.Region));
        Assert.All(regions, x =>
        {
            Assert.Equal("ENABLED", x.Status);
            Assert.Equal("AWS_KMS", x.KeyType);
            Assert.Equal($"arn:aws:kms:{x.Region}:111122223333:key/{KeyA}", x.Uri);
            Assert.NotNull(x.UpdatedAt);
        });
        Assert.Equal(["POST"], CloudCmdletFixture.Changes(fx.Manual, id).Select(q => q.Method));
        Assert.Contains(r.Progress, p => p.ParentActivityId == -1 && p.Activity.Contains(id) && p.StatusDescription.Contains("0 of 3 regions ENABLED") && p.StatusDescription.Contains("elapsed"));
        Assert.Contains(r.Progress, p => p.Activity == "Region eu-west-1" && p.StatusDescription == "ENABLING" && p.ParentActivityId >= 0);
        Assert.Contains(r.Progress, p => p.RecordType == ProgressRecordType.Completed);
        // (The request rate is the client's: CloudClusterTests and CmekTests check it against the real-time double.)

        dynamic got = s.Run("Get-CrdbCmek -ClusterId " + id).AssertSuccess().Output.Single();
        Assert.Equal("ENABLED", (string)got.Status);
        Assert.True((bool)got.Configured);
    }

    [Fact]
    public void Real_CmekKeySpec_objects_from_New_CrdbCmekRegionSpec_pipe_into_Set_CrdbCmek()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast, "us-east-1", "us-west-2");
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);

        ScriptResult r = s.Run($$"""
            $specs = 'us-east-1', 'us-west-2' | ForEach-Object {
                New-CrdbCmekRegionSpec -Region $_ -Type AWS_KMS -Uri "arn:aws:kms:${_}:111122223333:key/{{KeyA}}" -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek'
            }
            $specs[0].PSObject.TypeNames[0]
            $specs | Set-CrdbCmek -ClusterId {{id}}
            """).AssertSuccess();

        Assert.Equal("CrdbVault.CmekKeySpec", r.Output[0].ToString());
        Assert.Equal("ENABLED", (string)((dynamic)r.Output[1]).Status);
        Assert.Equal(["us-east-1", "us-west-2"], Rows(r.Output[1]).Select(x => x.Region));
    }

    [Fact]
    public void A_cluster_without_CMEK_reads_disabled_and_enabling_twice_tells_to_rotate()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);

        dynamic before = s.Run("Get-CrdbCmek -ClusterId " + id).AssertSuccess().Output.Single();
        s.Run(Enable(id)).AssertSuccess();
        ErrorRecord again = s.Run(Enable(id)).SingleError();

        Assert.Equal("DISABLED", (string)before.Status);
        Assert.False((bool)before.Configured);
        Assert.Empty(Rows((object)before));
        Assert.StartsWith("CmekAlreadyEnabled", again.FullyQualifiedErrorId);
        Assert.Contains("-Rotate", again.Exception.Message);
        Assert.Single(CloudCmdletFixture.Changes(fx.Fast, id)); // only the first POST
    }

    [Fact]
    public void Rotation_failing_in_one_region_is_an_error_with_the_Clouds_message()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.Run(Enable(id)).AssertSuccess();
        const string why = "access denied to KMS key: the key policy does not allow kms:Decrypt for the CockroachDB role";
        fx.Fast.FailNextRotation("us-west-2", why, id);

        ErrorRecord error = s.Run($"{Specs(KeyB, Three)} | Set-CrdbCmek -ClusterId {id} -Rotate").SingleError();
        dynamic after = s.Run("Get-CrdbCmek -ClusterId " + id).AssertSuccess().Output.Single();

        Assert.StartsWith("CloudOperationFailed", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);
        Assert.Contains("us-west-2: ROTATE_FAILED", error.Exception.Message);
        Assert.Contains(why, error.Exception.Message);
        Assert.Contains(id, error.Exception.Message);
        Assert.Equal(["POST", "PUT"], CloudCmdletFixture.Changes(fx.Fast, id).Select(q => q.Method));
        Row failed = Rows((object)after).Single(x => x.Region == "us-west-2");
        Assert.Equal("ROTATE_FAILED", failed.Status);
        Assert.Equal(why, failed.UserMessage);
        Assert.Equal("ENABLED", Rows((object)after).Single(x => x.Region == "us-east-1").Status);
    }

    [Fact]
    public void Add_region_patches_the_cluster_and_waits_for_the_new_regions_key()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast, "us-east-1", "us-west-2");
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.Run($"{Specs(KeyA, "us-east-1", "us-west-2")} | Set-CrdbCmek -ClusterId {id}").AssertSuccess();

        ScriptResult r = s.Run($"{Specs(KeyA, "eu-west-1")} | Set-CrdbCmek -ClusterId {id} -AddRegion @{{ 'eu-west-1' = 3 }}").AssertSuccess();

        dynamic status = r.Output.Single();
        Assert.Equal(["us-east-1", "us-west-2", "eu-west-1"], Rows((object)status).Select(x => x.Region));
        Assert.All(Rows((object)status), x => Assert.Equal("ENABLED", x.Status));
        Assert.Contains(CloudCmdletFixture.Changes(fx.Fast, id), q => q.Method == "PATCH" && q.Path == $"/api/v1/clusters/{id}");
        Assert.Contains(fx.Fast.FindCluster(id)!.Regions, x => x.Name == "eu-west-1" && x.Nodes == 3);
        Assert.Contains(r.Progress, p => p.Activity.Contains("Adding regions"));
    }

    [Fact]
    public void Revoke_without_confirmation_in_a_host_that_cannot_prompt_fails_safe_and_sends_nothing()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.Run(Enable(id)).AssertSuccess();

        ErrorRecord error = s.Run($"Revoke-CrdbCmek -ClusterId {id}").SingleError();

        Assert.StartsWith("CmekRevokeNotConfirmed", error.FullyQualifiedErrorId);
        Assert.Contains("-Confirm:$false", error.Exception.Message);
        Assert.Contains("Nothing was sent", error.Exception.Message);
        Assert.DoesNotContain(CloudCmdletFixture.Sent(fx.Fast, id), q => q.Method == "PATCH");
        Assert.Equal("ENABLED", (string)((dynamic)s.Run("Get-CrdbCmek -ClusterId " + id).AssertSuccess().Output.Single()).Status);
    }

    [Fact]
    public void Revoke_with_Confirm_false_revokes_every_region_and_WhatIf_sends_nothing()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        s.Run(Enable(id)).AssertSuccess();

        s.Run($"Revoke-CrdbCmek -ClusterId {id} -WhatIf").AssertSuccess();
        Assert.DoesNotContain(CloudCmdletFixture.Sent(fx.Fast, id), q => q.Method == "PATCH");
        ScriptResult r = s.Run($"Revoke-CrdbCmek -ClusterId {id} -Confirm:$false").AssertSuccess();

        dynamic status = r.Output.Single();
        Assert.Equal("REVOKED", (string)status.Status);
        Assert.All(Rows((object)status), x => Assert.Equal("REVOKED", x.Status));
        Assert.Contains(r.Warnings, w => w.Contains("will not be able to read its data"));
        Assert.Single(CloudCmdletFixture.Changes(fx.Fast, id), q => q.Method == "PATCH" && q.Path.EndsWith("/cmek"));
        Assert.Contains(r.Progress, p => p.StatusDescription.Contains("regions REVOKED"));
    }

    [Fact]
    public void A_JSON_manifest_enables_like_piped_specs()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        string path = Path.Combine(Path.GetTempPath(), $"cmek-{id}.json");
        File.WriteAllText(path, "{\"region_specs\":[" + string.Join(",", Three.Select(r =>
            $"{{\"region\":\"{r}\",\"key_spec\":{{\"type\":\"AWS_KMS\",\"uri\":\"arn:aws:kms:{r}:111122223333:key/{KeyA}\",\"auth_principal\":\"arn:aws:iam::111122223333:role/crdb-cmek\"}}}}")) + "]}");
        try
        {
            ScriptResult r = s.Run($"Set-CrdbCmek -ClusterId {id} -ManifestPath '{path}'").AssertSuccess();
            Assert.Equal("ENABLED", (string)((dynamic)r.Output.Single()).Status);

            File.WriteAllText(path, "{\"region_specs\":[{\"region\":\"us-east-1\",\"key_spec\":{\"type\":\"AWS_KMS\",\"uri\":\"alias/x\"}}]}");
            ErrorRecord bad = s.Run($"Set-CrdbCmek -ClusterId {id} -ManifestPath '{path}' -Rotate").SingleError();
            Assert.StartsWith("InvalidCmekManifest", bad.FullyQualifiedErrorId);
            Assert.Contains("region_specs[0].key_spec.uri", bad.Exception.Message);
            Assert.Contains("auth_principal", bad.Exception.Message);
            Assert.Equal(["POST"], CloudCmdletFixture.Changes(fx.Fast, id).Select(q => q.Method));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("unknown-region", "'ap-south-1' is not a region of cluster")]
    [InlineData("wrong-type", "does not match the cluster's cloud AWS")]
    [InlineData("bad-uri", "is not an AWS KMS key ARN")]
    [InlineData("no-principal", "-AuthPrincipal is empty")]
    [InlineData("missing-region", "Region 'eu-west-1' of cluster")]
    public void Bad_specs_are_clear_errors_and_nothing_is_changed(string kind, string expected)
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        const string principal = "arn:aws:iam::111122223333:role/crdb-cmek";
        string Spec(string region, string type, string uri, string who) =>
            $"[pscustomobject]@{{ Region = '{region}'; Type = '{type}'; Uri = '{uri}'; AuthPrincipal = '{who}' }}";
        string Aws(string r) => Spec(r, "AWS_KMS", $"arn:aws:kms:{r}:111122223333:key/{KeyA}", principal);
        string odd = kind switch
        {
            "unknown-region" => Aws("ap-south-1"),
            "wrong-type" => Spec("eu-west-1", "GCP_CLOUD_KMS", "projects/acme-prod/locations/europe-west1/keyRings/crdb/cryptoKeys/cmek", "crdb-cmek@acme-prod.iam.gserviceaccount.com"),
            "bad-uri" => Spec("eu-west-1", "AWS_KMS", "https://kms.eu-west-1.amazonaws.com/key/abc", principal),
            "no-principal" => Spec("eu-west-1", "AWS_KMS", $"arn:aws:kms:eu-west-1:111122223333:key/{KeyA}", ""),
            _ => null!,
        };
        string specs = kind == "missing-region" ? $"@({Aws("us-east-1")}, {Aws("us-west-2")})" : $"@({Aws("us-east-1")}, {Aws("us-west-2")}, {odd})";

        ErrorRecord error = s.Run($"{specs} | Set-CrdbCmek -ClusterId {id}").SingleError();

        Assert.StartsWith("InvalidCmekSpec", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(expected, error.Exception.Message);
        Assert.Contains("Nothing was sent", error.Exception.Message);
        Assert.Empty(CloudCmdletFixture.Sent(fx.Fast, id));
    }

    [Fact]
    public void An_unknown_cluster_is_CloudNotFound_and_nothing_is_changed()
    {
        const string missing = "3f0c1f9e-0000-4000-8000-00000000cafe";
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);

        ErrorRecord error = s.Run(Enable(missing)).SingleError();

        Assert.StartsWith("CloudNotFound", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains(missing, error.Exception.Message);
        Assert.Empty(CloudCmdletFixture.Sent(fx.Fast, missing));
    }

    [Fact]
    public void Throttling_and_server_errors_during_the_wait_are_retried_within_the_rate_limit()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Fast);
        SimulatedCluster cluster = fx.Fast.FindCluster(id)!;
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Fast);
        // Armed before the run, firing only once the change is in (the double holds CMEK state from
        // the POST on): the wait's polls meet three 503s (one poll's three attempts), then two 429s.
        Fault unavailable = fx.Fast.Faults.Add(new Fault
        {
            Method = "GET", PathPrefix = $"/api/v1/clusters/{id}/cmek", Status = 503, Times = 3, When = () => cluster.Cmek is not null,
        });
        Fault throttled = fx.Fast.Faults.Add(new Fault
        {
            Method = "GET", PathPrefix = $"/api/v1/clusters/{id}/cmek", Status = 429, Times = 2, RetryAfterSeconds = 1, When = () => cluster.Cmek is not null,
        });
        fx.Fast.ResetRequestStatistics();

        ScriptResult r = s.Run(Enable(id)).AssertSuccess();

        Assert.Equal("ENABLED", (string)((dynamic)r.Output.Single()).Status);
        Assert.Equal(3, unavailable.Hits);
        Assert.Equal(2, throttled.Hits);
        Assert.InRange(fx.Fast.MaxRequestsPerSecondObserved, 1, 10);
    }

    [Fact]
    public void Ctrl_C_stops_a_CMEK_wait_promptly_and_NoWait_returns_enabling()
    {
        string id = CloudCmdletFixture.NewAwsCluster(fx.Slow);
        string other = CloudCmdletFixture.NewAwsCluster(fx.Slow);
        using PowerShellSession s = CloudCmdletFixture.Connected(fx.Slow);

        // Ctrl+C once the POST is in and the wait has polled; on the Slow double the regions stay
        // ENABLING for a minute, so a wait that ignored the stop would end with output.
        ScriptResult stopped = s.Run(Enable(id), stopWhen: () => CloudCmdletFixture.PollsAfterChange(fx.Slow, id) > 0);
        ScriptResult noWait = s.Run(Enable(other) + " -NoWait").AssertSuccess();

        Assert.True(stopped.Stopped);
        Assert.Empty(stopped.Output);
        Assert.Single(CloudCmdletFixture.Changes(fx.Slow, id));
        dynamic pending = noWait.Output.Single();
        Assert.Equal("ENABLING", (string)pending.Status);
        Assert.Empty(noWait.Progress);
    }
}
