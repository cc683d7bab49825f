using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace CrdbVault.Loader;

/// <summary>
/// Hooks the default load context at import so that the first use of CrdbVault.Core (not the
/// import itself: nothing heavy loads until a cmdlet runs) resolves into <see cref="DependencyLoadContext"/>.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? s_context;

    /// <summary>The folder that holds our isolated dependencies.</summary>
    internal static string DependencyFolder =>
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    public void OnImport() => Install();

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // The context itself cannot be unloaded (types from it may still be referenced by objects
        // in the session); only stop resolving new requests through it.
        AssemblyLoadContext.Default.Resolving -= OnResolving;
    }

    /// <summary>Installs the resolver; safe to call more than once (Import-Module -Force).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            s_context ??= new DependencyLoadContext(DependencyFolder);
            AssemblyLoadContext.Default.Resolving -= OnResolving;
            AssemblyLoadContext.Default.Resolving += OnResolving;
        }
    }

    private static Assembly? OnResolving(AssemblyLoadContext context, AssemblyName name)
    {
        // Only the assemblies this module references directly reach the default context's
        // resolver (CrdbVault.Core); their own references then resolve inside our context.
        DependencyLoadContext? alc = s_context;
        return alc is not null && alc.Owns(name) ? alc.LoadFromAssemblyName(name) : null;
    }
}
