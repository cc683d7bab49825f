using CrdbVault.Sandbox;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Long jobs against the sandbox with real, short TTLs: an idle session stays logged in, a credential shows when its
/// token ends, and Use-CrdbDynamicCredential leaves no SQL user behind however its block ends. Every wait is for a
/// state (a property changing, a user gone), bounded generously; nothing asserts how long anything took.
/// </summary>
[Collection("sandbox")]
public sealed class LongJobTests : CredentialTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public LongJobTests(SandboxFixture sandbox) : base(sandbox)
    {
        InitializeDatabase();
        Group = SandboxFixture.Unique("app_rw");
        Session.SetVariable("Group", Group);
        ExecSqlAsync($"CREATE ROLE {Group}; GRANT CONNECT ON DATABASE postgres TO {Group};").GetAwaiter().GetResult();
        Session.Run("""
            Set-CrdbVaultRole -Name app -ConnectionName pg -MountPath $Mount -GrantRole $Group -DefaultTtl '1h' -MaxTtl '24h' | Out-Null
            Set-CrdbVaultRole -Name brief -ConnectionName pg -MountPath $Mount -GrantRole $Group -DefaultTtl 3 -MaxTtl '1h' | Out-Null
            """).AssertSuccess();
    }

    private string Group { get; }

    /// <summary>An AppRole whose tokens have the given TTLs, logged in as $v (not the session default).</summary>
    private async Task ConnectAppRoleAsync(object tokenSettings)
    {
        string auth = SandboxFixture.Unique("approle");
        string policy = SandboxFixture.Unique("longjob");
        Assert.Equal(204, (await Sandbox.RootAsync("POST", $"sys/auth/{auth}", new { type = "approle" })).Code);
        Assert.True((await Sandbox.RootAsync("POST", $"sys/policies/acl/{policy}", new
        {
            policy = $"path \"{Mount}/creds/*\" {{ capabilities = [\"read\"] }}\npath \"sys/leases/*\" {{ capabilities = [\"update\"] }}\n",
        })).Code is 200 or 204);
        var role = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(tokenSettings))!.AsObject();
        role["token_policies"] = policy;
        Assert.True((await Sandbox.RootAsync("POST", $"auth/{auth}/role/job", role)).Code is 200 or 204);
        string roleId = (await Sandbox.RootAsync("GET", $"auth/{auth}/role/job/role-id")).Data!["role_id"]!.GetValue<string>();
        string secretId = (await Sandbox.RootAsync("POST", $"auth/{auth}/role/job/secret-id")).Data!["secret_id"]!.GetValue<string>();
        Session.SetVariable("RoleId", roleId);
        Session.SetVariable("SecretIdText", secretId);
        Session.SetVariable("AuthMount", auth);
        Session.Run("""
            $v = Connect-CrdbVault -Address $VaultAddress -RoleId $RoleId -SecretId ([System.Net.NetworkCredential]::new('', $SecretIdText).SecurePassword) -AuthMount $AuthMount -NoDefault
            """).AssertSuccess();
    }

    private T Read<T>(string expression) => (T)Session.Run(expression).AssertSuccess().Output[0].BaseObject;

    private Task<bool> Eventually(Func<bool> condition) => SandboxFixture.EventuallyAsync(() => Task.FromResult(condition()), Patience);

    [Fact]
    public async Task An_idle_job_stays_logged_in_and_a_credential_shows_when_its_token_ends()
    {
        // The runbook of the issue, in small: tokens of 3 s, at most 8 s; a credential with a one-hour lease.
        await ConnectAppRoleAsync(new { token_ttl = "3s", token_max_ttl = "8s" });
        string firstAccessor = Read<string>("$v.TokenAccessor");
        DateTimeOffset firstExpiry = Read<DateTimeOffset>("$v.ExpiresAt");
        var issued = Session.Run("$cred = New-CrdbDynamicCredential -Role app -MountPath $Mount -Vault $v; $cred").AssertSuccess();
        Assert.Null(((dynamic)issued.Output[0]).TokenExpiresAt); // token_max_ttl does not show in lookup-self
        Assert.Empty(issued.Warnings);

        // No call is made while the job idles: only properties are read. The first renewal comes by itself...
        Assert.True(await Eventually(() => Session.Run("$v.LastRenewal").Output[0] is not null), "no background renewal");
        // ...and a renewal that came back capped reveals the token's end, on the connection and on the credential.
        Assert.True(await Eventually(() => Session.Run("$cred.TokenExpiresAt").Output[0] is not null), "the capped renewal was not noticed");
        DateTimeOffset tokenEnd = Read<DateTimeOffset>("$cred.TokenExpiresAt");
        Assert.Equal(tokenEnd, Read<DateTimeOffset>("$cred.EffectiveExpiresAt"));
        Assert.True(tokenEnd < Read<DateTimeOffset>("$cred.ExpiresAt"));

        // Past the first token's TTL and then its max TTL, the session is still logged in: with a new token.
        Assert.True(await Eventually(() => DateTimeOffset.UtcNow > firstExpiry && Read<string>("$v.TokenAccessor") != firstAccessor), "no new login");
        Assert.True(await Eventually(() => DateTimeOffset.UtcNow > tokenEnd));
        Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount -Vault $v | Revoke-CrdbLease -Vault $v -Sync").AssertSuccess();

        // The first credential died with its token, as TokenExpiresAt said: the ledger reports it gone, not an error.
        Assert.True(await Eventually(() => !Sandbox.PgRoleExistsAsync(Read<string>("$cred.UserName")).GetAwaiter().GetResult()));
        var listed = Session.Run("Get-CrdbLease -Vault $v -Issued | Where-Object LeaseId -eq $cred.LeaseId").AssertSuccess();
        Assert.Equal("AlreadyGone", (string)((dynamic)listed.Output[0]).State);
        Session.Run("Disconnect-CrdbVault -Vault $v").AssertSuccess();
        Assert.False(Read<bool>("$v.RenewsInBackground"));
    }

    [Fact]
    public async Task A_token_with_an_explicit_max_ttl_shows_its_end_at_issue_and_warns_what_to_change()
    {
        await ConnectAppRoleAsync(new { token_ttl = "10s", token_explicit_max_ttl = "25s" });
        var r = Session.Run("New-CrdbDynamicCredential -Role app -MountPath $Mount -Vault $v").AssertSuccess();
        dynamic cred = r.Output[0];
        DateTimeOffset tokenEnd = cred.TokenExpiresAt;
        Assert.True(tokenEnd <= DateTimeOffset.UtcNow.AddSeconds(26));
        Assert.Equal(tokenEnd, (DateTimeOffset)cred.EffectiveExpiresAt);
        string warning = Assert.Single(r.Warnings);
        Assert.Contains("before the lease", warning);
        Assert.Contains("token_max_ttl", warning);
        Assert.Contains("token_period", warning);
        Session.Run("Revoke-CrdbLease -Vault $v -Issued | Out-Null; Disconnect-CrdbVault -Vault $v").AssertSuccess();
    }

    [Fact]
    public async Task Scoped_use_drops_the_user_after_normal_completion_and_the_block_output_is_the_output()
    {
        var r = Session.Run("Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { param($c, $n) $c.UserName; $_.UserName; $n * 2 } -ArgumentList 21")
            .AssertSuccess();
        string user = (string)r.Output[0].BaseObject;
        Assert.Equal(user, (string)r.Output[1].BaseObject);
        Assert.Equal(42, (int)r.Output[2].BaseObject);
        Assert.StartsWith("v-token-app-", user);
        Assert.False(await Sandbox.PgRoleExistsAsync(user)); // revoked with sync before the command returned
        Assert.Equal("Revoked", (string)((dynamic)Session.Run("Get-CrdbLease -Issued").Output.Last()).State);
    }

    [Fact]
    public async Task Scoped_use_drops_the_user_after_an_exception_and_rethrows_it()
    {
        var r = Session.Run("""
            try { Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { $global:scopedUser = $_.UserName; throw 'the work failed' } }
            catch { "caught: $($_.Exception.Message)" }
            $global:scopedUser
            """).AssertSuccess();
        Assert.Equal("caught: the work failed", (string)r.Output[0].BaseObject);
        Assert.False(await Sandbox.PgRoleExistsAsync((string)r.Output[1].BaseObject));
    }

    /// <summary>Every lease this session issued is ended and its SQL user is gone.</summary>
    private async Task AssertNothingLiveAsync(string vault = "")
    {
        var leases = Session.Run($"Get-CrdbLease -Issued {vault}").AssertSuccess().Output;
        Assert.NotEmpty(leases);
        foreach (dynamic lease in leases)
        {
            Assert.NotEqual("Live", (string)lease.State.ToString());
            string user = ((string)lease.IssuedAs).Replace("SQL user ", "", StringComparison.Ordinal);
            Assert.False(await Sandbox.PgRoleExistsAsync(user), $"SQL user {user} is left");
        }
    }

    [Fact]
    public async Task Scoped_use_drops_the_user_when_a_preference_stops_it_before_the_block_runs()
    {
        // The issue's own trace line (GET .../creds/app -> 200) is the first write after the issue: it stops the command.
        var r = Session.Run("""
            & {
                $VerbosePreference = 'Stop'
                try { Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { 'the block ran' } } catch { "caught: $($_.FullyQualifiedErrorId)" }
            }
            """).AssertSuccess();
        Assert.StartsWith("caught: ActionPreferenceStop", (string)r.Output.Last().BaseObject);
        await AssertNothingLiveAsync();
    }

    [Fact]
    public async Task Scoped_use_drops_the_user_when_the_warning_at_issue_stops_it()
    {
        // A token that ends before the lease: the issue warns, and $WarningPreference = 'Stop' turns the warning into a stop.
        await ConnectAppRoleAsync(new { token_ttl = "10s", token_explicit_max_ttl = "25s" });
        var r = Session.Run("""
            & {
                $WarningPreference = 'Stop'
                try { Use-CrdbDynamicCredential -Vault $v -Role app -MountPath $Mount -ScriptBlock { 'the block ran' } } catch { "caught: $($_.FullyQualifiedErrorId)" }
            }
            """).AssertSuccess();
        Assert.StartsWith("caught: ActionPreferenceStop", (string)r.Output.Last().BaseObject);
        await AssertNothingLiveAsync("-Vault $v");
        Session.Run("Disconnect-CrdbVault -Vault $v").AssertSuccess();
    }

    [Fact]
    public async Task Scoped_use_drops_the_user_after_the_pipeline_is_stopped()
    {
        string marker = Path.Combine(Path.GetTempPath(), SandboxFixture.Unique("scoped-user-"));
        Session.SetVariable("Marker", marker);
        try
        {
            var r = Session.Run("""
                Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { [IO.File]::WriteAllText($Marker, $_.UserName); Start-Sleep -Seconds 300 }
                """, stopWhen: () => File.Exists(marker) && new FileInfo(marker).Length > 0);
            Assert.True(r.Stopped);
            string user = File.ReadAllText(marker);
            Assert.False(await Sandbox.PgRoleExistsAsync(user)); // the revocation was awaited before the stop completed
            Assert.Equal("Revoked", (string)((dynamic)Session.Run("Get-CrdbLease -Issued").AssertSuccess().Output.Last()).State);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task A_block_that_outlives_the_lease_ttl_keeps_working_through_renewals()
    {
        // Lease TTL 3 s; the block waits until the lease was renewed twice (a state), then logs in with the credential.
        var r = Session.Run("""
            Use-CrdbDynamicCredential -Role brief -MountPath $Mount -ScriptBlock {
                $first = $_.ExpiresAt; $seen = @($first)
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while ($seen.Count -lt 3 -and [DateTime]::UtcNow -lt $deadline) {
                    if ($_.ExpiresAt -ne $seen[-1]) { $seen += $_.ExpiresAt }
                    Start-Sleep -Milliseconds 50
                }
                $seen.Count
                [string]$_.RenewalState
                ($_ | Test-CrdbConnection -Server $SqlHost -Port $SqlPort -Database postgres -RootCertificate $SqlCa).UserName
                [bool]([DateTimeOffset]::UtcNow -gt $first)
            }
            """).AssertSuccess();
        Assert.Equal(3, (int)r.Output[0].BaseObject);
        Assert.Equal("Renewing", (string)r.Output[1].BaseObject);
        string user = (string)r.Output[2].BaseObject;
        Assert.True((bool)r.Output[3].BaseObject, "the login came after the first lease end");
        Assert.False(await Sandbox.PgRoleExistsAsync(user));
    }

    [Fact]
    public void WhatIf_shows_the_issue_and_the_revocation_and_runs_nothing()
    {
        using var host = new RecordingHost(new Dictionary<string, object?>
        {
            ["VaultAddress"] = Sandbox.World.VaultAddress, ["RootToken"] = Sandbox.World.RootToken, ["Mount"] = Mount,
        });
        host.Run("""
            $null = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword)
            """);
        int before = VaultRequestCount;
        host.Run("Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { throw 'the block ran' } -WhatIf");
        Assert.Contains(host.WhatIf, l => l.Contains("Issue a dynamic SQL credential") && l.Contains($"{Mount}/creds/app"));
        Assert.Contains(host.WhatIf, l => l.Contains("Revoke the lease when the script block ends"));
        Assert.Equal(before, VaultRequestCount);
    }

    [Fact]
    public async Task A_failed_revocation_is_an_error_naming_the_lease_and_the_ledger_retries_it()
    {
        Sandbox.World.Options.Faults.Add(new Fault { PathPrefix = "sys/leases/revoke", Status = 403, Errors = ["permission denied"], Times = 1 });
        try
        {
            var r = Session.Run("Use-CrdbDynamicCredential -Role app -MountPath $Mount -ScriptBlock { $_.UserName; $global:failedLease = $_.LeaseId }");
            string user = (string)r.Output[0].BaseObject; // the block's output is still written
            var e = Assert.Single(r.Errors);
            Assert.StartsWith("LeaseRevocationFailed", e.FullyQualifiedErrorId);
            string lease = (string)Session.Run("$global:failedLease").Output[0].BaseObject;
            Assert.Contains(lease, e.ErrorDetails.Message);
            Assert.True(await Sandbox.PgRoleExistsAsync(user));

            var cleanup = Session.Run("Revoke-CrdbLease -Issued | Where-Object LeaseId -eq $global:failedLease").AssertSuccess();
            Assert.Equal("Revoked", (string)((dynamic)cleanup.Output.Single()).State);
            Assert.False(await Sandbox.PgRoleExistsAsync(user));
        }
        finally
        {
            Sandbox.World.Options.Faults.Clear();
        }
    }

    [Fact]
    public async Task A_plain_token_that_will_end_is_told_by_the_next_command_once()
    {
        var made = await Sandbox.RootAsync("POST", "auth/token/create", new { policies = new[] { "root" }, ttl = "3s", renewable = false });
        Session.SetVariable("ShortToken", made.Json!["auth"]!["client_token"]!.GetValue<string>());
        Session.Run("""
            $short = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $ShortToken).SecurePassword) -NoDefault
            """).AssertSuccess();
        // The background looks at about 2/3 of the TTL, finds it cannot renew or log in again, notes it and stops: no call is made.
        Assert.True(await Eventually(() => !Read<bool>("$short.RenewsInBackground")));
        // The notice is shown before the command's own call, so it does not matter whether the 3-second token has
        // already ended by the time a loaded machine gets here: the call may fail, the warning must come, once.
        const string next = "Get-CrdbVaultRole -Vault $short -MountPath $Mount -Name app -ErrorAction SilentlyContinue | Out-Null";
        Assert.Contains(Session.Run(next).Warnings, w => w.Contains("cannot be renewed", StringComparison.Ordinal) && w.Contains("Connect again", StringComparison.Ordinal));
        Assert.DoesNotContain(Session.Run(next).Warnings, w => w.Contains("cannot be renewed", StringComparison.Ordinal));
    }
}
