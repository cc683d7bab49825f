using System.Net;
using System.Text;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Keys;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Core.Vault;
using CrdbVault.Tests.Units;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// Every file or text the module parses has a size, depth and expansion budget (issue 8, defect 2):
/// past it the parser stops with a clear error of the parser's usual type, allocating a bounded
/// amount, and never takes the process down (a stack overflow cannot be caught in .NET, so the
/// YAML reader must make one impossible rather than recover from it).
/// </summary>
public sealed class ParserBudgetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-budget-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs <paramref name="parse"/>, expecting <typeparamref name="T"/>, and returns it with the bytes this thread allocated meanwhile.</summary>
    private static (T Error, long Allocated) Refused<T>(Action parse) where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        T error = Assert.Throws<T>(parse);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private const long MiB = 1024 * 1024;

    // ---- CMEK manifests: YAML ----

    [Fact]
    public void A_yaml_alias_that_refers_to_itself_is_refused()
    {
        var (e, _) = Refused<CmekManifestException>(() => CmekManifest.ParseYaml("region_specs: &x [ *x ]"));
        Assert.Contains("alias", e.Message);
    }

    [Fact]
    public void A_billion_laughs_yaml_is_refused_without_expanding_it()
    {
        var yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++)
            yaml.Append(c).Append(": &").Append(c).Append(" [").Append(string.Join(",", Enumerable.Repeat("*" + (char)(c - 1), 9))).Append("]\n");
        yaml.Append("region_specs: *i\n");
        Assert.InRange(yaml.Length, 300, 1024);

        var (e, allocated) = Refused<CmekManifestException>(() => CmekManifest.ParseYaml(yaml.ToString()));

        Assert.Contains("alias", e.Message);
        Assert.True(allocated < 16 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Theory]
    [InlineData('[')]
    [InlineData('{')]
    public void Two_hundred_kilobytes_of_open_brackets_are_refused_by_depth(char bracket)
    {
        string yaml = "region_specs: " + new string(bracket, 200 * 1024);

        var (e, allocated) = Refused<CmekManifestException>(() => CmekManifest.ParseYaml(yaml));

        Assert.Contains("deeper than 32", e.Message);
        Assert.True(allocated < 64 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Fact]
    public void Deep_block_nesting_in_yaml_is_refused_by_depth()
    {
        var yaml = new StringBuilder();
        for (int i = 0; i < 40; i++) yaml.Append(new string(' ', i * 2)).Append("k").Append(i).Append(":\n");
        var (e, _) = Refused<CmekManifestException>(() => CmekManifest.ParseYaml(yaml.ToString()));
        Assert.Contains("deeper than 32", e.Message);
    }

    [Fact]
    public void A_manifest_at_the_depth_limit_is_still_read_for_what_it_says()
    {
        // 32 levels parse; the content is then judged as a manifest (wrong shape, not "too deep").
        string yaml = "region_specs: " + new string('[', 31) + new string(']', 31);
        var e = Assert.Throws<CmekManifestException>(() => CmekManifest.ParseYaml(yaml));
        Assert.DoesNotContain("deeper than", e.Message);
    }

    // ---- CMEK manifests: JSON ----

    [Fact]
    public void Two_hundred_kilobytes_of_json_brackets_are_refused_by_depth()
    {
        string json = "{\"region_specs\":" + new string('[', 200 * 1024);
        var (e, allocated) = Refused<CmekManifestException>(() => CmekManifest.ParseJson(json));
        Assert.Contains("deeper than 32", e.Message);
        Assert.True(allocated < 64 * MiB, $"allocated {allocated / MiB} MiB");
    }

    [Fact]
    public void A_duplicate_json_key_is_a_manifest_error()
    {
        const string top = """{"region_specs": [], "region_specs": []}""";
        Assert.Contains("'region_specs' appears twice", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson(top)).Message);
        const string inner = """{"region_specs":[{"region":"us-east-1","key_spec":{"type":"AWS_KMS","uri":"arn:aws:kms:us-east-1:111122223333:key/a","uri":"arn:aws:kms:us-east-1:111122223333:key/b","auth_principal":"arn:aws:iam::111122223333:role/r"}}]}""";
        Assert.Contains("region_specs[0].key_spec: 'uri' appears twice", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseJson(inner)).Message);
    }

    [Fact]
    public void A_duplicate_yaml_key_is_a_manifest_error()
    {
        Assert.Contains("appears twice", Assert.Throws<CmekManifestException>(() => CmekManifest.ParseYaml("region_specs: []\nregion_specs: []\n")).Message);
    }

    [Theory]
    [InlineData("cmek.json")]
    [InlineData("cmek.yaml")]
    public void A_manifest_file_over_one_mebibyte_is_refused_before_parsing(string name)
    {
        string path = Path.Combine(_dir, name);
        using (var f = File.Create(path))
        {
            f.Write(Encoding.UTF8.GetBytes(name.EndsWith(".json") ? "{\"region_specs\":[" : "region_specs: ["));
            f.SetLength(MiB + 1);
        }
        var (e, allocated) = Refused<CmekManifestException>(() => CmekManifest.Load(path));
        Assert.Contains("1 MiB", e.Message);
        Assert.True(allocated < MiB, $"allocated {allocated} bytes: the file was read");
    }

    // ---- PEM and other small files ----

    [Fact]
    public void Pem_text_over_the_limit_is_refused_before_parsing()
    {
        string pem = "-----BEGIN CERTIFICATE-----\n" + new string('A', (int)MiB) + "\n-----END CERTIFICATE-----\n";
        var (e, _) = Refused<ArgumentException>(() => ClientCaBundle.FromPem(pem, "-Pem"));
        Assert.Contains("1 MiB", e.Message);
    }

    [Fact]
    public void A_ca_bundle_file_over_the_limit_is_refused_before_parsing()
    {
        string path = Path.Combine(_dir, "ca.pem");
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\n" + new string('A', (int)MiB) + "\n-----END CERTIFICATE-----\n");
        Assert.Contains("1 MiB", Assert.Throws<ArgumentException>(() => Core.Http.TlsTrust.LoadCaBundle(path)).Message);
    }

    [Fact]
    public void A_recovery_record_or_token_file_over_the_limit_is_refused_before_parsing()
    {
        string record = Path.Combine(_dir, "store.key.vault.json");
        File.WriteAllText(record, "{\"format\":\"" + new string('x', (int)MiB) + "\"}");
        Assert.Contains("KiB", Assert.ThrowsAny<FormatException>(() => StoreKeyRecovery.Load(record)).Message);

        string deep = Path.Combine(_dir, "deep.vault.json");
        File.WriteAllText(deep, new string('[', 10_000));
        Assert.Contains("not a CrdbVault store key recovery record", Assert.ThrowsAny<FormatException>(() => StoreKeyRecovery.Load(deep)).Message);

        string token = Path.Combine(_dir, ".vault-token");
        File.WriteAllText(token, new string('t', (int)MiB));
        Assert.Contains("KiB", Assert.Throws<ArgumentException>(() => TokenAuth.FromFile(token)).Message);
    }

    [Fact]
    public void A_certs_dir_certificate_or_key_over_the_limit_is_reported_without_being_read()
    {
        // -RenewWithin reads these files on every scheduled run: a huge one must cost nothing.
        var dir = new Core.Certificates.CertsDirectory(_dir);
        File.WriteAllText(dir.ClientKeyPath("alice"), "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n");
        using (var s = new FileStream(dir.ClientCertPath("alice"), FileMode.Create)) s.SetLength(64 * MiB);
        long before = GC.GetAllocatedBytesForCurrentThread();
        IReadOnlyList<string> problems = dir.CheckClientSet("alice");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * MiB);
        Assert.Contains(problems, p => p.Contains("1 MiB", StringComparison.Ordinal));

        File.WriteAllText(dir.ClientCertPath("alice"), "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
        using (var s = new FileStream(dir.ClientKeyPath("alice"), FileMode.Create)) s.SetLength(64 * MiB);
        using (var s = new FileStream(dir.ClientPkcs8Path("alice"), FileMode.Create)) s.SetLength(64 * MiB);
        before = GC.GetAllocatedBytesForCurrentThread();
        problems = dir.CheckClientSet("alice");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * MiB);
        Assert.Contains(problems, p => p.Contains("64 KiB", StringComparison.Ordinal));
    }

    // ---- Answers from Vault and the Cloud API ----

    private static VaultClient Vault(StubHandler handler)
    {
        using IDisposable scripted = InternalHooks.UseHttpHandler(handler);
        return new(new VaultClientOptions { Address = new Uri("https://vault.test:8200"), MaxAttempts = 1 }, new FixedToken());
    }

    private sealed class FixedToken : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>("hvs.test");
    }

    private static HttpContent Body(long bytes, byte fill = (byte)' ')
    {
        // A stream that never holds the whole body in memory: the client must stop reading at its cap.
        var stream = new RepeatingStream("{\"data\":{\"x\":\""u8.ToArray(), fill, bytes);
        return new StreamContent(stream);
    }

    [Fact]
    public async Task A_vault_answer_over_16_mebibytes_is_a_clear_error_and_is_not_read_to_the_end()
    {
        var handler = new StubHandler().Answer((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Body(64 * MiB) }));
        using VaultClient client = Vault(handler);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("database/roles/app", CancellationToken.None));

        Assert.Contains("16 MiB", e.Message);
        Assert.Contains("database/roles/app", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 48 * MiB);
    }

    [Fact]
    public async Task A_vault_answer_that_announces_too_much_content_is_refused_before_reading()
    {
        var handler = new StubHandler().Answer((_, _) =>
        {
            var r = new HttpResponseMessage(HttpStatusCode.OK) { Content = Body(17 * MiB) };
            r.Content.Headers.ContentLength = 17 * MiB;
            return Task.FromResult(r);
        });
        using VaultClient client = Vault(handler);
        var e = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("sys/mounts", CancellationToken.None));
        Assert.Contains("16 MiB", e.Message);
    }

    [Fact]
    public async Task A_deeply_nested_vault_answer_is_a_clear_error()
    {
        string deep = "{\"data\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var handler = new StubHandler().Answer(HttpStatusCode.OK, deep);
        using VaultClient client = Vault(handler);
        var e = await Assert.ThrowsAsync<VaultApiException>(() => client.ReadAsync("database/roles/app", CancellationToken.None));
        Assert.Contains("not JSON", e.Message);
        Assert.Contains("database/roles/app", e.Message);
    }

    [Fact]
    public async Task A_vault_error_answer_that_is_huge_or_deep_still_gives_a_clear_error()
    {
        string deep = "{\"errors\":" + new string('[', 5000) + "}";
        var handler = new StubHandler().Answer(HttpStatusCode.BadRequest, deep);
        using VaultClient client = Vault(handler);
        var e = await Assert.ThrowsAsync<VaultApiException>(() => client.WriteAsync("database/roles/app", new { }, VaultRequestOptions.IdempotentWrite, CancellationToken.None));
        Assert.Equal(400, e.Status);
    }

    private static CloudApiClient Cloud(StubHandler handler)
    {
        using IDisposable scripted = InternalHooks.UseHttpHandler(handler);
        return new(new CloudClientOptions { ServerUrl = new Uri("https://cloud.test"), ApiKey = SecureStrings.From("key"), MaxAttempts = 1, MaxRequestsPerSecond = 0 });
    }

    [Fact]
    public async Task A_cloud_answer_over_16_mebibytes_is_a_clear_error()
    {
        var handler = new StubHandler().Answer((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = Body(64 * MiB) }));
        using CloudApiClient client = Cloud(handler);
        var e = await Assert.ThrowsAsync<CloudApiException>(() => client.GetCmekAsync(Guid.NewGuid().ToString(), CancellationToken.None));
        Assert.Contains("16 MiB", e.Message);
    }

    [Fact]
    public async Task A_deeply_nested_cloud_answer_is_a_clear_error()
    {
        string deep = "{\"id\":" + new string('[', 5000) + new string(']', 5000) + "}";
        var handler = new StubHandler().Answer(HttpStatusCode.OK, deep);
        using CloudApiClient client = Cloud(handler);
        var e = await Assert.ThrowsAsync<CloudApiException>(() => client.GetClusterAsync(Guid.NewGuid().ToString(), CancellationToken.None));
        Assert.Contains("not the documented JSON", e.Message);
    }

    [Fact]
    public void The_budgets_are_the_documented_ones()
    {
        Assert.Equal(1 * MiB, InputBudgets.ManifestBytes);
        Assert.Equal(32, InputBudgets.ManifestDepth);
        Assert.Equal(16 * MiB, InputBudgets.AnswerBytes);
        Assert.Equal(1 * MiB, InputBudgets.PemBytes);
        Assert.Equal(64 * 1024, InputBudgets.SmallFileBytes);
    }

    /// <summary>prefix, then <c>fill</c> bytes up to <c>length</c>, produced on demand.</summary>
    private sealed class RepeatingStream(byte[] prefix, byte fill, long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, length - _position);
            for (int i = 0; i < n; i++)
            {
                long p = _position + i;
                buffer[offset + i] = p < prefix.Length ? prefix[p] : fill;
            }
            _position += n;
            return n;
        }
    }
}
