using CrdbVault.Core.Cloud;
using CrdbVault.Core.Keys;
using Xunit;

namespace CrdbVault.Tests.Keys;

/// <summary>CMEK region spec validation (CmekSpecRules), the manifest reader and the URI builder (pure Core).</summary>
public sealed class CmekSpecTests
{
    private const string AwsUri = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string AwsRole = "arn:aws:iam::111122223333:role/crdb-cmek";
    private const string GcpUri = "projects/acme-prod/locations/us-central1/keyRings/crdb/cryptoKeys/crdb-cmek-vault-1700000000";
    private const string GcpSa = "crdb-cmek@acme-prod.iam.gserviceaccount.com";
    private const string AzureUri = "https://acme-kv.vault.azure.net/keys/crdb-cmek-1700000000/0123456789abcdef0123456789abcdef";
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    [Theory]
    [InlineData("us-east-1", "AWS_KMS", AwsUri, AwsRole)]
    [InlineData("us-gov-west-1", "aws_kms", "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/hashicorp/k-1", AwsRole)]
    [InlineData("eu-west-1", "AWS_KMS", "arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef", AwsRole)]
    [InlineData("us-central1", "GCP_CLOUD_KMS", GcpUri, GcpSa)]
    [InlineData("eastus2", "AZURE_KEY_VAULT", AzureUri, Tenant)]
    public void Valid_specs_are_accepted(string region, string type, string uri, string principal)
    {
        CmekRegionSpec spec = CmekSpecRules.Create(region, type, uri, principal);
        Assert.Equal(region, spec.Region);
        Assert.Equal(type.ToUpperInvariant(), spec.KeySpec.Type.Value);
        Assert.Equal(uri, spec.KeySpec.Uri);
        Assert.Equal(principal, spec.KeySpec.AuthPrincipal);
        // What goes on the wire: the API's CMEKRegionSpecification.
        var json = System.Text.Json.JsonSerializer.SerializeToNode(spec, CloudJson.Options)!;
        Assert.Equal(region, (string?)json["region"]);
        Assert.Equal(uri, (string?)json["key_spec"]!["uri"]);
        Assert.Equal(principal, (string?)json["key_spec"]!["auth_principal"]);
        Assert.Equal(type.ToUpperInvariant(), (string?)json["key_spec"]!["type"]);
    }

    [Theory]
    [InlineData("US East 1", "AWS_KMS", AwsUri, AwsRole, "Region", "not a cloud region name")]
    [InlineData("us_east_1", "AWS_KMS", AwsUri, AwsRole, "Region", "Did you mean 'us-east-1'")]
    [InlineData("eastus", "AWS_KMS", AwsUri, AwsRole, "Region", "not written like AWS region names")]
    [InlineData("us-east-1", "GCP_CLOUD_KMS", GcpUri, GcpSa, "Region", "not written like GCP region names")]
    [InlineData("us-east-1", "AWS", AwsUri, AwsRole, "Type", "Did you mean AWS_KMS?")]
    [InlineData("us-east-1", "NULL_KMS", AwsUri, AwsRole, "Type", "no documented use")]
    [InlineData("us-east-1", "AWS_KMS", "1234abcd-12ab-34cd-56ef-1234567890ab", AwsRole, "Uri", "not an AWS KMS key ARN")]
    [InlineData("us-central1", "GCP_CLOUD_KMS", GcpUri + "/cryptoKeyVersions/1", GcpSa, "Uri", "Leave out /cryptoKeyVersions")]
    [InlineData("eastus", "AZURE_KEY_VAULT", "https://acme-kv.vault.azure.net/keys/k", Tenant, "Uri", "Add the key version")]
    [InlineData("us-east-1", "AWS_KMS", AwsUri, "", "AuthPrincipal", "-AuthPrincipal is empty")]
    [InlineData("us-east-1", "AWS_KMS", AwsUri, null, "AuthPrincipal", "cross-account IAM role")]
    [InlineData("us-central1", "GCP_CLOUD_KMS", GcpUri, "someone@gmail.com", "AuthPrincipal", "service account")]
    [InlineData("eastus", "AZURE_KEY_VAULT", AzureUri, "acme.onmicrosoft.com", "AuthPrincipal", "tenant ID")]
    public void Invalid_specs_name_the_field_and_the_fix(string region, string type, string uri, string? principal, string field, string text)
    {
        Assert.False(CmekSpecRules.TryCreate(region, type, uri, principal, out CmekRegionSpec? spec, out var problems));
        Assert.Null(spec);
        CmekSpecProblem p = Assert.Single(problems);
        Assert.Equal(field, p.Field);
        Assert.Contains(text, p.Message);
        var ex = Assert.Throws<ArgumentException>(() => CmekSpecRules.Create(region, type, uri, principal));
        Assert.Equal(field, ex.ParamName);
    }

