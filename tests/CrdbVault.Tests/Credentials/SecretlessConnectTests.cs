using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Sandbox.Identity;
using CrdbVault.Tests.Infrastructure;
using CrdbVault.Tests.Sandbox;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// Connect-CrdbVault's secretless logins end to end, as a job runs them: the job's environment (the
/// variables Azure DevOps, GitHub Actions and Azure set, pointing at the identity double), connect,
/// issue a database credential with the new token, log in to PostgreSQL with it. Then each way it
/// goes wrong, with its error id and no credential.
/// </summary>
[Collection("sandbox")]
public sealed class SecretlessConnectTests(SandboxFixture sandbox)
{
    private IdentityDouble Identity => sandbox.World.Identity;
    private IdentityFacts Facts => Identity.Facts;

    /// <summary>Every variable a secretless login reads, all unset: each test sets what its job would have.</summary>
    private static readonly string[] JobVariables =
    [
        "SYSTEM_OIDCREQUESTURI", "SYSTEM_ACCESSTOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "CRDBVAULT_IMDS_ENDPOINT",
    ];

    private EnvironmentScope Job(params (string Name, string? Value)[] values)
    {
        var scope = new EnvironmentScope(JobVariables.ToDictionary(v => v, _ => (string?)null));
        scope.Set("CRDBVAULT_RETRY_DELAY_MS", "10");
        foreach (var (name, value) in values) scope.Set(name, value);
        return scope;
    }

    private EnvironmentScope AzureDevOpsJob() =>
        Job(("SYSTEM_OIDCREQUESTURI", Identity.SystemOidcRequestUri), ("SYSTEM_ACCESSTOKEN", Facts.SystemAccessToken));

