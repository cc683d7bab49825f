using System.Reflection;
using System.Runtime.Loader;

namespace CrdbVault.Loader;

/// <summary>
/// The module's own load context. CrdbVault.Core, Npgsql and everything they depend on live in
/// <c>dependencies/</c> beside this assembly and load here, never into the default context.
/// </summary>
/// <remarks>
/// Why: Npgsql 10's net8.0 build needs System.Diagnostics.DiagnosticSource 9.0.0.0 while pwsh 7.4
/// already has 8.0.0.0 in its default context, so a flat module imports and then fails on its
/// first database call. Isolating our dependencies also shields us from other modules' copies
/// (Az.Accounts ships its own Microsoft.Extensions.*). We chose the resolver-hook pattern
/// (PSResourceGet, and Microsoft's documented sample) over PSOpenAD's two-assembly loader because
/// it keeps the cmdlets and the types users see in the RootModule assembly, needs no .psm1, and
/// keeps <c>Import-Module -Force</c> working; see docs/dependency-isolation.md.
/// </remarks>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private readonly string _folder;

    internal DependencyLoadContext(string folder) : base("CrdbVault", isCollectible: false)
    {
        _folder = folder;
    }

    internal string Folder => _folder;

    /// <summary>True when <paramref name="name"/> ships in our dependencies folder.</summary>
    internal bool Owns(AssemblyName name) => File.Exists(PathOf(name));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Our copy wins for anything we ship (that is the point: DiagnosticSource 9 on .NET 8).
        // Everything else (System.Runtime, System.Net.Http, ...) falls back to the default context,
        // so BCL types are shared with PowerShell and the cmdlets.
        string path = PathOf(assemblyName);
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) => IntPtr.Zero;

    private string PathOf(AssemblyName name) => Path.Combine(_folder, name.Name + ".dll");
}
