using System.Management.Automation;
using System.Reflection;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// The hostile-input corpus (issue 8): every string-like parameter of every exported cmdlet, found
/// by reflection, must name its kind ([Input(InputKind.X)]); every hostile value of that kind,
/// given on the command line and (where the parameter takes pipeline input) piped, must end in an
/// error record with a stable id, with no request reaching the Vault or Cloud double (both are the
/// session's connections, so a value that slipped through WOULD be counted), no file created and no
/// crash. One session and one PowerShell call per parameter keep it to seconds.
/// </summary>
[Collection("sandbox")]
public sealed class HostileInputCorpusTests(SandboxFixture sandbox)
{
    /// <summary>Parameter types that carry text and therefore need a kind.</summary>
    private static readonly Type[] TextTypes = [typeof(string), typeof(string[]), typeof(SecureString), typeof(PSCredential), typeof(TimeSpan), typeof(TimeSpan?)];

    /// <summary>
    /// Parameter types that need no kind: switches, numbers PowerShell range-checks, GUIDs its binder parses (anything else is
    /// refused at binding), and objects the cmdlet itself reads and checks.
    /// </summary>
    private static readonly string[] OtherTypes =
    [
        typeof(SwitchParameter).FullName!, typeof(int).FullName!, typeof(Guid).FullName!, typeof(object).FullName!, typeof(PSObject[]).FullName!,
        "CrdbVault.VaultConnection", "CrdbVault.CloudConnection", "CrdbVault.StoreKey",
        // Use-CrdbDynamicCredential: the user's own code and its arguments, handed to it untouched.
        typeof(ScriptBlock).FullName!, typeof(object[]).FullName!,
    ];

    /// <summary>The id each kind reports unless the parameter or its cmdlet names another (these are public: scripts catch them).</summary>
    private static readonly Dictionary<string, string> DefaultIds = new()
    {
        ["NameSegment"] = "InvalidName", ["NamePattern"] = "InvalidName", ["MountPath"] = "InvalidMountPath", ["VaultPath"] = "InvalidVaultPath",
        ["SqlUser"] = "InvalidSqlUser", ["LeaseId"] = "InvalidLeaseId", ["LeasePrefix"] = "InvalidLeasePrefix", ["ReadPath"] = "InvalidPath",
        ["WritePath"] = "InvalidPath", ["ServiceUrl"] = "InvalidUrl", ["DatabaseUrl"] = "InvalidUrl", ["Host"] = "InvalidHost",
        ["ClusterId"] = "InvalidClusterId", ["Region"] = "InvalidRegion", ["SerialNumber"] = "InvalidSerialNumber", ["Pem"] = "InvalidPem",
        ["FreeText"] = "InvalidText", ["Secret"] = "InvalidSecret", ["SqlCredential"] = "InvalidCredential", ["LoginCredential"] = "InvalidCredential", ["Duration"] = "InvalidDuration",
    };

    // ---- the corpora ----

    private static readonly string Long = new('a', 10_000);

    /// <summary>What every kind of text refuses.</summary>
    private static readonly string[] Text =
    [
        "", "\n", "app\n", "\napp", "a\rb", "a\tb", "a\0b", " app", "app ", "\u00a0app", Long,
        "app\u200b", "app\u202e", "\u202eppa", "app\u0007", "app\u001b[31m",
    ];

    /// <summary>Names: traversal, separators, encodings, look-alikes.</summary>
    private static readonly string[] Names =
    [
        .. Text, ".", "..", "app.", "a/b", "../app", "%2e%2e", "%0a", "a%b", "app?x", "app#x", "a b", "\u0430pp" /* Cyrillic a */, "ａｐｐ" /* full width */, "a;b", "a'b", "a\"b", "a\\b", "*", "a*",
    ];

