using System.Net;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Sandbox.Vault;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Sandbox;

/// <summary>A Vault double whose clock the tests set, so time claims are checked without wall-clock luck.</summary>
public sealed class ClockedVault : IAsyncLifetime
{
    public sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
        public override DateTimeOffset GetUtcNow() => Now;
    }

    public ManualClock Clock { get; } = new();
    public SigningKey Key { get; } = new();
    public SigningKey OtherKey { get; } = new();
    public VaultServer Vault { get; private set; } = null!;

    public async Task InitializeAsync() => Vault = await VaultServer.StartAsync(new SandboxOptions(), Clock);

    public async Task DisposeAsync()
    {
        await Vault.DisposeAsync();
        Key.Dispose();
        OtherKey.Dispose();
    }

    public long Now => Clock.Now.ToUnixTimeSeconds();

    public async Task<VaultHttpResult> SendAsync(string method, string path, object? body = null, bool root = true)
    {
        using HttpClient http = Vault.CreateClient(root ? Vault.RootToken : null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null) request.Content = JsonContent(body);
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return new VaultHttpResult(response.StatusCode, text, text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject, response.Headers);
    }

    private static StringContent JsonContent(object body) =>
        new(body is JsonNode n ? n.ToJsonString() : System.Text.Json.JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");
}

/// <summary>
/// The jwt auth method's rules, checked against Vault's documented behaviour and its plugin's
/// words: config and role validation, signature, registered claims with leeway, audience,
/// bound_claims (types kept, lists any-of, globs, JSON pointers), user_claim.
/// </summary>
public sealed class JwtAuthMethodTests(ClockedVault vault) : IClassFixture<ClockedVault>
{
    private const string Issuer = "https://issuer.sandbox.test";

    /// <summary>A jwt mount trusting <see cref="ClockedVault.Key"/> (PEM) with bound_issuer, and a role with these fields.</summary>
    private async Task<string> MountWithRoleAsync(object role, object? config = null)
    {
        string mount = SandboxFixture.Unique("jwt");
        Assert.Equal(204, (await vault.SendAsync("POST", $"sys/auth/{mount}", new { type = "jwt" })).Code);
        var written = await vault.SendAsync("POST", $"auth/{mount}/config", config ?? new { jwt_validation_pubkeys = new[] { vault.Key.PublicKeyPem() }, bound_issuer = Issuer });
        Assert.True(written.Code == 204, written.Text);
        var r = await vault.SendAsync("POST", $"auth/{mount}/role/r", role);
        Assert.True(r.Code == 204, r.Text);
        return mount;
    }

    private JsonObject Claims(Action<JsonObject>? change = null)
    {
        var claims = new JsonObject
        {
            ["iss"] = Issuer, ["sub"] = "svc:deploy", ["aud"] = "vault", ["iat"] = vault.Now, ["nbf"] = vault.Now, ["exp"] = vault.Now + 300,
            ["def_id"] = "7", ["groups"] = new JsonArray("ops", "dba"), ["ref"] = "refs/heads/release/2.1", ["nested"] = new JsonObject { ["team"] = "db" },
        };
        change?.Invoke(claims);
        return claims;
    }

    private static readonly object BaseRole = new { role_type = "jwt", user_claim = "sub", bound_audiences = "vault", token_policies = "default" };

    private Task<VaultHttpResult> LoginAsync(string mount, JsonObject claims, string role = "r", SigningKey? key = null) =>
        vault.SendAsync("POST", $"auth/{mount}/login", new { role, jwt = (key ?? vault.Key).Sign(claims) }, root: false);

    private static void Refused(VaultHttpResult r, string error)
    {
        Assert.True(r.Status == HttpStatusCode.BadRequest, r.Text);
        Assert.Equal(error, r.Errors.Single());
    }

    private static JsonObject With(object a, object b) => JsonBodies.Merge(a, b);

