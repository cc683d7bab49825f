// The .NET 8 isolation proof (docs/dependency-isolation.md).
//
// pwsh 7.4 runs on .NET 8 and has System.Diagnostics.DiagnosticSource 8.0.0.0 in its default load
// context; Npgsql 10's net8.0 build needs 9.0.0.0. This host runs on the real .NET 8 runtime
// (self-contained), loads the module the way PowerShell does and makes a real database call:
//
//   isolated (default)  Assembly.LoadFrom(out/CrdbVault/CrdbVault.dll), install the module's resolver
//                       (CrdbVault.Loader.DependencyResolver.Install, what ModuleInitializer.OnImport
//                       does), resolve CrdbVault.Core through the default context, run
//                       SqlConnectionTester.TestAsync against a real server => login succeeds and
//                       DiagnosticSource 9.0.0.0 comes from the module's own context.
//   flat                the same call with the dependencies loaded into the DEFAULT context (what a
//                       plain binary module gets) => FileLoadException for DiagnosticSource 9.0.0.0.
//
// It references neither CrdbVault.Core, Npgsql nor System.Management.Automation: everything is
// reached by reflection. Prints one JSON object; exit 0 when the mode proved what it should.
//
// usage: CrdbVault.Net8Host [isolated|flat] --module <CrdbVault.dll> --host H --port P --user U
//                           --root-cert <CA file> [--database D]      password from CRDBVAULT_NET8_PG_PASSWORD
//        (TLS verify-full against the CA: the sandbox's PostgreSQL speaks TLS only)
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security;
using System.Text.Json;
using System.Text.Json.Nodes;

string mode = "isolated";
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "isolated" or "flat") mode = args[i];
    else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length) options[args[i][2..]] = args[++i];
    else
    {
        Console.Error.WriteLine($"unknown argument '{args[i]}'");
        return 2;
    }
}
foreach (string required in new[] { "module", "host", "port", "user" })
{
    if (!options.ContainsKey(required))
    {
        Console.Error.WriteLine($"missing --{required}; usage: CrdbVault.Net8Host [isolated|flat] --module <CrdbVault.dll> --host H --port P --user U [--database D] (password in CRDBVAULT_NET8_PG_PASSWORD)");
        return 2;
    }
}

string modulePath = Path.GetFullPath(options["module"]);
string dependencies = Path.Combine(Path.GetDirectoryName(modulePath)!, "dependencies");
var report = new JsonObject
{
    ["mode"] = mode,
    ["runtime"] = Environment.Version.ToString(),
    ["frameworkDescription"] = RuntimeInformation.FrameworkDescription,
};

// What the default context has before the module arrives: the framework's own DiagnosticSource (8.0 on .NET 8).
report["defaultContextDiagnosticSource"] = AssemblyLoadContext.Default
    .LoadFromAssemblyName(new AssemblyName("System.Diagnostics.DiagnosticSource")).GetName().Version?.ToString();

// Import-Module of a binary module: Assembly.LoadFrom of the RootModule into the default context.
Assembly module = Assembly.LoadFrom(modulePath);
report["module"] = Describe(module);

if (mode == "isolated")
{
    // What ModuleInitializer.OnImport does. DependencyResolver has no System.Management.Automation
    // in its signature, so this works without PowerShell.
    Type resolver = module.GetType("CrdbVault.Loader.DependencyResolver", throwOnError: true)!;
    resolver.GetMethod("Install", BindingFlags.Public | BindingFlags.Static)!.Invoke(null, null);
    report["resolver"] = resolver.FullName;
}
else
{
    // A plain binary module: PowerShell resolves the module's references from the module folder
    // into the default context. Emulate that with a default-context resolver over dependencies/.
    AssemblyLoadContext.Default.Resolving += (context, name) =>
    {
        string path = Path.Combine(dependencies, name.Name + ".dll");
        return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
    };
    report["resolver"] = "default context probing dependencies/ (flat module)";
}

// The first use of Core, exactly as a cmdlet's JIT would ask for it: by name, from the default context.
Assembly core = AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName("CrdbVault.Core"));
report["core"] = Describe(core);