    private static readonly Dictionary<string, string[]> Corpus = new()
    {
        ["NameSegment"] = Names,
        // ? and * are wildcards here ('app?x' is a pattern), so they are not hostile.
        ["NamePattern"] = [.. Names.Where(n => n is not ("*" or "a*" or "app?x")), "a/*", "*/..", "%2a"],
        ["MountPath"] = [.. Names.Where(n => n is not ("a/b" or "*" or "a*")), "sys", "sys/mounts/database", "auth/token", "identity", "cubbyhole/x", "SYS/mounts", "Sys", "a//b", "a/../b", "a/./b", "/", "//", "a/%2e%2e"],
        ["VaultPath"] = [.. Names.Where(n => n is not ("a/b" or "*" or "a*")), "a//b", "a/../b", "/"],
        ["SqlUser"] = [.. Names, "app..x", "Admin", "public", "node", "none", "pg_monitor", "crdb_internal_x", "-app", new string('a', 64), "app@host"],
        ["LeaseId"] = [.. Text, "$(CRDB_LEASE)", "${{ steps.cred.outputs.lease }}", "$env:CRDB_LEASE", "$[variables.lease]", "database", "a/../b", "a//b", "/a/b", "a/b/", "a/b?x", "a/b#x", "a/b%2fc", "a/./b", "a b/c", "database/creds/\u0430pp/x"],
        ["LeasePrefix"] = [.. Text, "$(X)", "${{ x }}", "a/../b", "..", "/", "//", "a//b", "a/b?x", "%2e%2e/x"],
        ["ReadPath"] = [.. Text],
        ["WritePath"] = [.. Text, "*.key", "store?.key", "store[1].key", "store].key"],
        ["ServiceUrl"] = [.. Text, "vault.example.com", "ftp://vault", "https://ops:Hunter2@vault.example.com", "https://vault.example.com?password=Hunter2", "https://vault.example.com#x", "javascript:alert(1)", "http://", "file:///etc/passwd", "https://vault.example.com/v1/sys?x=1"],
        ["DatabaseUrl"] = [.. Text, "postgresql://root:Hunter2@db:26257/defaultdb", "postgresql://db:26257/defaultdb?password=Hunter2", "postgresql://db/defaultdb?sslpassword=Hunter2", "postgresql://db/x?PASSWORD=Hunter2", "http://db:26257/x", "db:26257", "postgresql://"],
        ["Host"] = [.. Text, "localhost/postgres?port=1&sslmode=disable#", "db:26257", "db/x", "http://db", "-db", "db..x", ".db", "1.2.3", "999.1.1.1", "fe80::1%0a", "db_x", "d b", "db\u0430", "[::1]:26257"],
        ["ClusterId"] = [.. Text, "payments-prod", "../x", "%2e%2e", "6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f\n", " 6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f", "6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f/../x", "{6b1f4c2e-8d3a-4e5b-9c7d-0a1b2c3d4e5f}"],
        ["Region"] = [.. Text, "US-EAST-1", "us east 1", "-us", "us-east-1-", "us/east", "..", "us_east"],
        ["SerialNumber"] = [.. Text, "zz", "1d:2f:xyz", "1d::2f", "1d:2f:", "0x1d2f", "1d 2f", "1d%2f"],
        ["Pem"] = ["\0", "-----BEGIN CERTIFICATE-----\0\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\n" + new string('A', 2 * 1024 * 1024) + "\n-----END CERTIFICATE-----\n"],
        ["FreeText"] = [.. Text],
        ["Secret"] = ["", "tok\n", " tok", "tok ", "tok\0", "t\u200bok", new string('t', 20_000)],
        ["SqlCredential"] = ["", "Admin", "app\n", "app\0", "a/b", "public"],
        ["LoginCredential"] = ["", "..", "app\n", "app\0", "a/b", "a%2fb", " alice", "al ice", "a\u200bb", Long],
        ["Duration"] = ["-1h", "0", "-5", "1e400h", "NaN", "1h\n", "87660000h", "10000000d", Long, "1h; 2h", ""],
        ["Choice"] = ["not-a-choice", "\n", "", Long],
    };

