using System.Reflection;
using System.Runtime.Loader;

namespace CrdbVault.Loader;

/// <summary>
/// Routes the module's own dependencies (CrdbVault.Core, Npgsql and what they need, all in
/// <c>dependencies/</c> beside CrdbVault.dll) into <see cref="DependencyLoadContext"/> by hooking
/// <see cref="AssemblyLoadContext.Default"/>'s <c>Resolving</c> event.
/// </summary>
/// <remarks>
/// This class deliberately uses nothing from System.Management.Automation, so a host without
/// PowerShell (the .NET 8 isolation proof, <c>tests/CrdbVault.Net8Host</c>) can load it by
/// reflection and install exactly the resolver PowerShell installs through
/// <see cref="ModuleInitializer"/> at <c>Import-Module</c>.
/// </remarks>
public static class DependencyResolver
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? _context;

    /// <summary>The folder that holds our isolated dependencies (<c>dependencies/</c> beside CrdbVault.dll).</summary>
    public static string DependencyFolder =>
        Path.Combine(Path.GetDirectoryName(typeof(DependencyResolver).Assembly.Location)!, "dependencies");

    /// <summary>The module's load context once <see cref="Install"/> ran, else null.</summary>
    public static AssemblyLoadContext? LoadContext => _context;

    /// <summary>Installs the resolver; safe to call more than once (<c>Import-Module -Force</c>).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            _context ??= new DependencyLoadContext(DependencyFolder);
            AssemblyLoadContext.Default.Resolving -= OnResolving;
            AssemblyLoadContext.Default.Resolving += OnResolving;
        }
    }

    /// <summary>
    /// Stops resolving new requests through the module's context. The context itself is not
    /// unloaded: objects in the session may still use types from it.
    /// </summary>
    public static void Uninstall()
    {
        lock (Gate) AssemblyLoadContext.Default.Resolving -= OnResolving;
    }

    private static Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name)
    {
        // Only the assemblies this module references directly reach the default context's
        // resolver (CrdbVault.Core); their own references then resolve inside our context.
        DependencyLoadContext? alc = _context;
        return alc is not null && alc.Owns(name) ? alc.LoadFromAssemblyName(name) : null;
    }
}
