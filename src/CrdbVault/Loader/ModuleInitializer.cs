using System.Management.Automation;

namespace CrdbVault.Loader;

/// <summary>
/// PowerShell's entry points at <c>Import-Module</c> / <c>Remove-Module</c>: they install and remove
/// <see cref="DependencyResolver"/>, so that the first use of CrdbVault.Core (not the import itself:
/// nothing heavy loads until a cmdlet runs) resolves into <see cref="DependencyLoadContext"/>.
/// </summary>
/// <remarks>
/// This type implements System.Management.Automation interfaces, so loading it needs PowerShell;
/// the resolver itself lives in <see cref="DependencyResolver"/>, which does not.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => DependencyResolver.Install();

    public void OnRemove(PSModuleInfo psModuleInfo) => DependencyResolver.Uninstall();

    /// <summary>Installs the resolver; safe to call more than once (Import-Module -Force).</summary>
    public static void Install() => DependencyResolver.Install();
}