    /// <summary>A valid value of each kind, as a PowerShell expression, for the parameters that are not under test.</summary>
    private static string Valid(string kind, string parameter) => kind switch
    {
        "NameSegment" or "NamePattern" => "'app'",
        "MountPath" => "'database'",
        "VaultPath" => "'approle'",
        "SqlUser" => "'app'",
        "LeaseId" => "'database/creds/app/AbCd'",
        "LeasePrefix" => "'database/creds/app'",
        "ReadPath" => "($Tmp + '/in/ca.crt')",
        "WritePath" => "($Tmp + '/out/store.key')",
        "ServiceUrl" => parameter == "ServerUrl" ? "$CloudServer" : "$VaultAddress",
        "DatabaseUrl" => "'postgresql://db:26257/defaultdb'",
        "Host" => "'localhost'",
        "ClusterId" => "$ClusterId",
        "Region" => "'us-east-1'",
        "SerialNumber" => "'1d:2f'",
        "Pem" => "$CaPem",
        "FreeText" => "'text'",
        "Secret" => parameter == "RoleId" ? "'role-id'" : "$Secret",
        "SqlCredential" or "LoginCredential" => "$Cred",
        "Duration" => "'1h'",
        _ => throw new ArgumentException($"no valid sample for kind {kind}"),
    };

    // ---- reflection over the built module ----

    private sealed record Kinded(string Name, Type Type, string Kind, string ErrorId, bool AllowEmpty, string? PipelineProperty, PropertyInfo Property);

    private sealed record CmdletUnderTest(string Name, Type Type, List<Kinded> Parameters, List<PropertyInfo> All, string? DefaultSet, bool ShouldProcess);

    private static object? InputAttribute(PropertyInfo p) =>
        p.GetCustomAttributes(true).FirstOrDefault(a => a.GetType().FullName == "CrdbVault.Infrastructure.InputAttribute");

    private static T? Prop<T>(object attribute, string name) => (T?)attribute.GetType().GetProperty(name)!.GetValue(attribute);

    private static List<CmdletUnderTest> Cmdlets(PowerShellSession ps)
    {
        var result = new List<CmdletUnderTest>();
        foreach (PSObject o in ps.Run("Get-Command -Module CrdbVault -CommandType Cmdlet").AssertSuccess().Output)
        {
            var info = (CmdletInfo)o.BaseObject;
            Type t = info.ImplementingType;
            object? idAttribute = t.GetCustomAttributes(true).FirstOrDefault(a => a.GetType().FullName == "CrdbVault.Infrastructure.InputErrorIdAttribute");
            string? cmdletId = idAttribute is null ? null : Prop<string>(idAttribute, "ErrorId");
            var all = t.GetProperties().Where(p => p.IsDefined(typeof(ParameterAttribute), true)).ToList();
            var kinded = new List<Kinded>();
            foreach (PropertyInfo p in all)
            {
                if (InputAttribute(p) is not object a) continue;
                string kind = Prop<object>(a, "Kind")!.ToString()!;
                string id = Prop<string>(a, "ErrorId") ?? cmdletId ?? DefaultIds.GetValueOrDefault(kind, "");
                kinded.Add(new Kinded(p.Name, p.PropertyType, kind, id, Prop<bool>(a, "AllowEmpty"), Prop<string>(a, "PipelineProperty"), p));
            }
            CmdletAttribute c = t.GetCustomAttribute<CmdletAttribute>()!;
            result.Add(new CmdletUnderTest(info.Name, t, kinded, all, c.DefaultParameterSetName, c.SupportsShouldProcess));
        }
        return result;
    }