    [Fact]
    public async Task Config_needs_exactly_one_key_source()
    {
        string mount = SandboxFixture.Unique("jwt");
        Assert.Equal(204, (await vault.SendAsync("POST", $"sys/auth/{mount}", new { type = "jwt" })).Code);
        const string exactlyOne = "exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set";
        Refused(await vault.SendAsync("POST", $"auth/{mount}/config", new { bound_issuer = Issuer }), exactlyOne);
        Refused(await vault.SendAsync("POST", $"auth/{mount}/config", new { jwt_validation_pubkeys = vault.Key.PublicKeyPem(), jwks_url = "http://127.0.0.1:1/jwks" }), exactlyOne);
        Refused(await vault.SendAsync("POST", $"auth/{mount}/config", new { jwt_validation_pubkeys = "not a key" }), "error parsing public key: data does not contain any valid RSA or ECDSA public keys");
        // No loopback double serves this host: refused without sending anything anywhere.
        Refused(await vault.SendAsync("POST", $"auth/{mount}/config", new { oidc_discovery_url = "https://issuer.example.com" }), "error checking oidc discovery URL");
        Assert.Equal(HttpStatusCode.NotFound, (await vault.SendAsync("GET", $"auth/{mount}/config")).Status);

        Assert.Equal(204, (await vault.SendAsync("POST", $"auth/{mount}/config", new { jwt_validation_pubkeys = new[] { vault.Key.PublicKeyPem() }, bound_issuer = Issuer, default_role = "r" })).Code);
        JsonNode config = (await vault.SendAsync("GET", $"auth/{mount}/config")).Data!;
        Assert.Equal(Issuer, config["bound_issuer"]!.GetValue<string>());
        Assert.Equal("r", config["default_role"]!.GetValue<string>());
        Assert.Single(config["jwt_validation_pubkeys"]!.AsArray());
        Assert.Equal("", config["oidc_discovery_url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Role_writes_follow_Vaults_rules_and_read_back()
    {
        string mount = await MountWithRoleAsync(BaseRole);
        string path = $"auth/{mount}/role/x";
        Refused(await vault.SendAsync("POST", path, new { user_claim = "sub", bound_audiences = "vault" }), "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.");
        Refused(await vault.SendAsync("POST", path, new { role_type = "jwt", user_claim = "sub" }), "must have at least one bound constraint when creating/updating a role");
        Refused(await vault.SendAsync("POST", path, new { role_type = "jwt", bound_subject = "s" }), "a user claim must be defined on the role");
        Refused(await vault.SendAsync("POST", path, new { role_type = "kubernetes", user_claim = "sub", bound_subject = "s" }), "invalid 'role_type': kubernetes");
        Refused(await vault.SendAsync("POST", path, new { role_type = "jwt", user_claim = "sub", bound_subject = "s", token_ttl = "2h", token_max_ttl = "1h" }), "ttl should not be greater than max ttl");
        Assert.Equal(HttpStatusCode.NotFound, (await vault.SendAsync("GET", path)).Status);

        Assert.Equal(204, (await vault.SendAsync("POST", path, new
        {
            role_type = "jwt", user_claim = "sub", bound_claims = new { def_id = new[] { "7", "8" } }, policies = "a,b", ttl = "10m",
        })).Code);
        // An update changes only what it names.
        var updated = await vault.SendAsync("POST", path, new { token_max_ttl = "1h" });
        Assert.True(updated.Code == 204, updated.Text);
        JsonNode role = (await vault.SendAsync("GET", path)).Data!;
        Assert.Equal("jwt", role["role_type"]!.GetValue<string>());
        Assert.Equal(["7", "8"], role["bound_claims"]!["def_id"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["a", "b"], role["token_policies"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(600, role["token_ttl"]!.GetValue<long>());
        Assert.Equal(3600, role["token_max_ttl"]!.GetValue<long>());
        Assert.Equal(60, role["clock_skew_leeway"]!.GetValue<long>());
        Assert.Equal(150, role["expiration_leeway"]!.GetValue<long>());
        Assert.Equal("string", role["bound_claims_type"]!.GetValue<string>());
        Assert.Contains("x", (await vault.SendAsync("LIST", $"auth/{mount}/role")).Data!["keys"]!.AsArray().Select(k => k!.GetValue<string>()));
    }

    [Fact]
    public async Task Login_checks_come_in_Vaults_order_with_its_words()
    {
        string mount = await MountWithRoleAsync(With(BaseRole, new { bound_subject = "svc:deploy" }));
        string path = $"auth/{mount}/login";
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims())).Status);

        Refused(await vault.SendAsync("POST", path, new { jwt = vault.Key.Sign(Claims()) }, root: false), "missing role");
        Refused(await vault.SendAsync("POST", path, new { role = "nope", jwt = "x" }, root: false), "role \"nope\" could not be found");
        Refused(await vault.SendAsync("POST", path, new { role = "r" }, root: false), "missing token");
        Assert.StartsWith("error validating token: error verifying token signature: ",
            (await vault.SendAsync("POST", path, new { role = "r", jwt = "not.a.jwt" }, root: false)).Errors.Single());
        Refused(await LoginAsync(mount, Claims(), key: vault.OtherKey), "error validating token: error verifying token signature: no known key successfully validated the token signature");
        Refused(await LoginAsync(mount, Claims(c => c["iss"] = "https://elsewhere")), "error validating token: invalid issuer (iss) claim");
        Refused(await LoginAsync(mount, Claims(c => c["sub"] = "svc:other")), "error validating token: invalid subject (sub) claim");
        Refused(await LoginAsync(mount, Claims(c => c["aud"] = new JsonArray("a", "b"))), "error validating token: invalid audience (aud) claim: audience claim does not match any expected audience");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims(c => c["aud"] = new JsonArray("a", "vault")))).Status);

        // A role of type oidc (the default) cannot take a JWT login.
        Assert.Equal(204, (await vault.SendAsync("POST", $"auth/{mount}/role/browser", new { user_claim = "sub", allowed_redirect_uris = "http://localhost:8250/oidc/callback" })).Code);
        Refused(await LoginAsync(mount, Claims(), role: "browser"), "role with oidc role_type is not allowed");
    }

