using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Vault;
using Xunit;
using SandboxTransit = CrdbVault.Sandbox.Vault.Engines.TransitEngine;

namespace CrdbVault.Tests.Keys;

/// <summary>The transit engine of the Vault double, called directly: real AES-GCM, versions, Vault's error texts.</summary>
public sealed class TransitDoubleTests
{
    private readonly VaultMount _mount = new() { Path = "transit", Type = "transit" };
    private readonly SandboxTransit _engine;

    public TransitDoubleTests()
    {
        _engine = new SandboxTransit(_mount, new VaultServices { Clock = TimeProvider.System, Leases = null!, Options = new SandboxOptions() });
        _mount.Engine = _engine;
    }

    private VaultReply Call(string method, string path, JsonObject? body = null) =>
        _engine.HandleAsync(new VaultRequest(method, path, body ?? [], new Dictionary<string, string>(), null, _mount, CancellationToken.None)).GetAwaiter().GetResult();

    private static string S(VaultReply r, string name) => r.Data![name]!.GetValue<string>();

    [Fact]
    public void Create_read_list_and_default_type()
    {
        VaultReply created = Call("POST", "keys/ear");
        Assert.Equal(200, created.Status);
        VaultReply read = Call("GET", "keys/ear");
        Assert.Equal("aes256-gcm96", S(read, "type"));
        Assert.Equal(1, read.Data!["latest_version"]!.GetValue<int>());
        Assert.Equal(1, read.Data!["min_decryption_version"]!.GetValue<int>());
        Assert.True(read.Data!["keys"]!["1"]!.GetValue<long>() > 1_600_000_000);

        Assert.Equal(200, Call("POST", "keys/small", new JsonObject { ["type"] = "aes128-gcm96" }).Status);
        Assert.Equal("aes128-gcm96", S(Call("GET", "keys/small"), "type"));
        VaultReply list = Call("LIST", "keys");
        Assert.Equal(["ear", "small"], list.Data!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));

