namespace CrdbVault.Core.Pipelines;

/// <summary>
/// The logging commands CI agents read from a step's standard output, with each system's escaping:
/// Azure DevOps (azure-pipelines-task-lib) turns <c>%</c> into <c>%AZP25</c>, CR into <c>%0D</c>, LF into
/// <c>%0A</c>, and in property values also <c>;</c> into <c>%3B</c> and <c>]</c> into <c>%5D</c>; GitHub
/// Actions (actions/toolkit) turns <c>%</c> into <c>%25</c>, CR into <c>%0D</c>, LF into <c>%0A</c>, and in
/// properties also <c>:</c> into <c>%3A</c> and <c>,</c> into <c>%2C</c>. Escaping CR and LF is what keeps a
/// value from starting a line of its own, i.e. from smuggling in a command.
/// </summary>
public static class LoggingCommands
{
    public static string AzureData(string value) =>
        value.Replace("%", "%AZP25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    public static string AzureProperty(string value) =>
        AzureData(value).Replace(";", "%3B", StringComparison.Ordinal).Replace("]", "%5D", StringComparison.Ordinal);

    public static string GitHubData(string value) =>
        value.Replace("%", "%25", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal).Replace("\n", "%0A", StringComparison.Ordinal);

    public static string GitHubProperty(string value) =>
        GitHubData(value).Replace(":", "%3A", StringComparison.Ordinal).Replace(",", "%2C", StringComparison.Ordinal);

    /// <summary><c>##vso[task.setsecret]</c> or <c>::add-mask::</c> for one line of a secret.</summary>
    public static string Mask(CiSystem system, string line) => system switch
    {
        CiSystem.AzureDevOps => "##vso[task.setsecret]" + AzureData(line),
        CiSystem.GitHubActions => "::add-mask::" + GitHubData(line),
        _ => throw new ArgumentOutOfRangeException(nameof(system), "No CI system to write a logging command for."),
    };

    /// <summary><c>##vso[task.setvariable variable=NAME;issecret=…;isoutput=…]value</c>.</summary>
    public static string AzureSetVariable(string name, string value, bool secret, bool isOutput) =>
        $"##vso[task.setvariable variable={AzureProperty(name)};issecret={Bool(secret)};isoutput={Bool(isOutput)}]{AzureData(value)}";

    private static string Bool(bool b) => b ? "true" : "false";
}