    [Fact]
    public void Every_text_parameter_of_every_exported_cmdlet_names_its_kind()
    {
        using var ps = new PowerShellSession();
        var problems = new List<string>();
        List<CmdletUnderTest> cmdlets = Cmdlets(ps);
        Assert.True(cmdlets.Count >= 28, $"only {cmdlets.Count} cmdlets found");
        foreach (CmdletUnderTest c in cmdlets)
        {
            foreach (PropertyInfo p in c.All)
            {
                object? input = InputAttribute(p);
                bool text = TextTypes.Contains(p.PropertyType);
                if (text && input is null)
                    problems.Add($"{c.Name} -{p.Name} ({p.PropertyType.Name}) has no kind: add [Input(InputKind.…)] (docs/contributing.md, 'Input kinds').");
                if (!text && input is null && !OtherTypes.Contains(p.PropertyType.FullName))
                    problems.Add($"{c.Name} -{p.Name} is a {p.PropertyType.FullName}: give it a kind, or add the type to this test's list of objects the cmdlet checks itself.");
                if (input is null) continue;
                string kind = Prop<object>(input, "Kind")!.ToString()!;
                if (kind == "Choice" && p.GetCustomAttribute<ValidateSetAttribute>() is null)
                    problems.Add($"{c.Name} -{p.Name} is a Choice without [ValidateSet].");
                if (kind == "Duration" && p.PropertyType != typeof(TimeSpan?) && p.PropertyType != typeof(TimeSpan))
                    problems.Add($"{c.Name} -{p.Name} is a Duration but a {p.PropertyType.Name}.");
                bool byValue = p.GetCustomAttributes<ParameterAttribute>(true).Any(a => a.ValueFromPipeline);
                if (byValue && (p.PropertyType == typeof(string) || p.PropertyType == typeof(string[])) && Prop<string>(input, "PipelineProperty") is null)
                    problems.Add($"{c.Name} -{p.Name} takes text by value: name the PipelineProperty a piped object gives, or any object would bind as its ToString().");
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>Runs each hostile value given as the parameter; $Hostile is the list, the rest of the command line is valid.</summary>
    private const string CommandLineProbe = """
        $found = [System.Collections.Generic.List[string]]::new()
        foreach ($h in $Hostile) {
            $a = & $MakeArgs $h
            $errors = [System.Collections.Generic.List[object]]::new()
            $out = $null
            try {
                $out = @(& $Cmdlet @a -ErrorAction SilentlyContinue -ErrorVariable +errors -WarningAction SilentlyContinue 2>$null)
            } catch {
                $errors.Add($_)
            }
            # -ErrorVariable holds a terminating error twice: as the exception and as its record.
            $ids = @($errors | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId } elseif ($_.ErrorRecord) { $_.ErrorRecord.FullyQualifiedErrorId } })
            $first = if ($ids.Count -gt 0) { "$($ids[0])".Split(',')[0] } else { '(none)' }
            $found.Add("$first|$($out.Count)")
        }
        $found
        """;

    /// <summary>Pipes each hostile value (as the object, or as a property of a piped object).</summary>
    private const string PipelineProbe = """
        $found = [System.Collections.Generic.List[string]]::new()
        foreach ($h in $Hostile) {
            $a = & $MakeArgs $null
            $item = & $MakeItem $h
            $errors = [System.Collections.Generic.List[object]]::new()
            $out = $null
            try {
                $out = @($item | & $Cmdlet @a -ErrorAction SilentlyContinue -ErrorVariable +errors -WarningAction SilentlyContinue 2>$null)
            } catch {
                $errors.Add($_)
            }
            # -ErrorVariable holds a terminating error twice: as the exception and as its record.
            $ids = @($errors | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { $_.FullyQualifiedErrorId } elseif ($_.ErrorRecord) { $_.ErrorRecord.FullyQualifiedErrorId } })
            $first = if ($ids.Count -gt 0) { "$($ids[0])".Split(',')[0] } else { '(none)' }
            $found.Add("$first|$($out.Count)")
        }
        $found
        """;

    private static bool IsBinderId(string id) => id.StartsWith("ParameterArgument", StringComparison.Ordinal) || id.StartsWith("InputObject", StringComparison.Ordinal);

    [Fact]
    public void Every_hostile_value_of_every_kind_is_refused_before_any_request_without_files_or_crashes()
    {
        string tmp = Directory.CreateTempSubdirectory("crdbvault-corpus-").FullName;
        try
        {
            using PowerShellSession ps = Session(tmp);
            var problems = new List<string>();
            int tried = 0;
            foreach (CmdletUnderTest c in Cmdlets(ps))
            {
                foreach (Kinded p in c.Parameters)
                {
                    if (p.Kind == "Choice" && p.Property.GetCustomAttribute<ValidateSetAttribute>() is null) continue;
                    string[] values = Corpus[p.Kind].Where(v => !(p.AllowEmpty && v.Length == 0)).ToArray();
                    string set = SetFor(c, p.Property);
                    ps.SetVariable("Cmdlet", c.Name);
                    ps.SetVariable("Hostile", Convert(values, p));
                    ps.SetVariable("MakeArgs", ScriptBlock.Create(ArgsScript(c, p, set)));
                    long vault = sandbox.World.Vault.RequestLog.Total, cloud = sandbox.World.Cloud.TotalRequests;

                    Check(ps.Run(CommandLineProbe), "command line");
                    ParameterAttribute attr = p.Property.GetCustomAttributes<ParameterAttribute>(true).First(a => a.ParameterSetName == set || a.ParameterSetName == ParameterAttribute.AllParameterSets);
                    if (attr.ValueFromPipeline || attr.ValueFromPipelineByPropertyName)
                    {
                        ps.SetVariable("MakeItem", ScriptBlock.Create(attr.ValueFromPipeline && p.Type != typeof(PSCredential)
                            ? "param($h) ,$h"
                            : $"param($h) [pscustomobject]@{{ '{p.Name}' = $h }}"));
                        Check(ps.Run(PipelineProbe), "pipeline");
                    }

                    if (sandbox.World.Vault.RequestLog.Total != vault) problems.Add($"{c.Name} -{p.Name}: {sandbox.World.Vault.RequestLog.Total - vault} request(s) reached the Vault double");
                    if (sandbox.World.Cloud.TotalRequests != cloud) problems.Add($"{c.Name} -{p.Name}: {sandbox.World.Cloud.TotalRequests - cloud} request(s) reached the Cloud double");
                    foreach (string f in Directory.EnumerateFileSystemEntries(tmp, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(Path.Combine(tmp, "in"), StringComparison.Ordinal)))
                    {
                        problems.Add($"{c.Name} -{p.Name}: created {f}");
                        if (Directory.Exists(f)) Directory.Delete(f, true); else File.Delete(f);
                    }

                    void Check(ScriptResult r, string how)
                    {
                        if (r.Terminating is not null)
                        {
                            problems.Add($"{c.Name} -{p.Name} ({how}): the probe itself failed: {r.Terminating.Message}");
                            return;
                        }
                        for (int i = 0; i < values.Length; i++)
                        {
                            tried++;
                            string[] parts = r.Output[i].ToString().Split('|');
                            string id = parts[0];
                            bool stable = id == p.ErrorId || IsBinderId(id);
                            if (!stable || parts[1] != "0")
                                problems.Add($"{c.Name} -{p.Name} ({how}) {Shown(values[i])}: {(stable ? "" : $"id {id}, expected {p.ErrorId}")}{(parts[1] != "0" ? $" and {parts[1]} output object(s)" : "")}");
                        }
                    }
                }
            }
            Assert.True(problems.Count == 0, $"{problems.Count} problem(s) in {tried} tries:\n" + string.Join("\n", problems.Take(200)));
            Assert.True(tried > 1000, $"only {tried} hostile values were tried");
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    private static string Shown(string v) => v.Length > 40 ? $"'{v[..20]}…' ({v.Length} chars)" : "'" + string.Concat(v.Select(ch => char.IsControl(ch) || ch > 126 ? $"\\u{(int)ch:x4}" : ch.ToString())) + "'";

    /// <summary>The values as the parameter takes them: strings, SecureStrings, or PSCredentials with a hostile user name.</summary>
    private static object[] Convert(string[] values, Kinded p) => p.Type == typeof(SecureString)
        ? values.Select(v => (object)new System.Net.NetworkCredential("", v).SecurePassword).ToArray()
        : p.Type == typeof(PSCredential)
            ? values.Select(v => (object)new PSCredential(v.Length == 0 ? " " : v, new System.Net.NetworkCredential("", "pw").SecurePassword)).ToArray()
            : values.Cast<object>().ToArray();

    /// <summary>The parameter set to test a parameter in: the default set when it belongs there, else its first.</summary>
    private static string SetFor(CmdletUnderTest c, PropertyInfo p)
    {
        var sets = p.GetCustomAttributes<ParameterAttribute>(true).Select(a => a.ParameterSetName).ToList();
        if (sets.Contains(ParameterAttribute.AllParameterSets)) return c.DefaultSet ?? ParameterAttribute.AllParameterSets;
        return c.DefaultSet is not null && sets.Contains(c.DefaultSet) ? c.DefaultSet : sets[0];
    }

    /// <summary>A script block: param($h) returning the splat hashtable with every other mandatory parameter of the set valid, and the tested one = $h (unless $h is $null: piped).</summary>
    private static string ArgsScript(CmdletUnderTest c, Kinded tested, string set)
    {
        var lines = new List<string> { "param($h)", "$a = @{}" };
        foreach (PropertyInfo p in c.All)
        {
            if (p.Name == tested.Name) continue;
            ParameterAttribute? attr = p.GetCustomAttributes<ParameterAttribute>(true).FirstOrDefault(a => a.ParameterSetName == set || a.ParameterSetName == ParameterAttribute.AllParameterSets);
            if (attr is null || !attr.Mandatory) continue;
            string value = InputAttribute(p) is object input
                ? Prop<object>(input, "Kind")!.ToString() == "Choice" ? $"'{p.GetCustomAttribute<ValidateSetAttribute>()!.ValidValues[0]}'" : Valid(Prop<object>(input, "Kind")!.ToString()!, p.Name)
                : p.PropertyType == typeof(SwitchParameter) ? "$true" // a set chosen by a switch (Connect-CrdbVault -AzureDevOps)
                : p.PropertyType == typeof(Guid) ? "'0b5a7c9e-2f4d-4e8a-9c1b-3d6e8f0a2b4c'"
                : p.PropertyType == typeof(int) ? "7"
                : p.PropertyType == typeof(PSObject[]) ? "@([pscustomobject]@{ Region = 'us-east-1' })"
                : p.PropertyType == typeof(object) ? "'sample-value'" // an untyped value the cmdlet judges itself (Set-CrdbPipelineVariable -Value)
                : p.PropertyType == typeof(ScriptBlock) ? "{ }" // the user's own code (Use-CrdbDynamicCredential -ScriptBlock)
                : throw new InvalidOperationException($"{c.Name} -{p.Name}: no valid sample");
            lines.Add($"$a['{p.Name}'] = {value}");
        }
        lines.Add($"if ($null -ne $h) {{ $a['{tested.Name}'] = $h }}");
        if (c.ShouldProcess) lines.Add("$a['Confirm'] = $false"); // a value that slipped through must reach the double, not a prompt
        lines.Add("$a");
        return string.Join("\n", lines);
    }

    private PowerShellSession Session(string tmp)
    {
        Directory.CreateDirectory(Path.Combine(tmp, "in"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Corpus CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["RootToken"] = sandbox.World.RootToken,
            ["CloudServer"] = sandbox.World.CloudAddress,
            ["CloudApiKey"] = sandbox.World.CloudApiKey,
            ["ClusterId"] = sandbox.World.CloudClusterId,
            ["CaPem"] = cert.ExportCertificatePem(),
            ["Tmp"] = tmp,
        });
        // Connected to both doubles: anything that slipped through would be sent, and counted.
        ps.Run("""
            $ExecutionContext.SessionState.Path.SetLocation($Tmp) | Out-Null
            $Secret = [System.Net.NetworkCredential]::new('', 'secret-sample').SecurePassword
            $Cred = [pscredential]::new('app', $Secret)
            Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) | Out-Null
            Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword) -SkipVerify | Out-Null
            """).AssertSuccess();
        return ps;
    }
}
