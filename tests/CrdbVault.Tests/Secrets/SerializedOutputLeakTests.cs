using System.Management.Automation;
using System.Text;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Secrets;

/// <summary>
/// Every output type the module declares, made by its cmdlets against the sandbox, then handled the
/// way users keep objects around: ConvertTo-Json, Export-Clixml, Select-Object *, and a transcript of
/// the default and list views. No password, private key, token, API key, provider credential or store
/// key may appear in any of them, in any encoding a reader could undo (text, Base64, hex of UTF-8 or
/// UTF-16 — the last is how CliXml writes a SecureString where no DPAPI exists, i.e. Linux and macOS).
/// </summary>
[Collection("sandbox")]
public sealed class SerializedOutputLeakTests(SandboxFixture sandbox) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-leak-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Makes one object of every output type; returns the session and the secrets in play.</summary>
    private (PowerShellSession Session, Dictionary<string, string> Secrets) MakeEveryOutput()
    {
        string clusterId = Guid.NewGuid().ToString();
        sandbox.World.Cloud.AddCluster(clusterId, "leak", "AWS", "ADVANCED", "us-east-1");
        var session = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["RootToken"] = sandbox.World.RootToken,
            ["SqlHost"] = sandbox.World.Postgres.Host,
            ["SqlPort"] = sandbox.World.Postgres.Port,
            ["SqlCa"] = sandbox.World.Postgres.CaCertificatePath,
            ["SqlAdmin"] = sandbox.World.Postgres.AdminUser,
            ["SqlAdminPassword"] = sandbox.World.Postgres.AdminPassword,
            ["CloudServer"] = sandbox.World.CloudAddress,
            ["CloudApiKey"] = sandbox.World.CloudApiKey,
            ["ClusterId"] = clusterId,
            ["Dir"] = _dir,
            ["Db"] = SandboxFixture.Unique("leakdb"),
            ["Pki"] = SandboxFixture.Unique("leakpki"),
            ["Transit"] = SandboxFixture.Unique("leaktransit"),
            ["Keymgmt"] = SandboxFixture.Unique("leakkeymgmt"),
            ["ProviderSecret"] = "aws-secret-" + Guid.NewGuid().ToString("N"),
            ["StaticUser"] = SandboxFixture.Unique("leak_static"),
            ["JwtMount"] = SandboxFixture.Unique("leak-jwt"),
        });
        using (var conn = new Npgsql.NpgsqlConnection(sandbox.World.Postgres.AdminConnectionString))
        {
            conn.Open();
            using var create = new Npgsql.NpgsqlCommand($"CREATE ROLE {session.GetVariable("StaticUser")} LOGIN PASSWORD 'initial-{Guid.NewGuid():n}'", conn);
            create.ExecuteNonQuery();
        }
        sandbox.RootAsync("POST", $"sys/mounts/{session.GetVariable("Transit")}", new { type = "transit" }).GetAwaiter().GetResult();
        sandbox.RootAsync("POST", $"sys/mounts/{session.GetVariable("Keymgmt")}", new { type = "keymgmt" }).GetAwaiter().GetResult();
        session.Run("""
            $ErrorActionPreference = 'Stop'
            $out = [ordered]@{}
            $token = ConvertTo-SecureString $RootToken -AsPlainText -Force
            $out['VaultConnection'] = Connect-CrdbVault -Address $VaultAddress -Token $token
            $admin = [pscredential]::new($SqlAdmin, (ConvertTo-SecureString $SqlAdminPassword -AsPlainText -Force))
            $out['VaultDatabaseConnection'] = Initialize-CrdbVaultDatabase -Name pg -MountPath $Db -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue
            $out['VaultDatabaseRole'] = Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Db -Grant 'CONNECT ON DATABASE postgres' -WarningAction SilentlyContinue
            $cred = New-CrdbDynamicCredential -Role app -MountPath $Db
            $out['DynamicCredential'] = $cred
            $out['VaultLease'] = $cred | Get-CrdbLease
            $out['ConnectionTestResult'] = $cred | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa
            $out['String'] = $cred | Get-CrdbConnectionString -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa -WarningAction SilentlyContinue
            $out['CertificateAuthority'] = Initialize-CrdbCertificateAuthority -MountPath $Pki -CommonName 'Leak CA' -KeyType ec -KeyBits 256
            $out['ClientCertificate'] = New-CrdbClientCert -MountPath $Pki -User leak_user
            $out['NodeCertificate'] = New-CrdbNodeCert -MountPath $Pki -Hosts db1.internal
            $out['CloudConnection'] = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey (ConvertTo-SecureString $CloudApiKey -AsPlainText -Force)
            $out['ClientCaCertStatus'] = $out['CertificateAuthority'] | Set-CrdbClientCaCert -ClusterId $ClusterId
            $aws = [pscredential]::new('AKIAIOSFODNN7EXAMPLE', (ConvertTo-SecureString $ProviderSecret -AsPlainText -Force))
            $out['CmekKeySpec'] = New-CrdbCmekKey -MountPath $Keymgmt -Name leak -Provider awskms -KmsName aws -KeyCollection us-east-1 -AwsAccountId 111122223333 -AuthPrincipal 'arn:aws:iam::111122223333:role/crdb-cmek' -ProviderCredential $aws
            $out['CmekStatus'] = $out['CmekKeySpec'] | Set-CrdbCmek -ClusterId $ClusterId
            $out['CertificateIssuerPolicy'] = Set-CrdbCertificateIssuerPolicy -Name leak-issuer -User leak_user -MountPath $Pki
            $out['VaultStaticRole'] = Set-CrdbVaultStaticRole -Name leak-static -ConnectionName pg -MountPath $Db -UserName $StaticUser -RotationPeriod 1h -Confirm:$false
            $out['StaticCredential'] = Get-CrdbStaticCredential -Role leak-static -MountPath $Db
            $out['StoreKey'] = New-CrdbStoreKey -Path (Join-Path $Dir 'store.key') -MountPath $Transit
            $out['VaultJwtAuthRole'] = Initialize-CrdbVaultJwtAuth -Name leak -Policy default -GitHubRepository crdbvault/leak -AuthMount $JwtMount
            """).AssertSuccess();

        string Reveal(string expression) => (string)session.Run(expression).AssertSuccess().Output.Single().BaseObject;
        byte[] storeKey = File.ReadAllBytes(Path.Combine(_dir, "store.key"))[32..];
        var secrets = new Dictionary<string, string>
        {
            ["Vault root token"] = sandbox.World.RootToken,
            ["PostgreSQL admin password"] = sandbox.World.Postgres.AdminPassword,
            ["dynamic credential password"] = Reveal("$cred.Credential.GetNetworkCredential().Password"),
            ["static credential password"] = Reveal("$out['StaticCredential'].Credential.GetNetworkCredential().Password"),
            ["client certificate key"] = KeyBody(Reveal("[System.Net.NetworkCredential]::new('', $out['ClientCertificate'].PrivateKey).Password")),
            ["node certificate key"] = KeyBody(Reveal("[System.Net.NetworkCredential]::new('', $out['NodeCertificate'].PrivateKey).Password")),
            ["Cloud API key"] = sandbox.World.CloudApiKey,
            ["KMS provider secret"] = (string)session.GetVariable("ProviderSecret")!,
            ["store key (base64)"] = Convert.ToBase64String(storeKey),
            ["store key (hex)"] = Convert.ToHexString(storeKey),
        };
        return (session, secrets);
    }

    /// <summary>The base64 body of a PEM key (its first line is enough to recognise it).</summary>
    private static string KeyBody(string pem) => pem.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1];

    /// <summary>The forms a secret can take in a file a user keeps.</summary>
    private static IEnumerable<string> Encodings(string secret)
    {
        yield return secret;
        yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        yield return Convert.ToHexString(Encoding.UTF8.GetBytes(secret));
        yield return Convert.ToHexString(Encoding.Unicode.GetBytes(secret));   // CliXml's <SS> without DPAPI
        yield return Convert.ToHexString(Encoding.Unicode.GetBytes(secret[..Math.Min(12, secret.Length)]));
    }

    [Fact]
    public void Json_CliXml_SelectObject_and_transcripts_of_every_output_type_hold_no_secret()
    {
        (PowerShellSession session, Dictionary<string, string> secrets) = MakeEveryOutput();
        using (session)
        {
            // Every type the module declares is among the objects made above.
            var declared = session.Run("Get-Command -Module CrdbVault | ForEach-Object OutputType | ForEach-Object Name | Sort-Object -Unique")
                .AssertSuccess().Output.Select(o => o.ToString())
                .Where(n => n != "System.Void" && n != "System.Object") // Object: Use-CrdbDynamicCredential writes what its block writes
                .ToList();
            var made = session.Run("$out.Values | ForEach-Object { $_.GetType().FullName }").AssertSuccess().Output.Select(o => o.ToString()).ToHashSet();
            Assert.All(declared, type => Assert.Contains(type, made));

            var leaks = new List<string>();
            foreach (string name in session.Run("$out.Keys").AssertSuccess().Output.Select(o => o.ToString()))
            {
                session.SetVariable("Name", name);
                session.SetVariable("Base", Path.Combine(_dir, name));
                ScriptResult r = session.Run("""
                    $o = $out[$Name]
                    $o | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue | Set-Content "$Base.json"
                    $o | Export-Clixml -Path "$Base.clixml" -Depth 3
                    $o | Select-Object * | Out-String -Width 300 | Set-Content "$Base.select.txt"
                    $null = Start-Transcript -Path "$Base.transcript.txt"
                    try { $o | Out-Host; $o | Format-List * | Out-Host; "$o" | Out-Host }
                    finally { $null = Stop-Transcript }
                    """);
                r.AssertSuccess();
                // The files hold the object (a check that finds no secret in an empty file proves nothing).
                string shown = session.Run("\"$($out[$Name])\"").AssertSuccess().Output.Single().ToString();
                Assert.Contains(shown, File.ReadAllText(Path.Combine(_dir, name + ".transcript.txt")));
                Assert.Contains("<Obj", File.ReadAllText(Path.Combine(_dir, name + ".clixml")));
                foreach (string file in new[] { ".json", ".clixml", ".select.txt", ".transcript.txt" }.Select(ext => Path.Combine(_dir, name + ext)))
                {
                    Assert.True(File.Exists(file), $"{file} was not written");
                    string text = File.ReadAllText(file);
                    foreach ((string what, string secret) in secrets)
                        if (Encodings(secret).Any(form => text.Contains(form, StringComparison.OrdinalIgnoreCase)))
                            leaks.Add($"{name}{Path.GetExtension(file)}: {what}");
                }
            }
            Assert.True(leaks.Count == 0, "Secrets in serialized output:\n  " + string.Join("\n  ", leaks));
        }
    }
}
