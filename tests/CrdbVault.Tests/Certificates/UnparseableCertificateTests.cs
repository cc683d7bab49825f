using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;
using CrdbVault.Core.Certificates;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// Vault issued a certificate, but the answer cannot be parsed (here a network device mangles the
/// certificate PEM on the way): the certificate is valid at Vault and its key was handed out, so it
/// must be revoked — with <c>pki/revoke-with-key</c>, which an issuer may call (it proves possession
/// of the key), where <c>pki/revoke</c> would need rights over every serial.
/// </summary>
[Collection("sandbox")]
public sealed class UnparseableCertificateTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly string _mount = SandboxFixture.Unique("pki");
    private readonly VaultClient _client;
    private readonly ManglingHandler _mangler;
    private readonly string _issuer;

    public UnparseableCertificateTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        sandbox.World.Vault.EnableSecretsEngine(_mount, "pki");
        Assert.Equal(200, sandbox.RootAsync("POST", $"{_mount}/root/generate/internal", new { common_name = "Mangled CA", key_type = "ec", key_bits = 256 }).Result.Code);
        Assert.True(sandbox.RootAsync("POST", $"{_mount}/roles/client", CockroachPkiRoles.ClientRole(TimeSpan.FromHours(1), TimeSpan.FromHours(2), "ec", 256, false)).Result.Code is 200 or 204);
        // Only what the module writes for issuers: no pki/revoke.
        sandbox.World.Vault.WritePolicy(_mount + "-issuer", CockroachPkiRoles.IssuerPolicy(_mount, "client"));
        string issuer = _issuer = sandbox.World.Vault.CreateToken([_mount + "-issuer"]).Id;
        _mangler = new ManglingHandler($"/v1/{_mount}/issue/client");
        using (InternalHooks.UseHttpHandler(_mangler))
            _client = new VaultClient(new VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress), MaxAttempts = 1 }, new Token(issuer));
    }

    public void Dispose()
    {
        _client.Dispose();
        _mangler.Dispose();
    }

    private sealed class Token(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    /// <summary>Passes everything to the double but corrupts the certificate in issue answers (remembering the serial).</summary>
    private sealed class ManglingHandler(string issuePath) : DelegatingHandler(new SocketsHttpHandler())
    {
        public string? Serial { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            HttpResponseMessage response = await base.SendAsync(request, ct);
            if (request.RequestUri!.AbsolutePath != issuePath || !response.IsSuccessStatusCode) return response;
            JsonObject json = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!.AsObject();
            Serial = json["data"]!["serial_number"]!.GetValue<string>();
            json["data"]!["certificate"] = "-----BEGIN CERTIFICATE-----\nMIIBmangled\n-----END CERTIFICATE-----";
            response.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
            return response;
        }
    }

    [Fact]
    public async Task An_issued_certificate_that_cannot_be_parsed_is_revoked_with_its_key()
    {
        var engine = new PkiEngine(_client, _mount);
        CaInfo ca = (await engine.ReadCaAsync(CancellationToken.None))!;

        var ex = await Assert.ThrowsAsync<CertificateRejectedException>(() =>
            CertificateIssuance.IssueClientAsync(engine, "client", "alice", null, null, false, false, ca, null, CancellationToken.None));

        Assert.NotNull(_mangler.Serial);
        Assert.Contains(_mangler.Serial!, ex.Message);
        Assert.Contains("was revoked", ex.Message);
        VaultHttpResult cert = await _sandbox.RootAsync("GET", $"{_mount}/cert/{_mangler.Serial}");
        Assert.True(cert.Data!["revocation_time"]!.GetValue<long>() > 0, "the unparseable certificate is still valid at Vault");
        Assert.Contains(_sandbox.World.Vault.RequestLog.Snapshot(), r => r.Path == $"{_mount}/revoke-with-key" && r.Status == 200);
    }

    [Fact]
    public async Task New_CrdbClientCert_revokes_a_certificate_it_cannot_parse_and_writes_nothing()
    {
        // The same mangling, done by the double after issuing (the module runs in its own load
        // context, so the test's HTTP hook cannot reach it): the user's session with an issuer token.
        string? serial = null;
        Fault mangle = _sandbox.World.Options.Faults.Add(new Fault
        {
            PathPrefix = $"{_mount}/issue/client", AfterExecution = true,
            TransformBody = body =>
            {
                JsonObject json = JsonNode.Parse(body)!.AsObject();
                serial = json["data"]!["serial_number"]!.GetValue<string>();
                json["data"]!["certificate"] = "-----BEGIN CERTIFICATE-----\nMIIBmangled\n-----END CERTIFICATE-----";
                return json.ToJsonString();
            },
        });
        string dir = Directory.CreateTempSubdirectory("crdbvault-mangled-").FullName;
        try
        {
            using var ps = new PowerShellSession(new Dictionary<string, object?>
            {
                ["VaultAddress"] = _sandbox.World.VaultAddress, ["Issuer"] = _issuer, ["Mount"] = _mount, ["Dir"] = dir,
            });
            ErrorRecord e = ps.Run("""
                $i = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $Issuer).SecurePassword) -NoDefault
                New-CrdbClientCert -MountPath $Mount -User alice -CertsDir $Dir -Vault $i
                """).SingleError();

            Assert.Equal(1, mangle.Hits);
            Assert.NotNull(serial);
            Assert.StartsWith("CertificateRejected", e.FullyQualifiedErrorId);
            Assert.Contains(serial!, e.Exception.Message);
            Assert.Contains("was revoked", e.Exception.Message);
            VaultHttpResult cert = await _sandbox.RootAsync("GET", $"{_mount}/cert/{serial}");
            Assert.True(cert.Data!["revocation_time"]!.GetValue<long>() > 0, "the unparseable certificate is still valid at Vault");
            Assert.Contains(_sandbox.World.Vault.RequestLog.Snapshot(), r => r.Path == $"{_mount}/revoke-with-key" && r.Status == 200);
            Assert.Empty(Directory.GetFiles(dir, "client.alice*"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Revoke_with_key_needs_the_certificates_own_key()
    {
        var a = await _sandbox.RootAsync("POST", $"{_mount}/issue/client", new { common_name = "alice" });
        var b = await _sandbox.RootAsync("POST", $"{_mount}/issue/client", new { common_name = "bob" });
        string serialA = a.Data!["serial_number"]!.GetValue<string>();
        string keyB = b.Data!["private_key"]!.GetValue<string>();

        var wrongKey = await _sandbox.RootAsync("POST", $"{_mount}/revoke-with-key", new { serial_number = serialA, private_key = keyB });
        Assert.Equal(400, wrongKey.Code);
        Assert.Contains(wrongKey.Errors, e => e.Contains("private key does not match"));
        Assert.Equal(0, (await _sandbox.RootAsync("GET", $"{_mount}/cert/{serialA}")).Data!["revocation_time"]!.GetValue<long>());

        var noKey = await _sandbox.RootAsync("POST", $"{_mount}/revoke-with-key", new { serial_number = serialA });
        Assert.Equal(400, noKey.Code);

        var right = await _sandbox.RootAsync("POST", $"{_mount}/revoke-with-key", new { serial_number = serialA, private_key = a.Data!["private_key"]!.GetValue<string>() });
        Assert.Equal(200, right.Code);
        Assert.True((await _sandbox.RootAsync("GET", $"{_mount}/cert/{serialA}")).Data!["revocation_time"]!.GetValue<long>() > 0);
    }
}