    [Fact]
    public async Task Default_role_no_config_and_claim_mappings()
    {
        string unconfigured = SandboxFixture.Unique("jwt");
        Assert.Equal(204, (await vault.SendAsync("POST", $"sys/auth/{unconfigured}", new { type = "jwt" })).Code);
        Refused(await vault.SendAsync("POST", $"auth/{unconfigured}/login", new { role = "r", jwt = "x" }, root: false), "could not load configuration");

        string mount = await MountWithRoleAsync(With(BaseRole, new { claim_mappings = new { def_id = "definition" } }),
            new { jwt_validation_pubkeys = vault.Key.PublicKeyPem(), default_role = "r" });
        var login = await vault.SendAsync("POST", $"auth/{mount}/login", new { jwt = vault.Key.Sign(Claims()) }, root: false);
        Assert.True(login.Status == HttpStatusCode.OK, login.Text);
        Assert.Equal("7", login.Json!["auth"]!["metadata"]!["definition"]!.GetValue<string>());
        Assert.Equal("r", login.Json!["auth"]!["metadata"]!["role"]!.GetValue<string>());
        Refused(await vault.SendAsync("POST", $"auth/{mount}/role/y", new { role_type = "jwt", user_claim = "sub", bound_subject = "s", claim_mappings = new { sub = "role" } }),
            "metadata key \"role\" is reserved and may not be a mapping destination");
    }