        Assert.Equal(404, Call("GET", "keys/missing").Status);
        VaultReply again = Call("POST", "keys/ear");
        Assert.Contains("key ear already existed", again.Warnings);
        VaultReply bad = Call("POST", "keys/x", new JsonObject { ["type"] = "des" });
        Assert.Equal(400, bad.Status);
    }

    [Fact]
    public void Encrypt_decrypt_round_trip_with_real_gcm_and_random_nonce()
    {
        Call("POST", "keys/k");
        byte[] secret = RandomNumberGenerator.GetBytes(100);
        string c1 = S(Call("POST", "encrypt/k", new JsonObject { ["plaintext"] = Convert.ToBase64String(secret) }), "ciphertext");
        string c2 = S(Call("POST", "encrypt/k", new JsonObject { ["plaintext"] = Convert.ToBase64String(secret) }), "ciphertext");
        Assert.StartsWith("vault:v1:", c1);
        Assert.NotEqual(c1, c2); // random 96-bit nonce each time
        byte[] raw = Convert.FromBase64String(c1["vault:v1:".Length..]);
        Assert.Equal(12 + secret.Length + 16, raw.Length); // nonce || ciphertext || tag

        VaultReply dec = Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = c1 });
        Assert.Equal(secret, Convert.FromBase64String(S(dec, "plaintext")));
    }

    [Fact]
    public void Rotate_adds_versions_old_ciphertext_still_decrypts_until_min_decryption_version()
    {
        Call("POST", "keys/k");
        string v1 = S(Call("POST", "encrypt/k", new JsonObject { ["plaintext"] = "aGVsbG8=" }), "ciphertext");
        Assert.Equal(200, Call("POST", "keys/k/rotate").Status);
        VaultReply read = Call("GET", "keys/k");
        Assert.Equal(2, read.Data!["latest_version"]!.GetValue<int>());
        Assert.Equal(2, read.Data!["keys"]!.AsObject().Count);
        string v2 = S(Call("POST", "encrypt/k", new JsonObject { ["plaintext"] = "aGVsbG8=" }), "ciphertext");
        Assert.StartsWith("vault:v2:", v2);
        Assert.Equal("aGVsbG8=", S(Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = v1 }), "plaintext"));

        Assert.Equal(200, Call("POST", "keys/k/config", new JsonObject { ["min_decryption_version"] = 2 }).Status);
        VaultReply tooOld = Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = v1 });
        Assert.Equal(400, tooOld.Status);
        Assert.Contains("ciphertext or signature version is disallowed by policy (too old)", tooOld.Errors);
        Assert.Equal("aGVsbG8=", S(Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = v2 }), "plaintext"));
        Assert.Equal(400, Call("POST", "keys/missing/rotate").Status);
    }

    [Theory]
    [InlineData(128, 16)]
    [InlineData(256, 32)]
    [InlineData(512, 64)]
    public void Datakey_plaintext_returns_key_and_wrapped_copy_that_decrypts_to_it(int bits, int bytes)
    {
        Call("POST", "keys/k");
        VaultReply r = Call("POST", "datakey/plaintext/k", new JsonObject { ["bits"] = bits });
        Assert.Equal(200, r.Status);
        byte[] key = Convert.FromBase64String(S(r, "plaintext"));
        Assert.Equal(bytes, key.Length);
        string wrapped = S(r, "ciphertext");
        Assert.StartsWith("vault:v1:", wrapped);
        Assert.Equal(1, r.Data!["key_version"]!.GetValue<int>());
        Assert.Equal(key, Convert.FromBase64String(S(Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = wrapped }), "plaintext")));
    }

    [Fact]
    public void Datakey_wrapped_has_no_plaintext_default_256_and_192_is_refused_like_vault()
    {
        Call("POST", "keys/k");
        VaultReply r = Call("POST", "datakey/wrapped/k");
        Assert.Null(r.Data!["plaintext"]);
        byte[] key = Convert.FromBase64String(S(Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = S(r, "ciphertext") }), "plaintext"));
        Assert.Equal(32, key.Length);

        VaultReply refused = Call("POST", "datakey/plaintext/k", new JsonObject { ["bits"] = 192 });
        Assert.Equal(400, refused.Status);
        Assert.Equal(["invalid bit length"], refused.Errors);
        Assert.Equal(["Invalid path, must be 'plaintext' or 'wrapped'"], Call("POST", "datakey/both/k").Errors);
    }

    [Fact]
    public void Unknown_key_is_400_encryption_key_not_found()
    {
        VaultReply d = Call("POST", "datakey/plaintext/nope");
        Assert.Equal(400, d.Status);
        Assert.Equal(["encryption key not found"], d.Errors);
        Assert.Equal(["encryption key not found"], Call("POST", "decrypt/nope", new JsonObject { ["ciphertext"] = "vault:v1:AAAA" }).Errors);
    }

    [Theory]
    [InlineData("nope", "invalid ciphertext: no prefix")]
    [InlineData("vault:v1", "invalid ciphertext: wrong number of fields")]
    [InlineData("vault:vX:AAAA", "invalid ciphertext: version number could not be decoded")]
    [InlineData("vault:v9:AAAA", "invalid ciphertext: version is too new")]
    [InlineData("vault:v1:***", "invalid ciphertext: could not decode base64")]
    public void Garbled_ciphertext_gets_vaults_messages(string ciphertext, string message)
    {
        Call("POST", "keys/k");
        VaultReply r = Call("POST", "decrypt/k", new JsonObject { ["ciphertext"] = ciphertext });
        Assert.Equal(400, r.Status);
        Assert.Equal([message], r.Errors);
    }

    [Fact]
    public void Tampered_ciphertext_or_other_key_fails_authentication()
    {
        Call("POST", "keys/a");
        Call("POST", "keys/b");
        string c = S(Call("POST", "encrypt/a", new JsonObject { ["plaintext"] = "c2VjcmV0" }), "ciphertext");
        byte[] raw = Convert.FromBase64String(c["vault:v1:".Length..]);
        raw[^1] ^= 1;
        string tampered = "vault:v1:" + Convert.ToBase64String(raw);
        Assert.Equal(["cipher: message authentication failed"], Call("POST", "decrypt/a", new JsonObject { ["ciphertext"] = tampered }).Errors);
        Assert.Equal(["cipher: message authentication failed"], Call("POST", "decrypt/b", new JsonObject { ["ciphertext"] = c }).Errors);
    }

    [Fact]
    public void Delete_needs_deletion_allowed()
    {
        Call("POST", "keys/k");
        VaultReply refused = Call("DELETE", "keys/k");
        Assert.Equal(400, refused.Status);
        Assert.Contains("deletion is not allowed", refused.Errors[0]);
        Assert.Equal(200, Call("POST", "keys/k/config", new JsonObject { ["deletion_allowed"] = true }).Status);
        Assert.Equal(204, Call("DELETE", "keys/k").Status);
        Assert.Equal(404, Call("GET", "keys/k").Status);
    }
}
