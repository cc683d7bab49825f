using System.Management.Automation;
using System.Security;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Core.Vault.Auth;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Connects to HashiCorp Vault and makes the connection the session default.</para>
/// <para type="description">Logs in with a token (parameter, VAULT_TOKEN, then ~/.vault-token, as the
/// vault CLI does), AppRole, or without any stored secret: as an Azure DevOps pipeline job (-AzureDevOps),
/// an Azure managed identity (-ManagedIdentity), a GitHub Actions job (-GitHubActions), any other JWT
/// (-Jwt, -JwtPath), or a userpass/LDAP user (-Credential). It verifies the token with
/// auth/token/lookup-self and returns a VaultConnection that never shows the token. The module renews a
/// renewable token before it expires and logs in again when the token runs out, fetching a fresh external
/// token each time (every method except -Token and -Jwt), so long runbooks keep working. A login that
/// cannot get its external token fails with ExternalTokenUnavailable (naming the variable or endpoint and
/// the fix); a login Vault refuses fails with VaultLoginRejected (Vault's words and the role's bound to
/// check). See docs/secretless-logins.md.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "CrdbVault", DefaultParameterSetName = TokenSet)]
[OutputType(typeof(VaultConnection))]
public sealed class ConnectCrdbVaultCommand : CrdbCmdlet
{
    private const string TokenSet = "Token";
    private const string AppRoleSet = "AppRole";
    private const string AzureDevOpsSet = "AzureDevOps";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string GitHubActionsSet = "GitHubActions";
    private const string JwtSet = "Jwt";
    private const string JwtPathSet = "JwtPath";
    private const string PasswordSet = "Credential";

    /// <summary>Vault URL, e.g. https://vault.example.com:8200. Default: VAULT_ADDR; one of the two is required.</summary>
    [Parameter(Position = 0)]
    [Input(InputKind.ServiceUrl, ErrorId = "InvalidVaultAddress")]
    public string? Address { get; set; }

    /// <summary>The Vault token. Default: VAULT_TOKEN, then ~/.vault-token.</summary>
    [Parameter(ParameterSetName = TokenSet)]
    [Input(InputKind.Secret, ErrorId = "InvalidVaultToken", AllowEmpty = true)]
    public SecureString? Token { get; set; }

    /// <summary>AppRole role_id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AppRoleSet)]
    [Input(InputKind.Secret, ErrorId = "InvalidAppRole")]
    public string RoleId { get; set; } = "";

    /// <summary>AppRole secret_id (omit only for roles with bind_secret_id=false).</summary>
    [Parameter(ParameterSetName = AppRoleSet)]
    [Input(InputKind.Secret, ErrorId = "InvalidAppRole")]
    public SecureString? SecretId { get; set; }

    /// <summary>
    /// Log in as this Azure DevOps pipeline job: its OIDC token (SYSTEM_OIDCREQUESTURI, with SYSTEM_ACCESSTOKEN mapped into the step)
    /// on a jwt mount. A new token is fetched at every login.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = AzureDevOpsSet)]
    public SwitchParameter AzureDevOps { get; set; }

    /// <summary>
    /// Log in with an Azure managed identity (IDENTITY_ENDPOINT in Azure Automation and App Service, else instance metadata) on the
    /// azure auth method.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter ManagedIdentity { get; set; }

    /// <summary>Log in as this GitHub Actions job: its OIDC token (needs `permissions: id-token: write`) on a jwt mount.</summary>
    [Parameter(Mandatory = true, ParameterSetName = GitHubActionsSet)]
    public SwitchParameter GitHubActions { get; set; }

    /// <summary>A JWT from any other issuer, for a jwt mount. A fixed value: when Vault's token runs out the session cannot log in again.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JwtSet)]
    [Input(InputKind.Secret, ErrorId = "InvalidJwt")]
    public SecureString? Jwt { get; set; }

    /// <summary>A file holding a JWT (a Kubernetes projected service-account token, say), read again at every login.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JwtPathSet)]
    [Input(InputKind.ReadPath, ErrorId = "InvalidJwtPath")]
    public string JwtPath { get; set; } = "";

