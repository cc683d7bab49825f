using System.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Pipelines;

/// <summary>
/// A variable for later steps of a CI job, checked completely before anything is written
/// (<see cref="Prepare"/>), then written by <see cref="Write"/>: in Azure DevOps one
/// <c>##vso[task.setvariable]</c> line on standard output; in GitHub Actions <c>::add-mask::</c> for a
/// secret, then a heredoc entry appended to <c>$GITHUB_ENV</c> (or <c>$GITHUB_OUTPUT</c>).
/// </summary>
public sealed partial class PipelineVariable
{
    /// <summary>The stable error id of a refused name or value.</summary>
    public const string ErrorId = "InvalidPipelineVariable";

    /// <summary>Both systems hand variables to later steps as environment variables; Windows caps one at 32,767 characters.</summary>
    public const int MaxValueLength = 32_767;

    // Portable across both systems and the environment variables they become: no '.', '-' or spaces.
    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,99}\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    /// <summary>Azure DevOps hides variables starting with these from tasks and scripts (any case).</summary>
    private static readonly string[] AzureReservedPrefixes = ["endpoint", "input", "secret", "path", "securefile"];

    /// <summary>GitHub Actions refuses to overwrite its own variables through GITHUB_ENV, and blocks NODE_OPTIONS there.</summary>
    private static readonly string[] GitHubReservedEnvPrefixes = ["GITHUB_", "RUNNER_"];

    private readonly SecureString _value;

    private PipelineVariable(CiSystem system, string name, SecureString value, bool secret, bool isOutput, string? file)
    {
        System = system;
        Name = name;
        _value = value;
        IsSecret = secret;
        IsOutput = isOutput;
        FilePath = file;
    }

    public CiSystem System { get; }
    public string Name { get; }
    public bool IsSecret { get; }
    public bool IsOutput { get; }

    /// <summary>GitHub Actions: the $GITHUB_ENV or $GITHUB_OUTPUT file appended to; null in Azure DevOps.</summary>
    public string? FilePath { get; }

    /// <summary>How later steps read it, e.g. <c>$(DB_PASSWORD)</c> or <c>${{ env.DB_PASSWORD }}</c>.</summary>
    public string Reference => (System, IsOutput) switch
    {
        (CiSystem.AzureDevOps, false) => $"$({Name})",
        (CiSystem.AzureDevOps, true) => $"$(<step name>.{Name})",
        (_, false) => $"${{{{ env.{Name} }}}}",
        _ => $"${{{{ steps.<step id>.outputs.{Name} }}}}",
    };

    /// <summary>A sentence for -WhatIf/-Confirm; never the value.</summary>
    public string Description =>
        $"{(System == CiSystem.AzureDevOps ? "Azure DevOps" : "GitHub Actions")} {(IsOutput ? "output " : "")}variable " +
            $"'{Name}'{(IsSecret ? " (secret, masked)" : "")}";

    /// <summary>
    /// Checks everything: the CI system, the name, the value (a secret must be one non-empty line),
    /// and for GitHub Actions the file to append to. Throws <see cref="InputRefusedException"/> for bad
    /// input and <see cref="NotInPipelineException"/> outside a CI system; nothing is written.
    /// </summary>
    public static PipelineVariable Prepare(CiEnvironment env, string name, SecureString value, bool secret, bool isOutput)
    {
        ValidateName(name, env.System, isOutput);
        if (env.Ambiguous)
            throw new NotInPipelineException("Both TF_BUILD (Azure DevOps) and GITHUB_ACTIONS (GitHub Actions) are set, " +
                "so it is unclear which system reads the variable; nothing was written. Unset the one that does not apply.");
        if (env.System == CiSystem.None)
            throw new NotInPipelineException("Set-CrdbPipelineVariable works inside an Azure DevOps pipeline (TF_BUILD=True) " +
                "or a GitHub Actions job (GITHUB_ACTIONS=true); neither is set here, so nothing was written. Outside a pipeline, " +
                "keep the value in a variable of your session instead.");

        string plain = SecureStrings.Reveal(value);
        if (plain.Length > MaxValueLength)
            throw new InputRefusedException($"-Value is {plain.Length} characters long; at most {MaxValueLength} fit in the environment variable later steps " +
                $"receive. Write large values to a file in {env.TempFolderExpression} instead.", ErrorId, "Value");
        if (secret)
        {
            if (plain.Length == 0)
                throw new InputRefusedException("-Value is empty: there is no secret to mask. Check where the value comes from.", ErrorId, "Value");
            if (plain.AsSpan().IndexOfAny('\r', '\n') >= 0)
                throw new InputRefusedException($"-Value is a secret of several lines. {env.Name} masks secrets line by line, " +
                    $"so it cannot be masked as one value (a PEM key would leak in pieces). " +
                    $"Write such secrets to files in the job's temporary folder instead, e.g. New-CrdbClientCert -User <user> -CertsDir (Join-Path " +
                        $"{env.TempFolderExpression} 'certs'), and pass the folder's path as the variable.", ErrorId, "Value");
            if (string.IsNullOrWhiteSpace(plain))
                throw new InputRefusedException("-Value is only white space: masking it would blank the whole log. Check where the value comes from.",
                    ErrorId, "Value");
        }

        string? file = null;
        if (env.System == CiSystem.GitHubActions)
        {
            string variable = isOutput ? "GITHUB_OUTPUT" : "GITHUB_ENV";
            file = env.Variable(variable);
            if (string.IsNullOrWhiteSpace(file))
                throw new NotInPipelineException($"GITHUB_ACTIONS is true but {variable} is not set, so there is no file to write the variable to; " +
                    $"nothing was written. Run this inside a step of a GitHub Actions job.");
            string? folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (folder is null || !Directory.Exists(folder))
                throw new NotInPipelineException($"{variable} points to '{file}', whose folder does not exist; nothing was written.");
        }
        return new PipelineVariable(env.System, name, value, secret, isOutput, file);
    }

    /// <summary>Letters, digits and '_' (starting with a letter or '_'), at most 100, and none of the system's reserved names.</summary>
    public static string ValidateName(string? name, CiSystem system, bool isOutput)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
            throw new InputRefusedException($"-Name '{name}' is not a valid variable name. Use letters, digits and '_' (at most 100), " +
                $"starting with a letter or '_', e.g. 'DB_PASSWORD'.", ErrorId, "Name");
        foreach (string prefix in AzureReservedPrefixes)
        {
            if (system != CiSystem.GitHubActions && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                throw new InputRefusedException($"-Name '{name}' starts with '{prefix}': Azure DevOps hides variables starting with endpoint, input, secret, " +
                    $"path or securefile from tasks and scripts. Choose another name, e.g. 'DB_{name}'.", ErrorId, "Name");
        }
        if (system != CiSystem.AzureDevOps && !isOutput)
        {
            foreach (string prefix in GitHubReservedEnvPrefixes)
                if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    throw new InputRefusedException($"-Name '{name}' starts with '{prefix}': " +
                        $"GitHub Actions does not let a step overwrite its own {prefix}* variables. Choose another name.", ErrorId, "Name");
            if (name.Equals("NODE_OPTIONS", StringComparison.OrdinalIgnoreCase))
                throw new InputRefusedException("-Name 'NODE_OPTIONS' is blocked by GitHub Actions in GITHUB_ENV. Choose another name.", ErrorId, "Name");
        }
        return name;
    }

    /// <summary>Writes the variable. Reveals the value only here.</summary>
    public void Write()
    {
        string value = SecureStrings.Reveal(_value);
        if (System == CiSystem.AzureDevOps)
        {
            StandardOutput.WriteLines([LoggingCommands.AzureSetVariable(Name, value, IsSecret, IsOutput)]);
            return;
        }
        // The mask first: from then on the runner hides the value wherever it appears.
        if (IsSecret) StandardOutput.WriteLines([LoggingCommands.Mask(CiSystem.GitHubActions, value)]);
        AppendToFile(FilePath!, FileEntry(Name, value));
    }

    /// <summary><c>NAME&lt;&lt;DELIMITER</c>, the value, <c>DELIMITER</c>: the form that takes any value, with a delimiter not found in it.</summary>
    internal static string FileEntry(string name, string value)
    {
        string delimiter = Delimiter(value);
        string nl = Environment.NewLine;
        return $"{name}<<{delimiter}{nl}{value}{nl}{delimiter}{nl}";
    }

    /// <summary>A random delimiter that does not occur anywhere in the value (so no line of it can end the entry early).</summary>
    internal static string Delimiter(string value)
    {
        while (true)
        {
            string candidate = "ghadelimiter_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            if (!value.Contains(candidate, StringComparison.Ordinal)) return candidate;
        }
    }

    /// <summary>One append of the whole entry (UTF-8, no BOM), so a reader never sees half of it.</summary>
    private static void AppendToFile(string path, string entry)
    {
        byte[] bytes = new UTF8Encoding(false).GetBytes(entry);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        stream.Write(bytes, 0, bytes.Length);
        stream.Flush(flushToDisk: true);
    }

    public override string ToString() => Description;
}

/// <summary>Outside a CI system (or in two at once, or without GitHub's file): nothing can be set. Error id NotInPipeline.</summary>
public sealed class NotInPipelineException(string message) : InvalidOperationException(message);
