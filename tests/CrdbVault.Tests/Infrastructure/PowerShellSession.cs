using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace CrdbVault.Tests.Infrastructure;

/// <summary>
/// The real PowerShell engine hosted in-process (Microsoft.PowerShell.SDK 7.6.9: the engine and the
/// modules users have, Utility, Management, Security) with the
/// built module imported from out/CrdbVault/CrdbVault.psd1, exactly as a user would import it.
/// Commands run as typed; every stream is captured so tests can assert on errors, warnings,
/// verbose text and progress, and grep all of it for secrets.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;

    public PowerShellSession(IDictionary<string, object?>? variables = null)
    {
        var iss = InitialSessionState.CreateDefault();
        iss.ImportPSModule([ModulePath]);
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        if (variables is not null)
            foreach ((string name, object? value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
    }

    /// <summary>out/CrdbVault/CrdbVault.psd1 at the repository root (built by the test project's build).</summary>
    public static string ModulePath => Path.Combine(RepoRoot, "out", "CrdbVault", "CrdbVault.psd1");

    public static string RepoRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "CrdbVault.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("Cannot find the repository root (CrdbVault.sln) above " + AppContext.BaseDirectory);
        }
    }

    public void SetVariable(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    public object? GetVariable(string name) => _runspace.SessionStateProxy.GetVariable(name);

    /// <summary>
    /// Runs script text; never throws for script errors (they are in <see cref="ScriptResult.Errors"/>).
    /// <paramref name="stopWhen"/> presses Ctrl+C (stops the pipeline) as soon as the condition holds,
    /// e.g. once a request has reached a double: a state, never a delay, so a busy machine cannot make
    /// the stop come before the thing it is meant to interrupt.
    /// </summary>
    public ScriptResult Run(string script, bool verbose = false, Func<bool>? stopWhen = null)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        if (verbose) ps.AddScript("$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'").Invoke();
        ps.Commands.Clear();
        ps.AddScript(script);
        var output = new Collection<PSObject>();
        Exception? terminating = null;
        int stopped = 0;
        Timer? stopper = stopWhen is null ? null : new Timer(_ =>
        {
            if (Volatile.Read(ref stopped) == 0 && stopWhen() && Interlocked.Exchange(ref stopped, 1) == 0) ps.BeginStop(null, null);
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(20));
        try
        {
            output = ps.Invoke();
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        finally
        {
            stopper?.Dispose();
        }
        return new ScriptResult(
            [.. output],
            [.. ps.Streams.Error],
            [.. ps.Streams.Warning.Select(w => w.Message)],
            [.. ps.Streams.Verbose.Select(v => v.Message)],
            [.. ps.Streams.Debug.Select(d => d.Message)],
            [.. ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "")],
            [.. ps.Streams.Progress],
            terminating,
            ps.InvocationStateInfo.State == PSInvocationState.Stopped);
    }

    public void Dispose() => _runspace.Dispose();
}

/// <summary>Everything a script produced.</summary>
public sealed record ScriptResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<string> Debug,
    IReadOnlyList<string> Information,
    IReadOnlyList<ProgressRecord> Progress,
    Exception? Terminating,
    bool Stopped)
{
    /// <summary>All errors, the terminating one included.</summary>
    public IEnumerable<ErrorRecord> AllErrors =>
        Terminating is RuntimeException { ErrorRecord: ErrorRecord r } ? Errors.Append(r) : Errors;

    public bool Succeeded => Terminating is null && Errors.Count == 0;

    /// <summary>Fails with the script's own error text, so a failing test says why.</summary>
    public ScriptResult AssertSuccess()
    {
        if (!Succeeded) throw new Xunit.Sdk.XunitException("Script failed:\n" + string.Join("\n", AllErrors.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
        return this;
    }

    /// <summary>The single error (terminating or not); fails when there is none or more than one.</summary>
    public ErrorRecord SingleError()
    {
        var all = AllErrors.ToList();
        if (all.Count != 1) throw new Xunit.Sdk.XunitException($"Expected one error, got {all.Count}:\n" + string.Join("\n", all.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")) + (Output.Count > 0 ? "\nOutput: " + string.Join(", ", Output) : ""));
        return all[0];
    }

    /// <summary>Everything any stream said, rendered as text, for secret greps.</summary>
    public string AllText()
    {
        var sb = new StringBuilder();
        foreach (PSObject o in Output)
        {
            sb.AppendLine(o?.ToString());
            if (o is null) continue;
            foreach (PSPropertyInfo p in o.Properties)
            {
                try { sb.AppendLine($"{p.Name}={p.Value}"); } catch (GetValueException) { }
            }
        }
        foreach (ErrorRecord e in AllErrors)
        {
            sb.AppendLine(e.ToString()).AppendLine(e.Exception.ToString()).AppendLine(e.ErrorDetails?.Message).AppendLine(e.TargetObject?.ToString());
        }
        foreach (string s in Warnings.Concat(Verbose).Concat(Debug).Concat(Information)) sb.AppendLine(s);
        foreach (ProgressRecord p in Progress) sb.AppendLine(p.ToString());
        return sb.ToString();
    }
}
