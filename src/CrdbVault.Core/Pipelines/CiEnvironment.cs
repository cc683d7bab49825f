namespace CrdbVault.Core.Pipelines;

/// <summary>The CI system a job runs in, as far as logging commands are concerned.</summary>
public enum CiSystem
{
    /// <summary>Neither Azure DevOps nor GitHub Actions (or both claim the job: see <see cref="CiEnvironment.Ambiguous"/>).</summary>
    None,
    /// <summary>Azure Pipelines: <c>TF_BUILD=True</c>.</summary>
    AzureDevOps,
    /// <summary>GitHub Actions: <c>GITHUB_ACTIONS=true</c>.</summary>
    GitHubActions,
}

/// <summary>
/// What the process environment says about the CI job: which system reads our standard output,
/// whether secrets are registered for masking, and where its files and temp folder are. Read anew
/// on every call, so <c>$env:CRDBVAULT_CI_MASKING = 'off'</c> in a session takes effect at once.
/// </summary>
public sealed class CiEnvironment
{
    /// <summary>Set to <c>off</c> (or false, 0, no) to stop registering secrets for masking.</summary>
    public const string MaskingVariable = "CRDBVAULT_CI_MASKING";

    private readonly Func<string, string?> _variable;

    private CiEnvironment(Func<string, string?> variable)
    {
        _variable = variable;
        bool azure = string.Equals(variable("TF_BUILD")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        bool github = string.Equals(variable("GITHUB_ACTIONS")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        // Both at once cannot be told apart, and a logging command of one system is printed verbatim
        // (secret included) by the other: do neither.
        Ambiguous = azure && github;
        System = Ambiguous ? CiSystem.None : azure ? CiSystem.AzureDevOps : github ? CiSystem.GitHubActions : CiSystem.None;
        string? masking = variable(MaskingVariable)?.Trim();
        MaskingTurnedOff = masking is not null && (masking.Equals("off", StringComparison.OrdinalIgnoreCase)
            || masking.Equals("false", StringComparison.OrdinalIgnoreCase) || masking == "0" || masking.Equals("no", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The process's environment as it is now.</summary>
    public static CiEnvironment Current() => new(Environment.GetEnvironmentVariable);

    /// <summary>An environment read through <paramref name="variable"/> (tests, or a runbook that knows better).</summary>
    public static CiEnvironment From(Func<string, string?> variable) => new(variable);

    public CiSystem System { get; }

    /// <summary>TF_BUILD and GITHUB_ACTIONS are both set: nothing is written for either.</summary>
    public bool Ambiguous { get; }

    /// <summary><c>CRDBVAULT_CI_MASKING</c> is off.</summary>
    public bool MaskingTurnedOff { get; }

    /// <summary>Secrets handed out are registered for masking: inside a CI system, unless turned off.</summary>
    public bool MaskingEnabled => System != CiSystem.None && !MaskingTurnedOff;

    /// <summary>"Azure DevOps", "GitHub Actions" or "no CI system".</summary>
    public string Name => System switch
    {
        CiSystem.AzureDevOps => "Azure DevOps",
        CiSystem.GitHubActions => "GitHub Actions",
        _ => "no CI system",
    };

    /// <summary>The job's temporary folder variable (emptied after the job), as a PowerShell expression.</summary>
    public string TempFolderExpression => System switch
    {
        CiSystem.GitHubActions => "$env:RUNNER_TEMP",
        _ => "$env:AGENT_TEMPDIRECTORY",
    };

    public string? Variable(string name) => _variable(name);
}
