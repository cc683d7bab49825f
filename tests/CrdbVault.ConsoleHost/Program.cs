// A pwsh for tests: PowerShell's console host from Microsoft.PowerShell.SDK, started with the
// command line it was given (-NoProfile -NonInteractive -Command ...). The SDK lays the built-in
// modules (Microsoft.PowerShell.Utility, .Host with Start-Transcript, ...) out under runtimes/<os>/,
// not next to the engine where pwsh keeps them, so that folder goes first on PSModulePath.
using System.Runtime.InteropServices;

string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : "unix";
string modules = Path.Combine(AppContext.BaseDirectory, "runtimes", os, "lib", "net10.0", "Modules");
string? existing = Environment.GetEnvironmentVariable("PSModulePath");
Environment.SetEnvironmentVariable("PSModulePath", string.IsNullOrEmpty(existing) ? modules : modules + Path.PathSeparator + existing);
return Microsoft.PowerShell.ConsoleShell.Start(bannerText: null, helpText: null, args);
