using System.Security;
using CrdbVault.Core.Secrets;

namespace CrdbVault.Core.Pipelines;

/// <summary>
/// Registers the secrets the module hands out with the CI system running the job
/// (<c>##vso[task.setsecret]</c> in Azure DevOps, <c>::add-mask::</c> in GitHub Actions), BEFORE they
/// are returned, so a stray Write-Host of one prints <c>***</c>. On by default inside those systems;
/// <c>CRDBVAULT_CI_MASKING=off</c> turns it off. Outside them it does nothing.
/// </summary>
/// <remarks>
/// Both systems mask line by line, so a multi-line secret (a PEM key) is registered one line at a
/// time: its base64 body lines, not the <c>-----BEGIN/END</c> armour (not secret, and masking it would
/// hide every certificate header in the log) and not blank lines (masking whitespace would blank the
/// log). Every kind of secret has ONE call site, so they are easy to find:
/// <c>grep -rn "CiMasking.Register" src/</c> (dynamic and static passwords, private keys, connection strings).
/// </remarks>
public sealed class CiMasking
{
    private readonly Func<CiEnvironment> _environment;
    private readonly Action<IEnumerable<string>> _write;

    internal CiMasking(Func<CiEnvironment> environment, Action<IEnumerable<string>> write)
    {
        _environment = environment;
        _write = write;
    }

    /// <summary>The process environment and its standard output.</summary>
    public static CiMasking Default { get; } = new(CiEnvironment.Current, StandardOutput.WriteLines);

    /// <summary>Registers a secret (every line of it) with the current CI system; outside one the secret is not even revealed.</summary>
    public static void Register(SecureString secret)
    {
        if (Default._environment().MaskingEnabled) Default.Add(SecureStrings.Reveal(secret));
    }

    /// <summary>
    /// Registers a connection string that carries a password: the whole string, the password, and
    /// the password as it appears inside the string (URL-escaped in a libpq URL).
    /// </summary>
    public static void RegisterConnectionString(string connectionString, SecureString password)
    {
        if (!Default._environment().MaskingEnabled) return;
        string plain = SecureStrings.Reveal(password);
        Default.Add(connectionString, plain, Uri.EscapeDataString(plain));
    }

    /// <summary>The commands written; none outside a CI system or with masking off.</summary>
    internal IReadOnlyList<string> Add(params string[] secrets)
    {
        CiEnvironment env = _environment();
        if (!env.MaskingEnabled) return [];
        var commands = new List<string>();
        foreach (string line in secrets.SelectMany(MaskedLines).Distinct(StringComparer.Ordinal))
            commands.Add(LoggingCommands.Mask(env.System, line));
        if (commands.Count > 0) _write(commands);
        return commands;
    }

    /// <summary>The lines of a secret worth masking (see the remarks).</summary>
    internal static IEnumerable<string> MaskedLines(string secret)
    {
        foreach (string line in secret.Split(["\r\n", "\n", "\r"], StringSplitOptions.None))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (line.StartsWith("-----BEGIN ", StringComparison.Ordinal) || line.StartsWith("-----END ", StringComparison.Ordinal)) continue;
            yield return line;
        }
    }
}
