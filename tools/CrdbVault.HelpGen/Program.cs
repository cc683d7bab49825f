using System.Reflection;
using System.Text;
using System.Xml;

namespace CrdbVault.HelpGen;

/// <summary>
/// dotnet exec CrdbVault.HelpGen.dll --module out/CrdbVault/CrdbVault.dll --xmldoc .../CrdbVault.xml
///     --docs docs/cmdlets --manifest CrdbVault.psd1 --out out/CrdbVault/en-US/CrdbVault.dll-Help.xml
/// Problems are printed in MSBuild's canonical format ("file: warning HG001: ..."), so the build
/// shows them; only malformed input (a file that cannot be read) stops the build.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            var options = ParseArgs(args);
            string module = Path.GetFullPath(Required(options, "module"));
            string output = Path.GetFullPath(Required(options, "out"));
            var docs = new XmlDocs(options.TryGetValue("xmldoc", out string? xml) && File.Exists(xml) ? xml : null);
            string? docsDir = options.GetValueOrDefault("docs");
            IReadOnlyList<string> exported = options.TryGetValue("manifest", out string? psd1) ? Manifest.ExportedCmdlets(psd1) : [];

            Assembly assembly = ModuleLoader.Load(module);
            var diagnostics = new Diagnostics();
            List<CmdletModel> cmdlets = CmdletReader.Read(assembly, docs, diagnostics);
            var present = cmdlets.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

            foreach (CmdletModel cmdlet in cmdlets)
            {
                string mdPath = docsDir is null ? "" : Path.Combine(docsDir, cmdlet.Name + ".md");
                if (docsDir is not null && File.Exists(mdPath))
                    cmdlet.Apply(MarkdownHelp.Parse(mdPath, diagnostics), mdPath, diagnostics);
                else
                    diagnostics.Warn(mdPath.Length > 0 ? mdPath : cmdlet.Name, $"no docs/cmdlets/{cmdlet.Name}.md: {cmdlet.Name} has no examples.");
                cmdlet.Check(diagnostics);
            }
            var absent = exported.Where(n => !present.Contains(n)).ToList();
            if (absent.Count > 0)
                Console.WriteLine($"HelpGen: {absent.Count} cmdlet(s) of CmdletsToExport are not in {Path.GetFileName(module)} (not on this branch yet), no help for them: {string.Join(", ", absent)}.");

            Directory.CreateDirectory(Path.GetDirectoryName(output)!);
            var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
            string temp = output + ".tmp";
            using (var writer = XmlWriter.Create(temp, settings))
                MamlWriter.Write(writer, cmdlets.OrderBy(c => c.Name, StringComparer.Ordinal));
            File.Move(temp, output, overwrite: true);
            Console.WriteLine($"HelpGen: wrote help for {cmdlets.Count} cmdlet(s) to {output} ({diagnostics.Warnings} warning(s)).");
            return 0;
        }
        catch (HelpGenException ex)
        {
            Console.Error.WriteLine($"{ex.File ?? "HelpGen"}: error HG000: {ex.Message}");
            return 1;
        }
    }

    private static Dictionary<string, string> ParseArgs(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new HelpGenException($"unexpected argument '{args[i]}'. Usage: --module <dll> --out <xml> [--xmldoc <xml>] [--docs <dir>] [--manifest <psd1>]");
            result[args[i][2..]] = args[++i];
        }
        return result;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out string? v) ? v : throw new HelpGenException($"--{name} is required.");
}

internal sealed class HelpGenException(string message, string? file = null) : Exception(message)
{
    public string? File { get; } = file;
}

/// <summary>Warnings in MSBuild's canonical format, so Exec turns them into build warnings.</summary>
internal sealed class Diagnostics
{
    public int Warnings { get; private set; }

    public void Warn(string file, string message)
    {
        Warnings++;
        Console.WriteLine($"{file}: warning HG001: {message}");
    }
}

/// <summary>Loads the module assembly for reflection; its dependencies come from dependencies/ beside it.</summary>
internal static class ModuleLoader
{
    public static Assembly Load(string path)
    {
        if (!File.Exists(path)) throw new HelpGenException($"{path} does not exist: build src/CrdbVault first.", path);
        string dependencies = Path.Combine(Path.GetDirectoryName(path)!, "dependencies");
        AppDomain.CurrentDomain.AssemblyResolve += (_, e) =>
        {
            string candidate = Path.Combine(dependencies, new AssemblyName(e.Name).Name + ".dll");
            return File.Exists(candidate) ? Assembly.LoadFrom(candidate) : null;
        };
        return Assembly.LoadFrom(path);
    }
}

/// <summary>CmdletsToExport of the module manifest, read with PowerShell's own parser.</summary>
internal static class Manifest
{
    public static IReadOnlyList<string> ExportedCmdlets(string psd1)
    {
        var ast = System.Management.Automation.Language.Parser.ParseFile(psd1, out _, out var errors);
        if (errors.Length > 0) throw new HelpGenException($"cannot parse: {errors[0].Message}", psd1);
        var table = (System.Management.Automation.Language.HashtableAst?)ast.Find(a => a is System.Management.Automation.Language.HashtableAst, false);
        var entry = table?.KeyValuePairs.FirstOrDefault(kv => kv.Item1 is System.Management.Automation.Language.StringConstantExpressionAst { Value: "CmdletsToExport" });
        if (entry is null) return [];
        return entry.Item2.FindAll(a => a is System.Management.Automation.Language.StringConstantExpressionAst, false)
            .Cast<System.Management.Automation.Language.StringConstantExpressionAst>().Select(s => s.Value).ToList();
    }
}