    [Fact]
    public void Manifest_json_in_the_api_shape_is_read()
    {
        string json = $$$"""
            {"region_specs":[
              {"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"{{{AwsUri}}}","auth_principal":"{{{AwsRole}}}"}},
              {"region":"us-west-2","key_spec":{"type":"AWS_KMS","uri":"arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ac","auth_principal":"{{{AwsRole}}}"}}
            ]}
            """;
        IReadOnlyList<CmekRegionSpec> specs = CmekManifest.ParseJson(json);
        Assert.Equal(["us-east-1", "us-west-2"], specs.Select(s => s.Region));
        Assert.All(specs, s => Assert.Equal(CmekKeyType.AwsKms, s.KeySpec.Type));
        // Round trip through the writer.
        Assert.Equal(specs, CmekManifest.ParseJson(CmekManifest.ToJson(specs)));
    }

    [Fact]
    public void Manifest_yaml_is_read_and_files_are_told_apart_by_extension()
    {
        string yaml = $"""
            region_specs:
              - region: us-central1
                key_spec:
                  type: GCP_CLOUD_KMS
                  uri: {GcpUri}
                  auth_principal: {GcpSa}
            """;
        CmekRegionSpec spec = Assert.Single(CmekManifest.ParseYaml(yaml));
        Assert.Equal(GcpUri, spec.KeySpec.Uri);

        string dir = StoreKeyTests.PrivateDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "cmek.yml"), yaml);
            File.WriteAllText(Path.Combine(dir, "cmek.json"), CmekManifest.ToJson([spec]));
            Assert.Equal(spec, Assert.Single(CmekManifest.Load(Path.Combine(dir, "cmek.yml"))));
            Assert.Equal(spec, Assert.Single(CmekManifest.Load(Path.Combine(dir, "cmek.json"))));
            Assert.Throws<FileNotFoundException>(() => CmekManifest.Load(Path.Combine(dir, "none.json")));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Manifest_errors_list_every_problem_with_its_location()
    {
        string json = $$$"""
            {"region_specs":[
              {"region":"US-EAST-1","key_spec":{"type":"AWS_KMS","uri":"{{{AwsUri}}}","auth_principal":"{{{AwsRole}}}"}},
              {"region":"us-east-2","key_spec":{"type":"AWS_KMZ","uri":"{{{AwsUri}}}","auth_principal":"{{{AwsRole}}}"}},
              {"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"not-an-arn","auth_principal":"{{{AwsRole}}}"}},
              {"region":"us-central1","key_spec":{"type":"GCP_CLOUD_KMS","uri":"{{{GcpUri}}}"}},
              {"region":"us-west-1","key_spec":{"type":"AWS_KMS","uri":"{{{AwsUri}}}","authPrincipal":"{{{AwsRole}}}"}}
            ]}
            """;
        var ex = Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson(json, "cmek.json"));
        string all = string.Join("\n", ex.Problems);
        Assert.Contains("region_specs[0].region: 'US-EAST-1' is not a cloud region name", all);
        Assert.Contains("region_specs[1].key_spec.type: 'AWS_KMZ' is not a CMEK key type", all);
        Assert.Contains("region_specs[2].key_spec.uri: 'not-an-arn' is not an AWS KMS key ARN", all);
        Assert.Contains("region_specs[3].key_spec.auth_principal: is empty", all);
        Assert.Contains("region_specs[4].key_spec.authPrincipal is not a field here; did you mean 'auth_principal'?", all);
        Assert.StartsWith("cmek.json is not a valid CMEK manifest", ex.Message);
    }

    [Fact]
    public void Manifest_shape_errors()
    {
        Assert.Contains("'region_specs' is missing", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson("{\"regions\":[]}")).Message);
        Assert.Contains("not valid JSON", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson("{nope")).Message);
        Assert.Contains("'region_specs' is empty", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson("{\"region_specs\":[]}")).Message);
        Assert.Contains("top level must be an object", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson("[]")).Message);
        string dup = $$$"""{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"{{{AwsUri}}}","auth_principal":"{{{AwsRole}}}"}},{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"{{{AwsUri}}}","auth_principal":"{{{AwsRole}}}"}}]}""";
        Assert.Contains("repeats region_specs[0]", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson(dup)).Message);
        Assert.Contains("must be a string", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseYaml("region_specs:\n  - region: 5\n    key_spec: {type: AWS_KMS}\n")).Message);
        Assert.Contains("not valid YAML", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseYaml("region_specs: [\n")).Message);
    }

    // ---- URI builder ---------------------------------------------------------------------------

    private static CmekUriInputs Inputs(string provider, string collection, Dictionary<int, string>? versions = null) => new()
    {
        Provider = provider,
        KeyCollection = collection,
        ProviderKeyName = "crdb-cmek-vault-1700000000",
        Versions = versions ?? [],
        LatestVersion = 2,
    };

    [Fact]
    public void Aws_key_arn_from_the_latest_provider_version_or_the_key_id_or_the_alias()
    {
        var versions = new Dictionary<int, string> { [1] = "11111111-2222-3333-4444-555555555555", [2] = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" };
        CmekUriResult r = CmekUriBuilder.Build(Inputs("awskms", "us-east-1", versions) with { AwsAccountId = "111122223333" });
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:key/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", r.Uri);
        Assert.Equal("us-east-1", r.Region);
        Assert.Equal(CmekKeyType.AwsKms, r.Type);
        Assert.Contains("rotation", r.Note);

        Assert.Equal("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            CmekUriBuilder.Build(Inputs("awskms", "us-east-1") with { AwsAccountId = "111122223333", AwsKeyId = "1234abcd-12ab-34cd-56ef-1234567890ab" }).Uri);
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:alias/hashicorp/crdb-cmek-vault-1700000000",
            CmekUriBuilder.Build(Inputs("awskms", "us-east-1") with { AwsAccountId = "111122223333", AwsUseAlias = true }).Uri);
        Assert.StartsWith("arn:aws-cn:kms:cn-north-1:",
            CmekUriBuilder.Build(Inputs("awskms", "cn-north-1") with { AwsAccountId = "111122223333", AwsUseAlias = true }).Uri);
        // Every built URI passes the spec check.
        CmekSpecRules.Create(r.Region, "AWS_KMS", r.Uri, AwsRole);
    }

    [Fact]
    public void Aws_errors_name_the_parameter_to_add()
    {
        var noAccount = Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("awskms", "us-east-1")));
        Assert.Equal("AwsAccountId", noAccount.ParamName);
        Assert.Contains("add -AwsAccountId", noAccount.Message);
        var noKeyId = Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("awskms", "us-east-1") with { AwsAccountId = "111122223333" }));
        Assert.Equal("AwsKeyId", noKeyId.ParamName);
        Assert.Contains("add -AwsKeyId", noKeyId.Message);
        Assert.Contains("alias/hashicorp/crdb-cmek-vault-1700000000", noKeyId.Message);
        Assert.Contains("-AwsUseAlias", noKeyId.Message);
        Assert.Equal("KeyCollection", Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("awskms", "not a region") with { AwsAccountId = "111122223333" })).ParamName);
        Assert.Equal("AwsAccountId", Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("awskms", "us-east-1") with { AwsAccountId = "12" })).ParamName);
    }

    [Fact]
    public void Gcp_uri_is_the_key_ring_plus_the_provider_key_name()
    {
        CmekUriResult r = CmekUriBuilder.Build(Inputs("gcpckms", "projects/acme-prod/locations/us-central1/keyRings/crdb"));
        Assert.Equal("projects/acme-prod/locations/us-central1/keyRings/crdb/cryptoKeys/crdb-cmek-vault-1700000000", r.Uri);
        Assert.Equal("us-central1", r.Region);
        CmekSpecRules.Create(r.Region, "GCP_CLOUD_KMS", r.Uri, GcpSa);

        var multi = Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("gcpckms", "projects/acme-prod/locations/us/keyRings/crdb")));
        Assert.Equal("Region", multi.ParamName);
        Assert.Contains("add -Region", multi.Message);
        Assert.Equal("europe-west4", CmekUriBuilder.Build(Inputs("gcpckms", "projects/acme-prod/locations/europe/keyRings/crdb") with { Region = "europe-west4" }).Region);
        var ring = Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("gcpckms", "crdb-ring")));
        Assert.Equal("KeyCollection", ring.ParamName);
        Assert.Contains("projects/<project>/locations/<location>/keyRings/<ring>", ring.Message);
    }

    [Fact]
    public void Azure_uri_uses_the_version_of_the_latest_vault_version()
    {
        var versions = new Dictionary<int, string> { [1] = "c96a8956194f4632bc3837b64a1b45b1", [2] = "01ce657d33f64eb38f9432be543f3f52" };
        CmekUriResult r = CmekUriBuilder.Build(Inputs("azurekeyvault", "acme-kv", versions) with { Region = "eastus" });
        Assert.Equal("https://acme-kv.vault.azure.net/keys/crdb-cmek-vault-1700000000/01ce657d33f64eb38f9432be543f3f52", r.Uri);
        CmekSpecRules.Create(r.Region, "AZURE_KEY_VAULT", r.Uri, Tenant);

        Assert.Equal("Region", Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("azurekeyvault", "acme-kv", versions))).ParamName);
        var noVersion = Assert.Throws<CmekParameterRequiredException>(() => CmekUriBuilder.Build(Inputs("azurekeyvault", "acme-kv") with { Region = "eastus" }));
        Assert.Equal("AzureKeyVersion", noVersion.ParamName);
        Assert.Contains("add -AzureKeyVersion", noVersion.Message);
        Assert.EndsWith("/0123456789abcdef0123456789abcdef",
            CmekUriBuilder.Build(Inputs("azurekeyvault", "acme-kv") with { Region = "eastus", AzureKeyVersion = "0123456789ABCDEF0123456789ABCDEF" }).Uri);
    }
}