    /// <summary>The Vault role to log in to (auth/&lt;AuthMount&gt;/role/&lt;Role&gt;).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AzureDevOpsSet)]
    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    [Parameter(Mandatory = true, ParameterSetName = GitHubActionsSet)]
    [Parameter(Mandatory = true, ParameterSetName = JwtSet)]
    [Parameter(Mandatory = true, ParameterSetName = JwtPathSet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidVaultRole")]
    public string Role { get; set; } = "";

    /// <summary>
    /// Ask for the token of this Azure DevOps service connection (its id) instead of the pipeline's own. Connections created since
    /// 2025 are issued by Microsoft Entra: log in on the jwt-entra mount (-AuthMount jwt-entra).
    /// </summary>
    [Parameter(ParameterSetName = AzureDevOpsSet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidServiceConnectionId")]
    public string? ServiceConnectionId { get; set; }

    /// <summary>Client id of a user-assigned managed identity; default: the system-assigned identity.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidClientId")]
    public string? ClientId { get; set; }

    /// <summary>The audience of the managed-identity token: the azure auth mount's configured resource. Default: https://management.azure.com/.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.FreeText, MaxLength = 512, ErrorId = "InvalidResource")]
    public string Resource { get; set; } = ManagedIdentityAuth.DefaultResource;

    /// <summary>The subscription of the resource whose identity logs in. Default on a VM: from instance metadata.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidAzureResource")]
    public string? SubscriptionId { get; set; }

    /// <summary>The resource group of the resource whose identity logs in. Default on a VM: from instance metadata.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidAzureResource")]
    public string? ResourceGroupName { get; set; }

    /// <summary>The virtual machine whose identity logs in. Default on a VM: from instance metadata.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidAzureResource")]
    public string? VMName { get; set; }

    /// <summary>The scale set whose identity logs in. Default on a scale-set VM: from instance metadata.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.NameSegment, ErrorId = "InvalidAzureResource")]
    public string? VMScaleSetName { get; set; }

    /// <summary>The full resource id (an Automation account, an app): what Azure Automation and App Service logins name.</summary>
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Input(InputKind.FreeText, MaxLength = 1024, ErrorId = "InvalidAzureResource")]
    public string? ResourceId { get; set; }

    /// <summary>The audience to ask GitHub for; default: GitHub's own, https://github.com/&lt;owner&gt;.</summary>
    [Parameter(ParameterSetName = GitHubActionsSet)]
    [Input(InputKind.FreeText, MaxLength = 512, ErrorId = "InvalidAudience")]
    public string? Audience { get; set; }

    /// <summary>A userpass or LDAP user and password, for admins at a prompt (Get-Credential). Kept only as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
    [Input(InputKind.LoginCredential, ErrorId = "InvalidCredential")]
    public PSCredential? Credential { get; set; }

    /// <summary>The password method of -Credential: userpass or ldap.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
    [ValidateSet("userpass", "ldap")]
    [Input(InputKind.Choice)]
    public string AuthMethod { get; set; } = "userpass";

    /// <summary>
    /// Where the auth method is mounted (auth/&lt;AuthMount&gt;/login). Defaults: approle, jwt-azuredevops, azure, jwt-github, jwt, and for
    /// -Credential the method's name.
    /// </summary>
    [Parameter(ParameterSetName = AppRoleSet)]
    [Parameter(ParameterSetName = AzureDevOpsSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Parameter(ParameterSetName = GitHubActionsSet)]
    [Parameter(ParameterSetName = JwtSet)]
    [Parameter(ParameterSetName = JwtPathSet)]
    [Parameter(ParameterSetName = PasswordSet)]
    [Input(InputKind.VaultPath, ErrorId = "InvalidAuthMount")]
    public string? AuthMount { get; set; }

    /// <summary>Enterprise/HCP namespace (X-Vault-Namespace). Default: VAULT_NAMESPACE.</summary>
    [Parameter]
    [Input(InputKind.VaultPath, ErrorId = "InvalidVaultNamespace")]
    public string? Namespace { get; set; }

    /// <summary>PEM file of the CA that signed Vault's certificate. Default: VAULT_CACERT.</summary>
    [Parameter]
    [Input(InputKind.ReadPath, ErrorId = "InvalidCACertificate")]
    public string? CACertificate { get; set; }

    /// <summary>Accept any TLS certificate. Only for labs; a warning says so. Default: VAULT_SKIP_VERIFY.</summary>
    [Parameter]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary>Per-request timeout. Default: VAULT_CLIENT_TIMEOUT, then 60 s.</summary>
    [Parameter]
    [DurationTransformation]
    [Input(InputKind.Duration)]
    public TimeSpan? Timeout { get; set; }

    /// <summary>A file where every lease this connection issues or revokes is appended as one JSON line (never a secret), so that
    /// Revoke-CrdbLease -Issued in a later process can clean up. Default: CRDBVAULT_LEDGER; in Azure DevOps and GitHub Actions a file in the
    /// job's temporary folder.</summary>
    [Parameter]
    [Input(InputKind.WritePath, ErrorId = "InvalidLedgerPath")]
    public string? LedgerPath { get; set; }

    /// <summary>Return the connection without making it the session default.</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    protected override void EndProcessing()
    {
        VaultClientOptions options = BuildOptions();
        IVaultAuthMethod auth = BuildAuth();
        string? ledger = ResolveLedgerPath();
        WriteVerbose($"Connecting to {options.Address.GetLeftPart(UriPartial.Authority)} with {auth.Name} " +
            $"authentication{(auth is TokenAuth t ? $" (token from {t.Source})" : "")}.");
        VaultSession session = Run(ct => VaultSession.ConnectAsync(options, auth, ct), options.Address.GetLeftPart(UriPartial.Authority));
        var connection = new VaultConnection(session);
        session.Ledger.FilePath = ledger;
        ConnectionStore.StartRenewal(connection);
        if (!NoDefault) ConnectionStore.Vault = connection;
        WriteVerbose($"Connected as '{ServerText.Printable(session.DisplayName ?? "")}' with policies " +
            $"{ServerText.Printable(string.Join(", ", session.Policies))}; " +
            $"token {(session.ExpiresAt is null ? "does not expire" : "expires " + session.ExpiresAt.Value.ToString("u"))}.");
        WriteObject(connection);
    }

    private VaultClientOptions BuildOptions()
    {
        string? fromEnv = NullIfEmpty(Environment.GetEnvironmentVariable("VAULT_ADDR"));
        if (Address is null && fromEnv is null)
            ThrowMapped(new NotConnectedException("No Vault address: pass -Address 'https://vault.example.com:8200' or set VAULT_ADDR (the vault CLI's " +
                "variable). Nothing is assumed: a token must not go to a server nobody named."), null, "MissingVaultAddress");
        // -Address was checked by its kind; VAULT_ADDR gets the same check here.
        Uri uri = Address is not null
            ? new Uri(Address)
            : Checked(() => InputValidator.VaultAddress(fromEnv, "Address (VAULT_ADDR)"), "InvalidVaultAddress", UrlRedaction.Redact(fromEnv!));
        if (PlaintextTransport.Warning(uri, "the token") is string plaintext) WriteWarning(plaintext);

        bool skip = SkipCertificateCheck.IsPresent || EnvBool("VAULT_SKIP_VERIFY");
        if (skip)
            WriteWarning($"TLS certificate checks are OFF for {uri.GetLeftPart(UriPartial.Authority)}: " +
                $"anyone on the network path can read the token and every secret. Use -CACertificate (or VAULT_CACERT) instead outside a lab.");

        string? ca = CACertificate ?? NullIfEmpty(Environment.GetEnvironmentVariable("VAULT_CACERT"));
        if (ca is not null && !skip)
        {
            ca = Checked(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(InputValidator.ReadPath(ca, "CACertificate")), "InvalidCACertificate", ca);
            if (!File.Exists(ca))
                ThrowInvalidArgument($"CA certificate file '{ca}' does not exist. " +
                    $"Pass the PEM file of the CA that signed Vault's certificate (-CACertificate or VAULT_CACERT).", "InvalidCACertificate", ca);
            Checked(() => Core.Http.TlsTrust.LoadCaBundle(ca), "InvalidCACertificate", ca);
        }
        string? ns = Namespace ?? NullIfEmpty(Environment.GetEnvironmentVariable("VAULT_NAMESPACE"));
        if (ns is not null) Checked(() => InputValidator.VaultPath(ns, "Namespace"), "InvalidVaultNamespace", ns);

        return new VaultClientOptions
        {
            Address = uri,
            Namespace = ns,
            CaCertificatePath = skip ? null : ca,
            SkipCertificateCheck = skip,
            Timeout = Timeout ?? EnvDuration("VAULT_CLIENT_TIMEOUT") ?? TimeSpan.FromSeconds(60),
            MaxAttempts = EnvInt("VAULT_MAX_RETRIES") is int retries ? Math.Max(0, retries) + 1 : 3,
            Trace = VerboseSink.Write,
        };
    }

    /// <summary>-LedgerPath, else CRDBVAULT_LEDGER or the CI default, as a full path whose folder exists.</summary>
    private string? ResolveLedgerPath()
    {
        bool explicitPath = LedgerPath is not null
            || !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Core.Settings.ModuleSettings.LedgerVariable));
        string? path = LedgerPath ?? Core.Settings.ModuleSettings.DefaultLedgerPath;
        if (path is null) return null;
        if (!explicitPath && Path.GetDirectoryName(Path.GetFullPath(path)) is string ciTemp && !Directory.Exists(ciTemp))
        {
            // The CI default in a job whose temp folder is missing: no ledger, but say so (the clean-up step would find nothing).
            WriteWarning($"The job's temporary folder '{ciTemp}' does not exist: leases are recorded in this session only, not in '{path}'. " +
                $"Pass -LedgerPath or set CRDBVAULT_LEDGER to keep a ledger for the clean-up step.");
            return null;
        }
        path = Checked(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(InputValidator.WritePath(path, "LedgerPath")), "InvalidLedgerPath", path);
        if (Directory.Exists(path))
            ThrowInvalidArgument($"-LedgerPath '{path}' is a folder. Name a file, e.g. '{Path.Combine(path, "crdbvault-leases.jsonl")}'.",
                "InvalidLedgerPath", path);
        if (Path.GetDirectoryName(path) is string dir && !Directory.Exists(dir))
            ThrowInvalidArgument($"The folder of -LedgerPath '{path}' does not exist. Create it first or choose another file.", "InvalidLedgerPath", path);
        WriteVerbose($"Leases are recorded in the ledger '{path}'.");
        return path;
    }

    private IVaultAuthMethod BuildAuth()
    {
        switch (ParameterSetName)
        {
            case AppRoleSet:
                return Checked(() => new AppRoleAuth(RoleId, SecretId, AuthMount ?? "approle"), "InvalidAppRole", null);
            case AzureDevOpsSet:
                return new AzureDevOpsAuth(Role, ServiceConnectionId, AuthMount ?? AzureDevOpsAuth.DefaultMount);
            case GitHubActionsSet:
                return new GitHubActionsAuth(Role, Audience, AuthMount ?? GitHubActionsAuth.DefaultMount);
            case ManagedIdentitySet:
                return BuildManagedIdentity();
            case JwtSet:
                return JwtAuth.FromToken(Jwt!, Role, AuthMount ?? JwtAuth.DefaultMount);
            case JwtPathSet:
                string file = Checked(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(JwtPath), "InvalidJwtPath", JwtPath);
                if (!File.Exists(file))
                    ThrowInvalidArgument($"JWT file '{file}' does not exist. Pass the file the token is written to (it is read again at every login).",
                        "InvalidJwtPath", file);
                return JwtAuth.FromFile(file, Role, AuthMount ?? JwtAuth.DefaultMount);
            case PasswordSet:
                return new PasswordAuth(AuthMethod, Credential!.UserName, Credential.Password, AuthMount);
        }
        if (Token is not null)
        {
            if (Token.Length == 0) ThrowInvalidArgument("-Token is empty. Pass the token as a SecureString, e.g. " +
                "(Read-Host -AsSecureString).", "MissingVaultToken");
            return new TokenAuth(Token, "parameter");
        }
        TokenAuth? found = Checked(TokenAuth.FromEnvironment, "InvalidVaultToken", null);
        if (found is null)
            ThrowMapped(new NotConnectedException("No Vault token: pass -Token, set VAULT_TOKEN, run 'vault login' (it writes ~/.vault-token), " +
                "or use -RoleId/-SecretId for AppRole."), null, "MissingVaultToken");
        Checked(() => { InputValidator.Secret(found!.Token, $"Token ({found.Source})"); return true; }, "InvalidVaultToken", null);
        return found!;
    }

    private ManagedIdentityAuth BuildManagedIdentity()
    {
        int named = new[] { VMName, VMScaleSetName, ResourceId }.Count(v => v is not null);
        if (named > 1)
            ThrowInvalidArgument("Pass at most one of -VMName, -VMScaleSetName and -ResourceId: Vault's azure login takes one of them.",
                "ConflictingAzureResource", null);
        var auth = Checked(() => new ManagedIdentityAuth(Role, new AzureResourceNames(SubscriptionId, ResourceGroupName, VMName, VMScaleSetName, ResourceId),
            ClientId, Resource, AuthMount ?? ManagedIdentityAuth.DefaultMount), "InvalidAzureResource", ResourceId);
        Checked(() => { auth.CheckNamesWithoutInstanceMetadata(); return true; }, "AzureResourceRequired", null);
        return auth;
    }

    private bool EnvBool(string name)
    {
        string? v = NullIfEmpty(Environment.GetEnvironmentVariable(name));
        if (v is null) return false;
        // Go's strconv.ParseBool, which the vault CLI uses.
        return v switch
        {
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw new PSArgumentException($"{name}='{v}' is not a boolean. Use true or false."),
        };
    }

    private static TimeSpan? EnvDuration(string name) =>
        NullIfEmpty(Environment.GetEnvironmentVariable(name)) is string s && VaultDuration.TryParse(s, out TimeSpan t) && t > TimeSpan.Zero
            && t <= InputValidator.MaxDuration ? t : null;

    private static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
