using System.Text;
using System.Text.Json;
using CrdbVault.Core.Cloud;
using Xunit;

namespace CrdbVault.Tests.Cloud;

public sealed class CloudJsonTests
{
    [Fact]
    public void Unknown_fields_and_enum_values_are_kept_not_fatal()
    {
        const string json = """
            {"status":"QUANTUM_SAFE","future_field":{"x":1},"region_infos":[{"region":"r1","status":"ENABLED",
             "key_infos":[{"status":"enabled","spec":{"type":"HSM_KMS","uri":"u","auth_principal":"p"},
             "created_at":"2025-01-02T03:04:05.123456789Z","updated_at":"not a date"}]}]}
            """;

        CmekClusterInfo info = JsonSerializer.Deserialize<CmekClusterInfo>(json, CloudJson.Options)!;

        Assert.Equal("QUANTUM_SAFE", info.Status.Value);
        Assert.False(info.Status.IsKnown);
        CmekKeyInfo key = info.RegionInfos[0].KeyInfos[0];
        Assert.Equal(CmekState.Enabled, key.Status); // compared without regard to case
        Assert.Equal("HSM_KMS", key.Spec!.Type.ToString());
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, 123, TimeSpan.Zero), key.CreatedAt!.Value.AddTicks(-(key.CreatedAt.Value.Ticks % TimeSpan.TicksPerMillisecond)));
        Assert.Null(key.UpdatedAt);
    }

    [Fact]
    public void Nulls_and_quoted_numbers_do_not_break_a_cluster()
    {
        const string json = """{"id":"x","regions":[{"name":"a","node_count":"3","primary":null}],"labels":null,"state":null}""";

        CloudCluster cluster = JsonSerializer.Deserialize<CloudCluster>(json, CloudJson.Options)!;

        Assert.Equal(3, cluster.Regions[0].NodeCount);
        Assert.False(cluster.Regions[0].Primary);
        Assert.Empty(cluster.Labels);
        Assert.Equal("", cluster.State.Value);
    }

    [Fact]
    public void Requests_use_the_APIs_snake_case_names()
    {
        var body = new CmekClusterSpecification([new CmekRegionSpec("us-east-1", CmekKeyType.AwsKms, "arn", "role")]);

        string json = JsonSerializer.Serialize(body, CloudJson.Options);

        Assert.Equal("""{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"arn","auth_principal":"role"}}]}""", json);
        Assert.Equal("""{"x509_pem_cert":"p"}""", JsonSerializer.Serialize(new ClientCaCertRequest("p"), CloudJson.Options));
        Assert.Equal("""{"dedicated":{"region_nodes":{"a":3}}}""",
            JsonSerializer.Serialize(new UpdateClusterSpecification(new DedicatedClusterUpdateSpecification(new Dictionary<string, int> { ["a"] = 3 }, null)), CloudJson.Options));
    }

    [Fact]
    public void Error_bodies_are_read_leniently()
    {
        var (code, message, details) = CloudErrors.ParseBody(Encoding.UTF8.GetBytes("""{"code":9,"message":"busy","details":[{"@type":"t","x":1}]}"""));
        Assert.Equal((9, "busy"), (code, message));
        Assert.Single(details);

        Assert.Equal("upstream gateway error", CloudErrors.ParseBody(Encoding.UTF8.GetBytes("upstream gateway error")).Message);
        Assert.Equal("rate limit exceeded", CloudErrors.ParseBody(Encoding.UTF8.GetBytes("""{"error":"rate limit exceeded"}""")).Message);
    }
}
