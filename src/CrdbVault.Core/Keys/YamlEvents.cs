using System.Globalization;
using System.Text.Json.Nodes;
using CrdbVault.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CrdbVault.Core.Keys;

/// <summary>
/// Turns one YAML document into a JsonNode from YamlDotNet's event stream, with an explicit stack
/// (no recursion here, and none in YamlDotNet's event parser): nesting beyond
/// <see cref="InputBudgets.ManifestDepth"/>, aliases, complex keys, duplicate keys and a second
/// document are refused as they are met. YamlDotNet's representation model (YamlStream) is not
/// used: it builds nodes recursively, so 200 KB of '[' overflowed the stack and killed the process,
/// and it resolves aliases, which a converter then expands ("billion laughs").
/// </summary>
internal static class YamlEvents
{
    private sealed class Frame(JsonNode container, string at)
    {
        public JsonNode Container { get; } = container;
        public string At { get; } = at;
        public string? Key { get; set; }
        public int Index { get; set; }
    }

    public static JsonNode? Read(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<Frame>();
        JsonNode? root = null;
        int documents = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    if (++documents > 1)
                        throw Problem(source, parser.Current, "it holds more than one YAML document ('---'); put every region in one.");
                    break;
                case AnchorAlias alias:
                    throw Problem(source, alias, $"aliases (*{alias.Value}) are not allowed in a CMEK manifest; write each value out.");
                case Scalar scalar:
                    if (stack.TryPeek(out Frame? top) && top.Container is JsonObject && top.Key is null)
                    {
                        string key = scalar.Value;
                        if (((JsonObject)top.Container).ContainsKey(key))
                            throw Problem(source, scalar, CmekManifest.Duplicate(top.At, key));
                        top.Key = key;
                    }
                    else
                    {
                        Add(stack, ref root, Value(scalar), source, scalar);
                    }
                    break;
                case MappingStart:
                case SequenceStart:
                    if (stack.TryPeek(out Frame? parent) && parent.Container is JsonObject && parent.Key is null)
                        throw Problem(source, parser.Current, "a key is a list or a mapping; keys must be plain text.");
                    if (stack.Count + 1 > InputBudgets.ManifestDepth)
                        throw Problem(source, parser.Current, $"it is nested deeper than {InputBudgets.ManifestDepth} levels; a manifest needs 4.");
                    JsonNode container = parser.Current is MappingStart ? new JsonObject() : new JsonArray();
                    string at = Path(stack);
                    Add(stack, ref root, container, source, parser.Current);
                    stack.Push(new Frame(container, at));
                    break;
                case MappingEnd:
                case SequenceEnd:
                    stack.Pop();
                    break;
            }
        }
        return root;
    }

    /// <summary>Where the next value goes, as messages name it: region_specs[0].key_spec.</summary>
    private static string Path(Stack<Frame> stack)
    {
        if (!stack.TryPeek(out Frame? top)) return "";
        string child = top.Container is JsonObject ? top.Key ?? "" : $"[{top.Index}]";
        return top.At.Length == 0 || child.StartsWith('[') ? top.At + child : $"{top.At}.{child}";
    }

    private static void Add(Stack<Frame> stack, ref JsonNode? root, JsonNode? value, string source, ParsingEvent at)
    {
        if (!stack.TryPeek(out Frame? top))
        {
            root = value;
            return;
        }
        if (top.Container is JsonArray array)
        {
            array.Add(value);
            top.Index++;
            return;
        }
        var map = (JsonObject)top.Container;
        map[top.Key ?? throw Problem(source, at, "a mapping value has no key.")] = value;
        top.Key = null;
    }

    /// <summary>Plain scalars that look like null or a whole number stay so, so "region: 1" is reported as not a string.</summary>
    private static JsonNode? Value(Scalar scalar)
    {
        string value = scalar.Value;
        if (scalar.Style is ScalarStyle.Plain)
        {
            if (value is "" or "~" or "null") return null;
            if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) return JsonValue.Create(n);
        }
        return JsonValue.Create(value);
    }

    private static CmekManifestException Problem(string source, ParsingEvent at, string message) =>
        new(source, [$"line {at.Start.Line}: {message}"]);
}
