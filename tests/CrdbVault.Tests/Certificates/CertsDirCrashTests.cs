using CrdbVault.Core.Certificates;
using CrdbVault.Core.Files;
using CrdbVault.Core.Settings;
using CrdbVault.Core.Vault;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Certificates;

/// <summary>
/// A client certificate set (ca.crt, client.&lt;user&gt;.key, .key.pk8, .crt) or a node set (ca.crt, node.key, node.crt) in a certs dir, written by
/// one rename per file; the writer's fault hook "kills the process" after every step. The set on
/// disk must then be the old one, the new one, or a mix the next run reports; no file that existed
/// may go missing; temporaries holding the key are removed by the next run.
/// </summary>
[Collection("sandbox")]
public sealed class CertsDirCrashTests : IDisposable
{
    private readonly SandboxFixture _sandbox;
    private readonly string _mount = SandboxFixture.Unique("pki");
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-crash-").FullName;
    private readonly VaultClient _client;
    private readonly PkiEngine _engine;
    private readonly CertsDirectory _certs;

    public CertsDirCrashTests(SandboxFixture sandbox)
    {
        _sandbox = sandbox;
        sandbox.World.Vault.EnableSecretsEngine(_mount, "pki");
        Assert.Equal(200, sandbox.RootAsync("POST", $"{_mount}/root/generate/internal", new { common_name = "Crash CA", key_type = "ec", key_bits = 256 }).Result.Code);
        Assert.True(sandbox.RootAsync("POST", $"{_mount}/roles/client", CockroachPkiRoles.ClientRole(TimeSpan.FromHours(1), TimeSpan.FromHours(2), "ec", 256, false)).Result.Code is 200 or 204);
        Assert.True(sandbox.RootAsync("POST", $"{_mount}/roles/node", CockroachPkiRoles.NodeRole(TimeSpan.FromHours(1), TimeSpan.FromHours(2), "ec", 256)).Result.Code is 200 or 204);
        _client = new VaultClient(new VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress), MaxAttempts = 1 }, new Token(sandbox.World.RootToken));
        _engine = new PkiEngine(_client, _mount);
        _certs = new CertsDirectory(_dir);
    }

    public void Dispose()
    {
        InternalHooks.AfterFileStep.Value = null;
        _client.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class Token(string token) : IVaultTokenSource
    {
        public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult<string?>(token);
    }

    private sealed class ProcessDied : Exception;

    private IssueResult Issue(bool force) =>
        CertificateIssuance.IssueClientAsync(_engine, "client", "alice", null, _certs, pkcs8: true, force, null, null, CancellationToken.None).GetAwaiter().GetResult();

    private void CrashAfterStep(int step)
    {
        int seen = 0;
        InternalHooks.AfterFileStep.Value = _ => { if (++seen == step) throw new ProcessDied(); };
    }

    private IssueResult IssueNode(bool force) =>
        CertificateIssuance.IssueNodeAsync(_engine, "node", ["localhost", "127.0.0.1"], null, _certs, force, null, CancellationToken.None).GetAwaiter().GetResult();

    private string? Thumbprint() => ThumbprintOf(_certs.ClientCertPath("alice"));

    private static string? ThumbprintOf(string certPath) => File.Exists(certPath)
        ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certPath)).Thumbprint
        : null;

    private string[] Temporaries() => Directory.GetFiles(_dir, ".*.tmp");

    // ca.crt, key, pk8, cert: four temporaries (steps 1-4), then four renames (steps 5-8).
    public static TheoryData<int> FirstSetSteps => new() { 1, 2, 3, 4, 5, 6, 7, 8 };

    // Same CA already in ca.crt: key, pk8, cert: steps 1-3 temporaries, 4-6 renames.
    public static TheoryData<int> ReplaceSteps => new() { 1, 2, 3, 4, 5, 6 };

    // A node set: ca.crt, node.key, node.crt: three temporaries (steps 1-3), then three renames (4-6).
    public static TheoryData<int> NodeFirstSetSteps => new() { 1, 2, 3, 4, 5, 6 };

    // Same CA already in ca.crt: node.key, node.crt: steps 1-2 temporaries, 3-4 renames.
    public static TheoryData<int> NodeReplaceSteps => new() { 1, 2, 3, 4 };

    [Theory]
    [MemberData(nameof(FirstSetSteps))]
    public void A_first_set_killed_after_any_step_is_complete_absent_or_reported(int step)
    {
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => Issue(force: false));
        InternalHooks.AfterFileStep.Value = null;

        IReadOnlyList<string> problems = _certs.CheckClientSet("alice");
        if (problems.Count > 0)
        {
            var next = Assert.Throws<CertificateSetInconsistentException>(() => Issue(force: false));
            Assert.Contains("-Force", next.Message);
            Assert.Contains(problems[0], next.Message);
        }
        else
        {
            Assert.True(step == 8 || !File.Exists(_certs.ClientKeyPath("alice")), $"after step {step}: {string.Join("; ", problems)}");
        }
        Issue(force: true);
        Assert.Empty(Temporaries());
        Assert.Empty(_certs.CheckClientSet("alice"));
    }

    [Theory]
    [MemberData(nameof(ReplaceSteps))]
    public void Replacing_a_set_killed_after_any_step_loses_no_file_and_a_mix_is_reported(int step)
    {
        Issue(force: false);
        string? old = Thumbprint();
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => Issue(force: true));
        InternalHooks.AfterFileStep.Value = null;

        foreach (string f in new[] { _certs.CaPath, _certs.ClientCertPath("alice"), _certs.ClientKeyPath("alice"), _certs.ClientPkcs8Path("alice") })
            Assert.True(File.Exists(f), $"{Path.GetFileName(f)} went missing after step {step}");
        IReadOnlyList<string> problems = _certs.CheckClientSet("alice");
        if (problems.Count == 0)
        {
            Assert.True(step == 6 ? Thumbprint() != old : Thumbprint() == old, $"after step {step} the set should be the {(step == 6 ? "new" : "old")} one");
        }
        else
        {
            var next = Assert.Throws<CertificateSetInconsistentException>(() => Issue(force: false));
            Assert.Contains("client.alice", next.Message);
        }
        Issue(force: true);
        Assert.Empty(Temporaries());
        Assert.Empty(_certs.CheckClientSet("alice"));
    }

    [Theory]
    [MemberData(nameof(NodeFirstSetSteps))]
    public void A_first_node_set_killed_after_any_step_is_complete_absent_or_reported(int step)
    {
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => IssueNode(force: false));
        InternalHooks.AfterFileStep.Value = null;

        IReadOnlyList<string> problems = _certs.CheckNodeSet();
        if (problems.Count > 0)
        {
            var next = Assert.Throws<CertificateSetInconsistentException>(() => IssueNode(force: false));
            Assert.Contains("-Force", next.Message);
            Assert.Contains(problems[0], next.Message);
        }
        else
        {
            Assert.True(step == 6 || !File.Exists(_certs.NodeKeyPath), $"after step {step}: {string.Join("; ", problems)}");
        }
        IssueNode(force: true);
        Assert.Empty(Temporaries());
        Assert.Empty(_certs.CheckNodeSet());
    }

    [Theory]
    [MemberData(nameof(NodeReplaceSteps))]
    public void Replacing_a_node_set_killed_after_any_step_loses_no_file_and_a_mix_is_reported(int step)
    {
        IssueNode(force: false);
        string? old = ThumbprintOf(_certs.NodeCertPath);
        CrashAfterStep(step);
        Assert.Throws<ProcessDied>(() => IssueNode(force: true));
        InternalHooks.AfterFileStep.Value = null;

        foreach (string f in new[] { _certs.CaPath, _certs.NodeCertPath, _certs.NodeKeyPath })
            Assert.True(File.Exists(f), $"{Path.GetFileName(f)} went missing after step {step}");
        IReadOnlyList<string> problems = _certs.CheckNodeSet();
        if (problems.Count == 0)
        {
            Assert.True(step == 4 ? ThumbprintOf(_certs.NodeCertPath) != old : ThumbprintOf(_certs.NodeCertPath) == old,
                $"after step {step} the set should be the {(step == 4 ? "new" : "old")} one");
        }
        else
        {
            var next = Assert.Throws<CertificateSetInconsistentException>(() => IssueNode(force: false));
            Assert.Contains("node", next.Message);
        }
        IssueNode(force: true);
        Assert.Empty(Temporaries());
        Assert.Empty(_certs.CheckNodeSet());
    }
}