var login = new JsonObject();
report["login"] = login;
bool loggedIn = false;
Exception? failure = null;
try
{
    Type targetType = core.GetType("CrdbVault.Core.Sql.SqlTarget", throwOnError: true)!;
    object target = Activator.CreateInstance(targetType)!;
    Set(target, "Server", options["host"]);
    Set(target, "Port", int.Parse(options["port"], System.Globalization.CultureInfo.InvariantCulture));
    Set(target, "Database", options.GetValueOrDefault("database", "postgres"));
    Set(target, "UserName", options["user"]);
    Set(target, "Password", Secure(Environment.GetEnvironmentVariable("CRDBVAULT_NET8_PG_PASSWORD") ?? ""));
    // The sandbox speaks TLS only: verify-full against its CA, as any client of a secure cluster.
    Set(target, "SslMode", Enum.Parse(targetType.GetProperty("SslMode")!.PropertyType, "VerifyFull"));
    Set(target, "RootCertificatePath", options["root-cert"]);
    Set(target, "Timeout", TimeSpan.FromSeconds(15));

    MethodInfo test = core.GetType("CrdbVault.Core.Sql.SqlConnectionTester", throwOnError: true)!
        .GetMethod("TestAsync", BindingFlags.Public | BindingFlags.Static)!;
    var task = (Task)test.Invoke(null, [target, CancellationToken.None])!;
    await task.ConfigureAwait(false);
    object result = task.GetType().GetProperty("Result")!.GetValue(task)!;
    login["ok"] = loggedIn = true;
    login["user"] = (string?)Get(result, "UserName");
    login["serverVersion"] = (string?)Get(result, "ServerVersion");
    login["latencyMs"] = Math.Round(((TimeSpan)Get(result, "Latency")!).TotalMilliseconds, 1);
}
catch (Exception ex)
{
    failure = ex is TargetInvocationException { InnerException: Exception inner } ? inner : ex;
    login["ok"] = false;
    login["error"] = failure.GetType().FullName;
    login["message"] = failure.Message;
    // Npgsql (and Core after it) may wrap the load failure: look for it in the chain, and in the text
    // (0x80131621 is the HRESULT of FileLoadException).
    string? loadFailure = Chain(failure).OfType<FileLoadException>().Select(f => f.Message).FirstOrDefault()
        ?? Chain(failure).Select(e => e.Message).FirstOrDefault(m => m.Contains("Could not load file or assembly", StringComparison.Ordinal));
    if (loadFailure is not null) login["assemblyLoadFailure"] = loadFailure;
}

// Where every copy of the contested assemblies came from, after the call.
var loaded = new JsonObject();
foreach (string name in new[] { "CrdbVault", "CrdbVault.Core", "Npgsql", "System.Diagnostics.DiagnosticSource", "Microsoft.Extensions.Logging.Abstractions" })
{
    var copies = new JsonArray();
    foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == name)) copies.Add(Describe(a));
    loaded[name] = copies;
}
report["loaded"] = loaded;
report["systemManagementAutomationLoaded"] = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "System.Management.Automation");

bool proved;
if (mode == "isolated")
{
    // Logged in on .NET 8, Npgsql and DiagnosticSource 9 from the module's context, nothing of ours in the default context but CrdbVault.dll.
    bool npgsqlIsolated = Copies(loaded, "Npgsql").All(c => c.Context == "CrdbVault") && Copies(loaded, "Npgsql").Any();
    bool diag9Isolated = Copies(loaded, "System.Diagnostics.DiagnosticSource").Any(c => c.Context == "CrdbVault" && c.Version.StartsWith("9.", StringComparison.Ordinal));
    proved = loggedIn && Environment.Version.Major == 8 && npgsqlIsolated && diag9Isolated;
}
else
{
    // The failure pwsh 7.4 users would meet with a plain binary module.
    string? loadFailure = (string?)login["assemblyLoadFailure"];
    proved = !loggedIn && Environment.Version.Major == 8 && loadFailure is not null
        && loadFailure.Contains("System.Diagnostics.DiagnosticSource, Version=9.0.0.0", StringComparison.Ordinal);
}
report["proved"] = proved;

Console.WriteLine(report.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
return proved ? 0 : 1;

static JsonObject Describe(Assembly a) => new()
{
    ["name"] = a.GetName().Name,
    ["version"] = a.GetName().Version?.ToString(),
    ["loadContext"] = AssemblyLoadContext.GetLoadContext(a)?.Name,
    ["location"] = a.Location,
};

static IEnumerable<(string Context, string Version)> Copies(JsonObject loaded, string name) =>
    loaded[name]!.AsArray().Select(n => ((string?)n!["loadContext"] ?? "", (string?)n["version"] ?? ""));

static IEnumerable<Exception> Chain(Exception ex)
{
    for (Exception? e = ex; e is not null; e = e.InnerException)
    {
        yield return e;
        if (e is AggregateException agg)
            foreach (Exception inner in agg.InnerExceptions.SelectMany(Chain)) yield return inner;
    }
}

static void Set(object target, string property, object? value) => target.GetType().GetProperty(property)!.SetValue(target, value);

static object? Get(object target, string property) => target.GetType().GetProperty(property)!.GetValue(target);

static SecureString Secure(string text)
{
    var s = new SecureString();
    foreach (char c in text) s.AppendChar(c);
    s.MakeReadOnly();
    return s;
}
