using System.Text.Json.Nodes;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Vault;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Vault;
using Xunit;
using SandboxKeymgmt = CrdbVault.Sandbox.Vault.Engines.KeyManagementEngine;

namespace CrdbVault.Tests.Keys;

/// <summary>CMEK keys through Core's keymgmt client and the keymgmt double over HTTP, plus the double alone.</summary>
public sealed class CmekKeysTests : IDisposable
{
    private const string AwsRole = "arn:aws:iam::111122223333:role/crdb-cmek";
    private readonly KeysVault _vault = KeysVault.Start();
    private readonly VaultClient _client;
    private readonly CmekKeys _cmek;

    public CmekKeysTests()
    {
        _client = _vault.CreateClient();
        _cmek = new CmekKeys(_client);
    }

    public void Dispose()
    {
        _client.Dispose();
        _vault.Dispose();
    }

    private CmekKeyResult Create(CmekKeyRequest r) => _cmek.CreateAsync(r, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public async Task Aws_creates_provider_key_and_distribution_and_builds_the_key_arn()
    {
        var request = new CmekKeyRequest
        {
            Name = "crdb-cmek", Provider = "awskms", KmsName = "aws-use1", KeyCollection = "us-east-1", AuthPrincipal = AwsRole,
            AwsAccountId = "111122223333",
            Credentials = new Dictionary<string, System.Security.SecureString> { ["access_key"] = SecureStrings.From("AKIAEXAMPLE"), ["secret_key"] = SecureStrings.From("s3cr3t-value") },
        };
        CmekKeyResult r = Create(request);
        Assert.True(r.KmsCreated && r.KeyCreated && r.Distributed);
        Assert.Equal("aes256-gcm96", r.KeyType);
        Assert.Equal(["encrypt", "decrypt"], r.Purposes);
        Assert.Matches(@"^crdb-cmek-\d{10}$", r.ProviderKeyName);
        Assert.Equal("us-east-1", r.Spec.Region);
        Assert.Equal(CmekKeyType.AwsKms, r.Spec.KeySpec.Type);
        Assert.Matches(@"^arn:aws:kms:us-east-1:111122223333:key/[0-9a-f-]{36}$", r.Spec.KeySpec.Uri);
        Assert.Equal(AwsRole, r.Spec.KeySpec.AuthPrincipal);

        // Credentials reached the provider but never come back over the API.
        Assert.Equal("s3cr3t-value", _vault.Keymgmt.CredentialsOf("aws-use1")["secret_key"]);
        KmsProviderInfo? kms = await _cmek.Keymgmt.ReadKmsAsync("aws-use1", CancellationToken.None);
        Assert.Equal(new KmsProviderInfo("aws-use1", "awskms", "us-east-1"), kms);

        // A second run reuses everything and gives the same spec.
        CmekKeyResult again = Create(new CmekKeyRequest { Name = "crdb-cmek", Provider = "awskms", KmsName = "aws-use1", AuthPrincipal = AwsRole, AwsAccountId = "111122223333" });
        Assert.False(again.KmsCreated || again.KeyCreated || again.Distributed);
        Assert.Equal(r.Spec, again.Spec);
        Assert.Equal(["crdb-cmek"], await _cmek.Keymgmt.ListKmsKeysAsync("aws-use1", CancellationToken.None));
    }

    [Fact]
    public void Gcp_uri_is_built_from_the_key_ring_and_the_region_from_its_location()
    {
        CmekKeyResult r = Create(new CmekKeyRequest
        {
            Name = "crdb", Provider = "gcpckms", KmsName = "gcp", KeyCollection = "projects/acme-prod/locations/us-central1/keyRings/crdb",
            AuthPrincipal = "crdb-cmek@acme-prod.iam.gserviceaccount.com",
        });
        Assert.Equal("us-central1", r.Spec.Region);
        Assert.Equal($"projects/acme-prod/locations/us-central1/keyRings/crdb/cryptoKeys/{r.ProviderKeyName}", r.Spec.KeySpec.Uri);
        Assert.Equal(CmekKeyType.GcpCloudKms, r.Spec.KeySpec.Type);
    }

    [Fact]
    public void Azure_uses_an_rsa_key_wraps_and_takes_the_version_from_the_distribution()
    {
        CmekKeyResult r = Create(new CmekKeyRequest
        {
            Name = "crdb", Provider = "azurekeyvault", KmsName = "az", KeyCollection = "acme-kv", Region = "eastus", KeyType = "rsa-2048",
            AuthPrincipal = "72f988bf-86f1-41af-91ab-2d7cd011db47",
        });
        Assert.Equal("rsa-2048", r.KeyType);
        Assert.Equal("rsa-3072", CmekKeys.DefaultKeyType("azurekeyvault")); // the default; real RSA-3072 generation is slow here
        Assert.Equal("aes256-gcm96", CmekKeys.DefaultKeyType("gcpckms"));
        Assert.Equal(["encrypt", "decrypt", "wrap", "unwrap"], r.Purposes);
        Assert.Matches(@"^https://acme-kv\.vault\.azure\.net/keys/crdb-\d{10}/[0-9a-f]{32}$", r.Spec.KeySpec.Uri);
        Assert.Equal("eastus", r.Spec.Region);
    }

    [Fact]
    public async Task Missing_information_is_named_before_any_change()
    {
        var noCollection = Assert.Throws<CmekParameterRequiredException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "awskms", KmsName = "new", AuthPrincipal = AwsRole, AwsAccountId = "111122223333" }));
        Assert.Equal("KeyCollection", noCollection.ParamName);
        Assert.Contains("add -KeyCollection", noCollection.Message);

        Assert.Equal("AwsAccountId", Assert.Throws<CmekParameterRequiredException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "awskms", KmsName = "a", KeyCollection = "us-east-1", AuthPrincipal = AwsRole })).ParamName);
        Assert.Equal("Region", Assert.Throws<CmekParameterRequiredException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "azurekeyvault", KmsName = "a", KeyCollection = "kv1", AuthPrincipal = "72f988bf-86f1-41af-91ab-2d7cd011db47" })).ParamName);
        Assert.Equal("AuthPrincipal", Assert.Throws<ArgumentException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "awskms", KmsName = "a", KeyCollection = "us-east-1", AuthPrincipal = "", AwsAccountId = "111122223333" })).ParamName);
        var azureAes = Assert.Throws<ArgumentException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "azurekeyvault", KmsName = "a", KeyCollection = "kv1", Region = "eastus", KeyType = "aes256-gcm96", AuthPrincipal = "72f988bf-86f1-41af-91ab-2d7cd011db47" }));
        Assert.Contains("Azure cannot take aes256-gcm96", azureAes.Message);
        Assert.Equal("Provider", Assert.Throws<ArgumentException>(() => Create(new CmekKeyRequest { Name = "k", Provider = "vaultkms", KmsName = "a", AuthPrincipal = AwsRole })).ParamName);

        // Nothing but reads happened.
        Assert.All(_vault.EngineRequests, r => Assert.StartsWith("GET ", r));
        Assert.Empty(await _cmek.Keymgmt.ListKeysAsync(CancellationToken.None));
    }

    [Fact]
    public void Existing_provider_of_another_type_is_refused()
    {
        Create(new CmekKeyRequest { Name = "k1", Provider = "gcpckms", KmsName = "p", KeyCollection = "projects/acme-prod/locations/us-east1/keyRings/r", AuthPrincipal = "crdb-cmek@acme-prod.iam.gserviceaccount.com" });
        var ex = Assert.Throws<ArgumentException>(() => Create(new CmekKeyRequest { Name = "k2", Provider = "awskms", KmsName = "p", AuthPrincipal = AwsRole, AwsAccountId = "111122223333" }));
        Assert.Equal("Provider", ex.ParamName);
        Assert.Contains("is gcpckms", ex.Message);
    }

    // ---- the keymgmt double on its own ---------------------------------------------------------

    private static (SandboxKeymgmt Engine, Func<string, string, JsonObject?, VaultReply> Call) Engine()
    {
        var mount = new VaultMount { Path = "keymgmt", Type = "keymgmt" };
        var engine = new SandboxKeymgmt(mount, new VaultServices { Clock = TimeProvider.System, Leases = null!, Options = new SandboxOptions() });
        mount.Engine = engine;
        return (engine, (m, p, b) => engine.HandleAsync(new VaultRequest(m, p, b ?? [], new Dictionary<string, string>(), null, mount, CancellationToken.None)).GetAwaiter().GetResult());
    }

    [Fact]
    public void Keymgmt_double_follows_the_documented_shapes()
    {
        var (_, call) = Engine();
        Assert.Equal(204, call("POST", "key/k", new JsonObject { ["type"] = "aes256-gcm96" }).Status);
        VaultReply key = call("GET", "key/k", null);
        Assert.Equal(1, key.Data!["latest_version"]!.GetValue<int>());
        Assert.NotNull(key.Data!["keys"]!["1"]!["creation_time"]);
        Assert.Null(key.Data!["keys"]!["1"]!["public_key"]);

        Assert.Equal(204, call("POST", "kms/aws", new JsonObject { ["provider"] = "awskms", ["key_collection"] = "us-east-1", ["credentials"] = new JsonArray("access_key=a", "secret_key=b") }).Status);
        VaultReply kms = call("GET", "kms/aws", null);
        Assert.Equal(["key_collection", "provider"], kms.Data!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(400, call("POST", "kms/aws", new JsonObject { ["provider"] = "gcpckms" }).Status);

        Assert.Equal(204, call("POST", "kms/aws/key/k", new JsonObject { ["purpose"] = "encrypt,decrypt", ["protection"] = "hsm" }).Status);
        VaultReply dist = call("GET", "kms/aws/key/k", null);
        Assert.Matches(@"^k-\d{10}$", dist.Data!["name"]!.GetValue<string>());
        Assert.Equal("encrypt,decrypt", dist.Data!["purpose"]!.GetValue<string>());
        Assert.Single(dist.Data!["versions"]!.AsObject());
        Assert.Equal(["k"], call("LIST", "kms/aws/key", null).Data!["keys"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["aws"], call("LIST", "key/k/kms", null).Data!["keys"]!.AsArray().Select(x => x!.GetValue<string>()));

        // Rotation adds a version in Vault and at the provider.
        Assert.Equal(204, call("POST", "key/k/rotate", null).Status);
        Assert.Equal(2, call("GET", "key/k", null).Data!["latest_version"]!.GetValue<int>());
        Assert.Equal(2, call("GET", "kms/aws/key/k", null).Data!["versions"]!.AsObject().Count);

        // Immutable distribution, one provider per key, delete rules.
        Assert.Equal(400, call("POST", "kms/aws/key/k", new JsonObject { ["purpose"] = "encrypt" }).Status);
        Assert.Equal(400, call("DELETE", "kms/aws", null).Status);
        Assert.Equal(400, call("DELETE", "key/k", null).Status);
        Assert.Equal(204, call("DELETE", "kms/aws/key/k", null).Status);
        Assert.Equal(400, call("DELETE", "key/k", null).Status); // deletion_allowed is false
        Assert.Equal(204, call("POST", "key/k", new JsonObject { ["deletion_allowed"] = true }).Status);
        Assert.Equal(204, call("DELETE", "key/k", null).Status);
        Assert.Equal(404, call("GET", "key/k", null).Status);
    }

    [Fact]
    public void Keymgmt_double_enforces_provider_compatibility_and_purposes()
    {
        var (_, call) = Engine();
        call("POST", "key/aes", new JsonObject { ["type"] = "aes256-gcm96" });
        call("POST", "key/rsa", new JsonObject { ["type"] = "rsa-2048" });
        call("POST", "kms/az", new JsonObject { ["provider"] = "azurekeyvault", ["key_collection"] = "kv" });
        call("POST", "kms/aws", new JsonObject { ["provider"] = "awskms", ["key_collection"] = "us-east-1" });
        Assert.Contains("not supported", call("POST", "kms/az/key/aes", new JsonObject { ["purpose"] = new JsonArray("encrypt", "decrypt") }).Errors[0]);
        Assert.Contains("not supported", call("POST", "kms/aws/key/rsa", new JsonObject { ["purpose"] = "encrypt,decrypt" }).Errors[0]);
        Assert.Contains("only the encrypt and decrypt", call("POST", "kms/aws/key/aes", new JsonObject { ["purpose"] = "encrypt,decrypt,wrap" }).Errors[0]);
        Assert.Contains("missing required field \"purpose\"", call("POST", "kms/aws/key/aes", new JsonObject()).Errors[0]);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", call("GET", "key/rsa", null).Data!["keys"]!["1"]!["public_key"]!.GetValue<string>());
        Assert.Equal(204, call("POST", "kms/az/key/rsa", new JsonObject { ["purpose"] = "wrap,unwrap", ["protection"] = "software" }).Status);
        Assert.Matches("^[0-9a-f]{32}$", call("GET", "kms/az/key/rsa", null).Data!["versions"]!["1"]!.GetValue<string>());
        Assert.Contains("one KMS provider only", call("POST", "kms/aws/key/rsa", new JsonObject { ["purpose"] = "encrypt" }).Errors[0]);
        Assert.Equal(400, call("POST", "kms/x", new JsonObject { ["provider"] = "hsm9000", ["key_collection"] = "x" }).Status);
    }
}
