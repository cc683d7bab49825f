using System.Globalization;

namespace CrdbVault.Core.Settings;

/// <summary>
/// The module's own knobs: environment variables that users and out-of-process tests set, read here
/// and nowhere else, each documented in docs/settings.md (a test keeps that list and this class in
/// step). They are read when a client is built, so a change applies to the next Connect-*.
/// </summary>
public static class ModuleSettings
{
    /// <summary>Base wait between retries of idempotent calls, in milliseconds (default 1000).</summary>
    public const string RetryDelayVariable = "CRDBVAULT_RETRY_DELAY_MS";

    /// <summary>First wait between polls of a CockroachDB Cloud operation, in milliseconds (default 2000).</summary>
    public const string PollIntervalVariable = "CRDBVAULT_POLL_INTERVAL_MS";

    /// <summary>The Azure instance metadata service, for managed-identity logins (default http://169.254.169.254).</summary>
    public const string ImdsEndpointVariable = "CRDBVAULT_IMDS_ENDPOINT";

    /// <summary>The lease ledger file (JSON lines) Connect-CrdbVault uses without -LedgerPath; <c>off</c> = none, even in CI.</summary>
    public const string LedgerVariable = "CRDBVAULT_LEDGER";

    /// <summary>The ledger's file name in a CI job's temporary folder.</summary>
    public const string CiLedgerFileName = "crdbvault-leases.jsonl";

    /// <summary>The address of Azure's instance metadata service when nothing overrides it.</summary>
    public static readonly Uri DefaultImdsEndpoint = new("http://169.254.169.254");

    /// <summary>Attempt n of an idempotent call waits about n × (1–1.5) × this before it is sent again.</summary>
    public static TimeSpan RetryBaseDelay => Milliseconds(RetryDelayVariable) ?? TimeSpan.FromSeconds(1);

    /// <summary>The first wait between status polls; it grows ×1.5 up to <see cref="MaxPollInterval"/>.</summary>
    public static TimeSpan PollInterval => Milliseconds(PollIntervalVariable) ?? TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between polls: 15 s, or 8 × a poll interval set in the environment.</summary>
    public static TimeSpan MaxPollInterval => Milliseconds(PollIntervalVariable) is TimeSpan set && set > TimeSpan.Zero ? set * 8 : TimeSpan.FromSeconds(15);

    /// <summary>
    /// Where managed-identity logins ask for tokens: <see cref="ImdsEndpointVariable"/> when it holds an
    /// absolute http(s) URL, else <see cref="DefaultImdsEndpoint"/>.
    /// </summary>
    public static Uri ImdsEndpoint =>
        Uri.TryCreate(Environment.GetEnvironmentVariable(ImdsEndpointVariable), UriKind.Absolute, out Uri? uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : DefaultImdsEndpoint;

    /// <summary>
    /// The ledger file when Connect-CrdbVault is given none: <see cref="LedgerVariable"/> (<c>off</c> = none); else, in
    /// Azure DevOps (<c>TF_BUILD</c>), <c>$AGENT_TEMPDIRECTORY/crdbvault-leases.jsonl</c>; in GitHub Actions,
    /// <c>$RUNNER_TEMP/crdbvault-leases.jsonl</c> (both folders are the job's own and emptied after it); else null.
    /// </summary>
    public static string? DefaultLedgerPath
    {
        get
        {
            string? set = Environment.GetEnvironmentVariable(LedgerVariable)?.Trim();
            if (!string.IsNullOrEmpty(set)) return set.Equals("off", StringComparison.OrdinalIgnoreCase) ? null : set;
            string? folder = Pipelines.CiEnvironment.Current().System switch
            {
                Pipelines.CiSystem.AzureDevOps => Environment.GetEnvironmentVariable("AGENT_TEMPDIRECTORY"),
                Pipelines.CiSystem.GitHubActions => Environment.GetEnvironmentVariable("RUNNER_TEMP"),
                _ => null,
            };
            return string.IsNullOrWhiteSpace(folder) ? null : Path.Combine(folder, CiLedgerFileName);
        }
    }

    /// <summary>A whole number of milliseconds from the environment; null when unset or not a number of at least 0.</summary>
    private static TimeSpan? Milliseconds(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;
}
