using System.Security.Cryptography;
using System.Text;
using CrdbVault.Sandbox.Vault.Support;
using CrdbVault.Sandbox.Vault.Templates;

namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// Vault's username templates (sdk/helper/template): Go templates over <c>.DisplayName</c> and
/// <c>.RoleName</c> with Vault's functions: printf, truncate, truncate_sha256, random (base62),
/// unix_time, unix_time_millis, timestamp, lowercase, uppercase, replace, uuid, base64.
/// </summary>
public sealed class UsernameTemplate
{
    /// <summary>The postgresql-database-plugin default.</summary>
    public const string PostgresDefault = "{{ printf \"v-%s-%s-%s-%s\" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}";

    private readonly GoTemplate _template;

    private UsernameTemplate(string text, GoTemplate template)
    {
        Text = text;
        _template = template;
    }

    public string Text { get; }

    /// <summary>Parses and test-renders (as Vault does when a connection is configured). Throws <see cref="FormatException"/>.</summary>
    public static UsernameTemplate Parse(string text, TimeProvider? clock = null)
    {
        var template = new UsernameTemplate(text, GoTemplate.Parse(text, Functions(clock ?? TimeProvider.System)));
        template.Render("displayname", "rolename");
        return template;
    }

    public string Render(string displayName, string roleName) =>
        _template.Execute(new Dictionary<string, string> { ["DisplayName"] = displayName, ["RoleName"] = roleName });

    private static Dictionary<string, GoTemplate.Function> Functions(TimeProvider clock) => new()
    {
        ["printf"] = args => Printf(Str(args, 0, "printf"), args.Skip(1).ToList()),
        ["truncate"] = args =>
        {
            Arity(args, 2, "truncate");
            long max = Int(args[0], "truncate");
            string s = Str(args, 1, "truncate");
            if (max <= 0) throw new FormatException($"max length must be > 0 but was {max}");
            return s.Length > max ? s[..(int)max] : s;
        },
        ["truncate_sha256"] = args =>
        {
            Arity(args, 2, "truncate_sha256");
            long max = Int(args[0], "truncate_sha256");
            string s = Str(args, 1, "truncate_sha256");
            if (max <= 8) throw new FormatException($"max length must be > 8 but was {max}");
            if (s.Length <= max) return s;
            int cut = (int)max - 8;
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s[cut..])));
            return s[..cut] + hash[..8];
        },
        ["random"] = args =>
        {
            Arity(args, 1, "random");
            long n = Int(args[0], "random");
            if (n <= 0) throw new FormatException($"length must be > 0 but was {n}");
            return VaultIds.RandomBase62((int)n);
        },
        ["unix_time"] = args => { Arity(args, 0, "unix_time"); return clock.GetUtcNow().ToUnixTimeSeconds(); },
        ["unix_time_millis"] = args => { Arity(args, 0, "unix_time_millis"); return clock.GetUtcNow().ToUnixTimeMilliseconds(); },
        ["timestamp"] = args => { Arity(args, 1, "timestamp"); return GoTimeLayout.Format(clock.GetUtcNow(), Str(args, 0, "timestamp")); },
        ["lowercase"] = args => { Arity(args, 1, "lowercase"); return Str(args, 0, "lowercase").ToLowerInvariant(); },
        ["uppercase"] = args => { Arity(args, 1, "uppercase"); return Str(args, 0, "uppercase").ToUpperInvariant(); },
        ["replace"] = args =>
        {
            Arity(args, 3, "replace");
            string find = Str(args, 0, "replace"), with = Str(args, 1, "replace"), s = Str(args, 2, "replace");
            return find.Length == 0 ? s : s.Replace(find, with, StringComparison.Ordinal);
        },
        ["uuid"] = args => { Arity(args, 0, "uuid"); return Guid.NewGuid().ToString(); },
        ["base64"] = args => { Arity(args, 1, "base64"); return Convert.ToBase64String(Encoding.UTF8.GetBytes(Str(args, 0, "base64"))); },
    };

    private static void Arity(IReadOnlyList<object> args, int n, string fn)
    {
        if (args.Count != n) throw new FormatException($"template: wrong number of args for {fn}: want {n} got {args.Count}");
    }

    private static string Str(IReadOnlyList<object> args, int i, string fn)
    {
        if (i >= args.Count) throw new FormatException($"template: wrong number of args for {fn}");
        return args[i] is string s ? s : throw new FormatException($"template: {fn}: expected string; found {GoTemplate.Format(args[i])}");
    }

    private static long Int(object value, string fn) => value switch
    {
        long l => l,
        int i => i,
        _ => throw new FormatException($"template: {fn}: expected integer; found \"{GoTemplate.Format(value)}\""),
    };

    /// <summary>Go's fmt.Sprintf for the verbs templates use: %s %v %d %q %%.</summary>
    private static string Printf(string format, List<object> args)
    {
        var sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%' || i + 1 >= format.Length) { sb.Append(c); continue; }
            char verb = format[++i];
            if (verb == '%') { sb.Append('%'); continue; }
            if (next >= args.Count) { sb.Append("%!").Append(verb).Append("(MISSING)"); continue; }
            object arg = args[next++];
            sb.Append(verb switch
            {
                's' or 'v' => GoTemplate.Format(arg),
                'd' => arg is long or int ? GoTemplate.Format(arg) : $"%!d(string={arg})",
                'q' => "\"" + GoTemplate.Format(arg).Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"",
                _ => $"%!{verb}({GoTemplate.Format(arg)})",
            });
        }
        if (next < args.Count) sb.Append("%!(EXTRA ").Append(string.Join(", ", args.Skip(next).Select(GoTemplate.Format))).Append(')');
        return sb.ToString();
    }
}
