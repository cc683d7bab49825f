using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace CrdbVault.Infrastructure;

/// <summary>Completes CockroachDB Cloud's CMEK key types (a fixed list; no connection needed).</summary>
public sealed class CmekTypeCompleter : IArgumentCompleter
{
    private static readonly string[] Types = ["AWS_KMS", "GCP_CLOUD_KMS", "AZURE_KEY_VAULT"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return Types.Where(t => pattern.IsMatch(t)).Select(t => new CompletionResult(t, t, CompletionResultType.ParameterValue, t));
    }
}
