namespace CrdbVault.Tests.Infrastructure;

/// <summary>
/// Sets process environment variables (what a CI job or an Azure host would have) for one test and
/// restores every one on Dispose. The hosted PowerShell engine runs in this process, so the module
/// sees them. Tests that use it belong to the "sandbox" collection, which runs one test at a time.
/// </summary>
public sealed class EnvironmentScope : IDisposable
{
    private readonly Dictionary<string, string?> _before = [];

    public EnvironmentScope(IReadOnlyDictionary<string, string?> values)
    {
        foreach (var (name, value) in values) Set(name, value);
    }

    /// <summary>Sets (or, with null, removes) a variable until Dispose.</summary>
    public void Set(string name, string? value)
    {
        if (!_before.ContainsKey(name)) _before[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _before) Environment.SetEnvironmentVariable(name, value);
    }
}