    private EnvironmentScope GitHubJob() =>
        Job(("ACTIONS_ID_TOKEN_REQUEST_URL", Identity.ActionsIdTokenRequestUrl), ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", Facts.GitHubRequestToken));

    private EnvironmentScope AutomationJob(string? header = null) =>
        Job(("IDENTITY_ENDPOINT", Identity.ManagedIdentityEndpoint), ("IDENTITY_HEADER", header ?? Facts.IdentityHeader));

    private EnvironmentScope VmJob() => Job(("CRDBVAULT_IMDS_ENDPOINT", Identity.ImdsEndpoint));

    private async Task<PowerShellSession> SessionAsync() => new(new Dictionary<string, object?>
    {
        ["VaultAddress"] = sandbox.World.VaultAddress,
        ["Mount"] = await new IdentityClient(sandbox).CreateDatabaseMountAsync(),
        ["PgPort"] = sandbox.World.Postgres.Port,
        ["PgCa"] = sandbox.World.Postgres.CaCertificatePath,
        ["Facts"] = Facts,
        ["Logins"] = sandbox.World.Logins,
    });

    /// <summary>Connects with <paramref name="connect"/>, issues a credential and logs in to PostgreSQL with it.</summary>
    private static ScriptResult ConnectIssueAndLogIn(PowerShellSession ps, string connect, string method)
    {
        ScriptResult r = ps.Run($$"""
            $c = {{connect}} -Verbose
            $cred = New-CrdbDynamicCredential -MountPath $Mount -Role app
            $test = $cred | Test-CrdbConnection -Server 127.0.0.1 -Port $PgPort -RootCertificate $PgCa -Database postgres
            $c.AuthMethod
            $test.UserName -eq $cred.UserName
            $cred.UserName
            ($c.Policies -join ',')
            """, verbose: true).AssertSuccess();
        Assert.Equal(method, r.Output[0].BaseObject);
        Assert.Equal(true, r.Output[1].BaseObject);
        Assert.StartsWith("v-", (string)r.Output[2].BaseObject);
        Assert.Contains(SecretlessLogins.Policy, ((string)r.Output[3].BaseObject).Split(','));
        return r;
    }

    private void AssertNoSecret(ScriptResult r)
    {
        string text = r.AllText();
        foreach (string secret in new[] { Facts.SystemAccessToken, Facts.GitHubRequestToken, Facts.IdentityHeader,
            sandbox.World.Logins.UserpassPassword, sandbox.World.Logins.LdapPassword, "eyJ", "hvs." })
            Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task Azure_DevOps_pipeline_connects_and_its_credential_logs_in_to_PostgreSQL()
    {
        using var job = AzureDevOpsJob();
        using PowerShellSession ps = await SessionAsync();
        int before = Identity.Count(IdentityEndpoint.AzureDevOps);
        ScriptResult r = ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline", "azuredevops");
        Assert.Equal(before + 1, Identity.Count(IdentityEndpoint.AzureDevOps));
        Assert.Contains(r.Verbose, v => v.Contains("POST SYSTEM_OIDCREQUESTURI -> 200"));
        Assert.Contains(r.Verbose, v => v.Contains("POST /v1/auth/jwt-azuredevops/login -> 200"));
        AssertNoSecret(r);
    }

    [Fact]
    public async Task Azure_DevOps_service_connections_connect_on_the_mount_of_their_issuer()
    {
        using var job = AzureDevOpsJob();
        using PowerShellSession ps = await SessionAsync();
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role service-connection " +
            "-ServiceConnectionId $Facts.LegacyConnection.Id", "azuredevops");
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role service-connection " +
            "-ServiceConnectionId $Facts.EntraConnection.Id -AuthMount jwt-entra", "azuredevops");

        // An Entra-issued token on the vstoken mount: the mount's keys cannot verify it, and the error says which mount to use.
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role service-connection " +
            "-ServiceConnectionId $Facts.EntraConnection.Id").SingleError();
        Assert.StartsWith("VaultLoginRejected", e.FullyQualifiedErrorId);
        Assert.Contains("signature", e.Exception.Message);
        Assert.Contains("-AuthMount jwt-entra", e.Exception.Message);
    }

    [Fact]
    public async Task GitHub_Actions_job_connects_and_its_credential_logs_in()
    {
        using var job = GitHubJob();
        using PowerShellSession ps = await SessionAsync();
        ScriptResult r = ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role deploy", "githubactions");
        Assert.Contains(r.Verbose, v => v.Contains("GET ACTIONS_ID_TOKEN_REQUEST_URL -> 200"));
        AssertNoSecret(r);
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role deploy -Audience https://github.com/crdbvault",
            "githubactions");
    }

    [Fact]
    public async Task Automation_runbook_connects_with_its_managed_identity_and_resource_id()
    {
        using var job = AutomationJob();
        using PowerShellSession ps = await SessionAsync();
        int before = Identity.Count(IdentityEndpoint.ManagedIdentity), imds = Identity.Count(IdentityEndpoint.ImdsToken);
        ScriptResult r = ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation " +
            "-ResourceId $Facts.AutomationResourceId", "managedidentity"); // subscription and resource group come from the id
        AssertNoSecret(r);
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation " +
            "-ClientId $Facts.UserAssignedIdentity.ClientId -ResourceId $Facts.AutomationResourceId -SubscriptionId $Facts.SubscriptionId " +
            "-ResourceGroupName $Facts.ResourceGroup",
            "managedidentity");
        Assert.Equal(before + 2, Identity.Count(IdentityEndpoint.ManagedIdentity));
        Assert.Equal(imds, Identity.Count(IdentityEndpoint.ImdsToken)); // IDENTITY_ENDPOINT wins over instance metadata
    }

    [Fact]
    public async Task VM_connects_with_names_from_instance_metadata()
    {
        using var job = VmJob();
        using PowerShellSession ps = await SessionAsync();
        int token = Identity.Count(IdentityEndpoint.ImdsToken), instance = Identity.Count(IdentityEndpoint.ImdsInstance);
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role vm", "managedidentity");
        Assert.Equal(token + 1, Identity.Count(IdentityEndpoint.ImdsToken));
        Assert.Equal(instance + 1, Identity.Count(IdentityEndpoint.ImdsInstance));

        // Names given: instance metadata is asked only for the token.
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role vm -SubscriptionId $Facts.SubscriptionId " +
            "-ResourceGroupName $Facts.ResourceGroup -VMName $Facts.VmName", "managedidentity");
        Assert.Equal(instance + 1, Identity.Count(IdentityEndpoint.ImdsInstance));
    }

    [Fact]
    public async Task Jwt_and_jwt_file_connect_on_a_jwt_mount()
    {
        using var job = Job();
        using PowerShellSession ps = await SessionAsync();
        string jwt = Identity.Tokens.GitHubActions(null);
        string file = Path.Combine(Directory.CreateTempSubdirectory("crdbvault-jwt").FullName, "token");
        File.WriteAllText(file, jwt + "\n");
        ps.SetVariable("Jwt", jwt);
        ps.SetVariable("JwtFile", file);
        ScriptResult r = ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -Jwt (ConvertTo-SecureString $Jwt -AsPlainText) " +
            "-Role deploy -AuthMount jwt-github", "jwt");
        Assert.DoesNotContain(jwt, r.AllText());
        ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -JwtPath $JwtFile -Role deploy -AuthMount jwt-github", "jwt");

        ErrorRecord missing = ps.Run("Connect-CrdbVault -Address $VaultAddress -JwtPath (Join-Path $JwtFile nope) -Role deploy").SingleError();
        Assert.StartsWith("InvalidJwtPath", missing.FullyQualifiedErrorId);
    }

    [Fact]
    public async Task An_ldap_login_name_with_an_at_sign_connects()
    {
        // The cmdlet's input check took 'alice.smith@corp.example' while the core refused it as a path segment (System.ArgumentException).
        const string user = "alice.smith@corp.example";
        var ldap = (CrdbVault.Sandbox.Vault.Auth.LdapAuthMethod)sandbox.World.Vault.Mounts.Get("auth/" + SecretlessLogins.LdapMount)!.Engine;
        ldap.AddDirectoryUser(user, sandbox.World.Logins.LdapPassword, sandbox.World.Logins.LdapGroup);
        using var job = Job();
        using PowerShellSession ps = await SessionAsync();
        AssertNoSecret(ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AuthMethod ldap -Credential " +
            $"([pscredential]::new('{user}', (ConvertTo-SecureString $Logins.LdapPassword -AsPlainText)))", "ldap"));
    }

    [Fact]
    public async Task Userpass_and_ldap_users_connect_with_a_credential()
    {
        using var job = Job();
        using PowerShellSession ps = await SessionAsync();
        ScriptResult r = ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AuthMethod userpass -Credential " +
            "([pscredential]::new($Logins.UserpassUsername, (ConvertTo-SecureString $Logins.UserpassPassword -AsPlainText)))", "userpass");
        AssertNoSecret(r);
        AssertNoSecret(ConnectIssueAndLogIn(ps, "Connect-CrdbVault -Address $VaultAddress -AuthMethod ldap -Credential " +
            "([pscredential]::new($Logins.LdapUsername, (ConvertTo-SecureString $Logins.LdapPassword -AsPlainText)))", "ldap"));

        ErrorRecord wrong = ps.Run("Connect-CrdbVault -Address $VaultAddress -AuthMethod userpass -Credential " +
            "([pscredential]::new($Logins.UserpassUsername, (ConvertTo-SecureString 'not-the-password' -AsPlainText)))").SingleError();
        Assert.StartsWith("VaultLoginRejected", wrong.FullyQualifiedErrorId);
        Assert.Contains("invalid username or password", wrong.Exception.Message);
        Assert.DoesNotContain("not-the-password", wrong.Exception.Message);
    }

    [Fact]
    public async Task Wrong_claim_is_VaultLoginRejected_naming_the_bound_claim_and_no_credential_is_issued()
    {
        using var job = AzureDevOpsJob();
        using PowerShellSession ps = await SessionAsync();
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.AzureDevOps, Claims = { ["def_id"] = "8" } });
            ScriptResult r = ps.Run("""
                $c = Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline
                Get-CrdbLease -Prefix "$Mount/creds/app" -ErrorAction SilentlyContinue
                """);
            ErrorRecord e = r.Errors.First();
            Assert.StartsWith("VaultLoginRejected", e.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
            Assert.Contains("claim \"def_id\" does not match any associated bound claim values", e.Exception.Message);
            Assert.Contains("bound_claims", e.Exception.Message);
            Assert.Contains("vault read auth/jwt-azuredevops/role/pipeline", e.Exception.Message);
            Assert.Empty(r.Output);
            Assert.Null(ps.GetVariable("c"));
        }
        finally { Identity.Faults.Clear(); }
        Assert.Empty((await sandbox.RootAsync("LIST", "sys/leases/lookup/" + ps.GetVariable("Mount") + "/creds/app")).Json?["data"]?["keys"]?.AsArray()
            ?? []);
    }

    [Fact]
    public async Task Wrong_audience_and_expired_token_are_VaultLoginRejected()
    {
        using var job = GitHubJob();
        using PowerShellSession ps = await SessionAsync();
        ErrorRecord aud = ps.Run("Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role deploy -Audience sts.amazonaws.com").SingleError();
        Assert.StartsWith("VaultLoginRejected", aud.FullyQualifiedErrorId);
        Assert.Contains("invalid audience (aud) claim", aud.Exception.Message);
        Assert.Contains("bound_audiences", aud.Exception.Message);
        try
        {
            Identity.Faults.Add(new IdentityFault { Endpoint = IdentityEndpoint.GitHubActions, Expired = true });
            ErrorRecord expired = ps.Run("Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role deploy").SingleError();
            Assert.StartsWith("VaultLoginRejected", expired.FullyQualifiedErrorId);
            Assert.Contains("token is expired", expired.Exception.Message);
            Assert.Contains("clocks", expired.Exception.Message);
        }
        finally { Identity.Faults.Clear(); }
    }

    [Fact]
    public async Task Unknown_role_is_VaultLoginRejected_on_jwt_and_azure_mounts()
    {
        using PowerShellSession ps = await SessionAsync();
        using (GitHubJob())
        {
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role nope").SingleError();
            Assert.StartsWith("VaultLoginRejected", e.FullyQualifiedErrorId);
            Assert.Contains("role \"nope\" could not be found", e.Exception.Message);
            Assert.Contains("vault list auth/jwt-github/role", e.Exception.Message);
        }
        using (VmJob())
        {
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role nope").SingleError();
            Assert.StartsWith("VaultLoginRejected", e.FullyQualifiedErrorId);
            Assert.Contains("invalid role name \"nope\"", e.Exception.Message);
        }
    }

    [Fact]
    public async Task Missing_job_variables_are_ExternalTokenUnavailable_with_the_fix_and_nothing_is_sent()
    {
        using PowerShellSession ps = await SessionAsync();
        int azdo = Identity.Count(IdentityEndpoint.AzureDevOps), gh = Identity.Count(IdentityEndpoint.GitHubActions);
        using (var job = Job(("SYSTEM_OIDCREQUESTURI", Identity.SystemOidcRequestUri)))
        {
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline").SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.Contains("SYSTEM_ACCESSTOKEN is not set", e.Exception.Message);
            Assert.Contains("env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)", e.Exception.Message);
            job.Set("SYSTEM_OIDCREQUESTURI", null);
            e = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline").SingleError();
            Assert.Contains("not an Azure DevOps pipeline job", e.Exception.Message);
            Assert.Equal(ErrorCategory.AuthenticationError, e.CategoryInfo.Category);
        }
        using (Job())
        {
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -GitHubActions -Role deploy").SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.Contains("permissions: id-token: write", e.Exception.Message);
        }
        Assert.Equal(azdo, Identity.Count(IdentityEndpoint.AzureDevOps));
        Assert.Equal(gh, Identity.Count(IdentityEndpoint.GitHubActions));

        using (AzureDevOpsJob())
        {
            // A wrong access token: the endpoint refuses it, and the error says how to map the right one.
            Environment.SetEnvironmentVariable("SYSTEM_ACCESSTOKEN", "not-this-jobs-token");
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -AzureDevOps -Role pipeline").SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.Contains("answered 401", e.Exception.Message);
            Assert.Contains("$(System.AccessToken)", e.Exception.Message);
            Assert.DoesNotContain("not-this-jobs-token", e.Exception.Message);
        }
    }

    [Fact]
    public async Task Wrong_identity_header_and_missing_resource_names_are_refused()
    {
        using PowerShellSession ps = await SessionAsync();
        using (AutomationJob(header: "not-the-header"))
        {
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation -ResourceId $Facts.AutomationResourceId")
                .SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.Contains("X-IDENTITY-HEADER", e.Exception.Message);
            Assert.DoesNotContain("not-the-header", e.Exception.Message);
        }
        using (AutomationJob())
        {
            int before = Identity.Count(IdentityEndpoint.ManagedIdentity);
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation").SingleError();
            Assert.StartsWith("AzureResourceRequired", e.FullyQualifiedErrorId);
            Assert.Contains("-ResourceId", e.Exception.Message);
            Assert.Equal(before, Identity.Count(IdentityEndpoint.ManagedIdentity));

            ErrorRecord two = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation -VMName a -ResourceId /subscriptions/x")
                .SingleError();
            Assert.StartsWith("ConflictingAzureResource", two.FullyQualifiedErrorId);
        }
        using (AutomationJob())
        {
            // No IDENTITY_HEADER and a 401: what an Azure Arc-enabled server's key-file challenge looks like.
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", null);
            ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role automation -ResourceId $Facts.AutomationResourceId")
                .SingleError();
            Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
            Assert.Contains("Azure Arc", e.Exception.Message);
        }
    }

    [Fact]
    public async Task No_instance_metadata_service_is_ExternalTokenUnavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int closed = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now: a machine without instance metadata
        using var job = Job(("CRDBVAULT_IMDS_ENDPOINT", $"http://127.0.0.1:{closed}"));
        using PowerShellSession ps = await SessionAsync();
        ErrorRecord e = ps.Run("Connect-CrdbVault -Address $VaultAddress -ManagedIdentity -Role vm").SingleError();
        Assert.StartsWith("ExternalTokenUnavailable", e.FullyQualifiedErrorId);
        Assert.Contains("not an Azure VM", e.Exception.Message);
        Assert.Contains("IDENTITY_ENDPOINT", e.Exception.Message);
    }

    [Fact]
    public async Task A_relogin_fetches_a_fresh_external_token()
    {
        using var job = AzureDevOpsJob();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = new VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress) };
        int before = Identity.Count(IdentityEndpoint.AzureDevOps);
        using VaultSession session = await VaultSession.ConnectAsync(options, new AzureDevOpsAuth(SecretlessLogins.PipelineRole), default, clock);
        Assert.Equal(before + 1, Identity.Count(IdentityEndpoint.AzureDevOps));
        string? first = session.Accessor;

        clock.Advance(SecretlessLogins.TokenTtl + TimeSpan.FromMinutes(1)); // the Vault token ran out: the session logs in again
        await session.GetTokenAsync(default);
        Assert.Equal(before + 2, Identity.Count(IdentityEndpoint.AzureDevOps));
        Assert.NotEqual(first, session.Accessor);
        Assert.Equal(1, session.Refreshes);
    }

    [Fact]
    public async Task A_jwt_file_is_read_again_at_every_login()
    {
        using var job = Job();
        string file = Path.Combine(Directory.CreateTempSubdirectory("crdbvault-jwt").FullName, "token");
        File.WriteAllText(file, Identity.Tokens.GitHubActions(null));
        var auth = JwtAuth.FromFile(file, SecretlessLogins.GitHubRole, SecretlessLogins.GitHubMount);
        Assert.True(auth.CanLogin);
        using var client = new VaultClient(new VaultClientOptions { Address = new Uri(sandbox.World.VaultAddress) });
        Assert.NotNull((await auth.LoginAsync(client, default)).Accessor);

        File.WriteAllText(file, Identity.Tokens.GitHubActions(null, new IdentityFault { Endpoint = IdentityEndpoint.GitHubActions, Expired = true }));
        var e = await Assert.ThrowsAsync<VaultLoginRejectedException>(() => auth.LoginAsync(client, default));
        Assert.Contains("token is expired", e.Message);
        Assert.False(JwtAuth.FromToken(Core.Secrets.SecureStrings.From("x.y.z"), "r").CanLogin);
    }
}
