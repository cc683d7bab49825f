using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text;

namespace CrdbVault.Tests.Infrastructure;

/// <summary>
/// A PowerShell host that records what cmdlets write to it. -WhatIf text ("What if: Performing the
/// operation ...") goes to the host, not to a stream, so a test that wants to see that EVERY step
/// shows under -WhatIf runs the module in a runspace with this host. Prompts throw, as in a runbook.
/// </summary>
public sealed class RecordingHost : PSHost, IDisposable
{
    private readonly RecordingUi _ui = new();
    private readonly Runspace _runspace;

    public RecordingHost(IDictionary<string, object?> variables)
    {
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule([PowerShellSession.ModulePath]);
        _runspace = RunspaceFactory.CreateRunspace(this, iss);
        _runspace.Open();
        foreach ((string name, object? value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
    }

    /// <summary>Every line written to the host so far.</summary>
    public IReadOnlyList<string> Lines => _ui.Lines;

    /// <summary>The "What if:" lines so far.</summary>
    public IReadOnlyList<string> WhatIf => [.. _ui.Lines.Where(l => l.StartsWith("What if:", StringComparison.Ordinal))];

    /// <summary>Runs a script; throws with the errors when it fails.</summary>
    public void Run(string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        ps.Invoke();
        if (ps.HadErrors) throw new Xunit.Sdk.XunitException("Script failed:\n" + string.Join("\n", ps.Streams.Error.Select(e => $"{e.FullyQualifiedErrorId}: {e.Exception.Message}")));
    }

    public void Dispose() => _runspace.Dispose();

    public override string Name => "CrdbVaultTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface UI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    private sealed class RecordingUi : PSHostUserInterface
    {
        private readonly List<string> _lines = [];
        private readonly StringBuilder _partial = new();

        public IReadOnlyList<string> Lines { get { lock (_lines) return [.. _lines]; } }

        private void Add(string text)
        {
            lock (_lines)
            {
                _partial.Append(text);
                string all = _partial.ToString();
                int nl;
                while ((nl = all.IndexOf('\n')) >= 0)
                {
                    _lines.Add(all[..nl].TrimEnd('\r'));
                    all = all[(nl + 1)..];
                }
                _partial.Clear().Append(all);
            }
        }

        public override PSHostRawUserInterface? RawUI => null;
        public override void Write(string value) => Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Add(value);
        public override void WriteLine(string value) => Add(value + "\n");
        public override void WriteErrorLine(string value) => Add(value + "\n");
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override string ReadLine() => throw new NotSupportedException("no prompts in tests");
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException("no prompts in tests");
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) => throw new NotSupportedException("no prompts in tests");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException("no prompts in tests");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException("no prompts in tests");
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException("no prompts in tests");
    }
}