    [Fact]
    public async Task An_audience_in_the_token_needs_a_bound_audience_on_the_role()
    {
        string mount = await MountWithRoleAsync(new { role_type = "jwt", user_claim = "sub", bound_subject = "svc:deploy" });
        Refused(await LoginAsync(mount, Claims()), "audience claim found in JWT but no audiences bound to the role");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims(c => c.Remove("aud")))).Status);
    }

    [Fact]
    public async Task Bound_claims_keep_types_take_any_of_a_list_and_glob_when_asked()
    {
        string exact = await MountWithRoleAsync(With(BaseRole, new { bound_claims = new { def_id = new[] { "6", "7" }, groups = "dba", @ref = "refs/heads/main" } }));
        Refused(await LoginAsync(exact, Claims()), "error validating claims: claim \"ref\" does not match any associated bound claim values");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(exact, Claims(c => c["ref"] = "refs/heads/main"))).Status);
        Refused(await LoginAsync(exact, Claims(c => { c["ref"] = "refs/heads/main"; c.Remove("groups"); })), "error validating claims: claim \"groups\" is missing");

        // Azure DevOps sends def_id as a string: a number in bound_claims never matches it.
        string typed = await MountWithRoleAsync(With(BaseRole, new { bound_claims = new { def_id = 7 } }));
        Refused(await LoginAsync(typed, Claims()), "error validating claims: claim \"def_id\" does not match any associated bound claim values");

        string glob = await MountWithRoleAsync(With(BaseRole, new { bound_claims_type = "glob", bound_claims = new { @ref = "refs/heads/release/*" } }));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(glob, Claims())).Status);
        Refused(await LoginAsync(glob, Claims(c => c["ref"] = "refs/heads/main")), "error validating claims: claim \"ref\" does not match any associated bound claim values");

        string pointer = await MountWithRoleAsync(With(BaseRole, new { bound_claims = new JsonObject { ["/nested/team"] = "db" } }));
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(pointer, Claims())).Status);
        Refused(await LoginAsync(pointer, Claims(c => c["nested"] = new JsonObject { ["team"] = "web" })), "error validating claims: claim \"/nested/team\" does not match any associated bound claim values");
    }

    [Fact]
    public async Task User_claim_must_be_a_string_claim()
    {
        string mount = await MountWithRoleAsync(new { role_type = "jwt", user_claim = "email", bound_audiences = "vault" });
        Refused(await LoginAsync(mount, Claims()), "claim \"email\" not found in token");
        Refused(await LoginAsync(mount, Claims(c => c["email"] = 42)), "claim \"email\" could not be converted to string");
        var ok = await LoginAsync(mount, Claims(c => c["email"] = "ci@example.com"));
        Assert.True(ok.Status == HttpStatusCode.OK, ok.Text);
    }

    [Fact]
    public async Task Time_claims_are_checked_with_the_roles_leeways_on_the_doubles_clock()
    {
        string mount = await MountWithRoleAsync(BaseRole);
        long now = vault.Now;
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims(c => c["exp"] = now - 59))).Status);          // 60 s clock skew
        Refused(await LoginAsync(mount, Claims(c => c["exp"] = now - 61)), "error validating token: invalid expiration time (exp) claim: token is expired");
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims(c => { c["nbf"] = now + 59; c["iat"] = now; }))).Status);
        Refused(await LoginAsync(mount, Claims(c => c["nbf"] = now + 61)), "error validating token: invalid not before (nbf) claim: token not yet valid");
        Refused(await LoginAsync(mount, Claims(c => c["iat"] = now + 61)), "error validating token: invalid issued at (iat) claim: token issued in the future");
        // Without exp, it is iat + expiration_leeway (150 s), then the skew.
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(mount, Claims(c => { c.Remove("exp"); c.Remove("nbf"); c["iat"] = now - 200; }))).Status);
        Refused(await LoginAsync(mount, Claims(c => { c.Remove("exp"); c.Remove("nbf"); c["iat"] = now - 220; })), "error validating token: invalid expiration time (exp) claim: token is expired");
        Refused(await LoginAsync(mount, Claims(c => { c.Remove("exp"); c.Remove("nbf"); c.Remove("iat"); })), "error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token");

        Assert.Equal(204, (await vault.SendAsync("POST", $"auth/{mount}/role/strict", With(BaseRole, new { clock_skew_leeway = -1 }))).Code);
        Refused(await LoginAsync(mount, Claims(c => c["exp"] = now - 1), role: "strict"), "error validating token: invalid expiration time (exp) claim: token is expired");

        // The issued token expires on the double's clock too.
        string token = (await LoginAsync(mount, Claims())).Json!["auth"]!["client_token"]!.GetValue<string>();
        vault.Clock.Now += TimeSpan.FromDays(40);
        try { Assert.Null(vault.Vault.Tokens.Lookup(token)); }
        finally { vault.Clock.Now -= TimeSpan.FromDays(40); }
    }
}
