using System.Globalization;
using System.Text;

namespace CrdbVault.Sandbox.Vault.Templates;

/// <summary>
/// The part of Go's text/template that Vault's username templates use: literal text, and actions
/// <c>{{ pipeline }}</c> (with <c>{{-</c>/<c>-}}</c> trimming) made of commands joined by <c>|</c>,
/// each a function call or a value: fields (<c>.RoleName</c>), strings ("..." or `...`), integers,
/// and parenthesised pipelines. As in Go, a piped value becomes the LAST argument of the next call.
/// </summary>
public sealed class GoTemplate
{
    private abstract record Node;
    private sealed record TextNode(string Text) : Node;
    private sealed record ActionNode(Pipeline Pipeline) : Node;
    private sealed record Pipeline(List<Command> Commands);
    private sealed record Command(List<Operand> Operands);
    private abstract record Operand;
    private sealed record FieldOperand(string Name) : Operand;
    private sealed record StringOperand(string Value) : Operand;
    private sealed record NumberOperand(long Value) : Operand;
    private sealed record IdentOperand(string Name) : Operand;
    private sealed record PipelineOperand(Pipeline Pipeline) : Operand;

    /// <summary>A template function: receives evaluated arguments, returns a value; throws <see cref="FormatException"/> on misuse.</summary>
    public delegate object Function(IReadOnlyList<object> args);

    private readonly List<Node> _nodes;
    private readonly IReadOnlyDictionary<string, Function> _functions;

    private GoTemplate(List<Node> nodes, IReadOnlyDictionary<string, Function> functions)
    {
        _nodes = nodes;
        _functions = functions;
    }

    /// <summary>Parses a template; unknown functions are errors at parse time, as in Go.</summary>
    public static GoTemplate Parse(string text, IReadOnlyDictionary<string, Function> functions)
    {
        var nodes = new List<Node>();
        int pos = 0;
        while (pos < text.Length)
        {
            int open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0) { nodes.Add(new TextNode(text[pos..])); break; }
            string literal = text[pos..open];
            int start = open + 2;
            if (start < text.Length && text[start] == '-' && start + 1 < text.Length && char.IsWhiteSpace(text[start + 1]))
            {
                literal = literal.TrimEnd();
                start++;
            }
            if (literal.Length > 0) nodes.Add(new TextNode(literal));
            int close = FindClose(text, start);
            if (close < 0) throw new FormatException("template: unclosed action");
            int end = close;
            bool trimAfter = false;
            if (end - 1 >= start && text[end - 1] == '-' && end - 2 >= start && char.IsWhiteSpace(text[end - 2])) { end--; trimAfter = true; }
            var parser = new ActionParser(text[start..end], functions);
            nodes.Add(new ActionNode(parser.ParseAction()));
            pos = close + 2;
            if (trimAfter) while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        }
        return new GoTemplate(nodes, functions);
    }

    /// <summary>The end of an action, skipping "}}" inside string literals.</summary>
    private static int FindClose(string text, int from)
    {
        for (int i = from; i < text.Length - 1; i++)
        {
            char c = text[i];
            if (c is '"' or '`')
            {
                for (i++; i < text.Length && text[i] != c; i++) if (c == '"' && text[i] == '\\') i++;
                continue;
            }
            if (c == '}' && text[i + 1] == '}') return i;
        }
        return -1;
    }

    /// <summary>Renders with the given fields (e.g. DisplayName, RoleName). Throws <see cref="FormatException"/> on errors.</summary>
    public string Execute(IReadOnlyDictionary<string, string> fields)
    {
        var sb = new StringBuilder();
        foreach (Node node in _nodes)
        {
            if (node is TextNode t) sb.Append(t.Text);
            else if (node is ActionNode a) sb.Append(Format(Eval(a.Pipeline, fields)));
        }
        return sb.ToString();
    }

    private object Eval(Pipeline pipeline, IReadOnlyDictionary<string, string> fields)
    {
        object? piped = null;
        foreach (Command command in pipeline.Commands) piped = Eval(command, fields, piped);
        return piped ?? "";
    }

    private object Eval(Command command, IReadOnlyDictionary<string, string> fields, object? piped)
    {
        Operand head = command.Operands[0];
        if (head is IdentOperand fn)
        {
            var args = command.Operands.Skip(1).Select(o => Value(o, fields)).ToList();
            if (piped is not null) args.Add(piped);
            return _functions[fn.Name](args);
        }
        if (command.Operands.Count > 1 || piped is not null)
            throw new FormatException("template: can't give argument to non-function " + Describe(head));
        return Value(head, fields);
    }

    private object Value(Operand operand, IReadOnlyDictionary<string, string> fields) => operand switch
    {
        FieldOperand f => fields.TryGetValue(f.Name, out string? v) ? v : throw new FormatException($"template: can't evaluate field {f.Name}"),
        StringOperand s => s.Value,
        NumberOperand n => n.Value,
        PipelineOperand p => Eval(p.Pipeline, fields),
        IdentOperand i => _functions[i.Name]([]), // a niladic function used as an argument, e.g. (unix_time)
        _ => throw new FormatException("template: bad operand"),
    };

    private static string Describe(Operand o) => o switch
    {
        FieldOperand f => "." + f.Name,
        StringOperand s => "\"" + s.Value + "\"",
        NumberOperand n => n.Value.ToString(CultureInfo.InvariantCulture),
        _ => "value",
    };

    /// <summary>How {{ }} prints a value (fmt's %v).</summary>
    public static string Format(object value) => value switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        int i => i.ToString(CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private sealed class ActionParser(string text, IReadOnlyDictionary<string, Function> functions)
    {
        private int _pos;

        public Pipeline ParseAction()
        {
            Pipeline p = ParsePipeline();
            Skip();
            if (_pos < text.Length) throw new FormatException($"template: unexpected \"{text[_pos..]}\" in action");
            return p;
        }

        private Pipeline ParsePipeline()
        {
            var commands = new List<Command>();
            while (true)
            {
                commands.Add(ParseCommand());
                Skip();
                if (Peek() == '|') { _pos++; continue; }
                return new Pipeline(commands);
            }
        }

        private Command ParseCommand()
        {
            var operands = new List<Operand>();
            while (true)
            {
                Skip();
                char c = Peek();
                if (c is '\0' or '|' or ')') break;
                operands.Add(ParseOperand());
            }
            if (operands.Count == 0) throw new FormatException("template: missing value for command");
            return new Command(operands);
        }

        private Operand ParseOperand()
        {
            char c = Peek();
            if (c == '(')
            {
                _pos++;
                Pipeline inner = ParsePipeline();
                Skip();
                if (Peek() != ')') throw new FormatException("template: unclosed left paren");
                _pos++;
                return new PipelineOperand(inner);
            }
            if (c == '"') return new StringOperand(ReadQuoted());
            if (c == '`')
            {
                int end = text.IndexOf('`', _pos + 1);
                if (end < 0) throw new FormatException("template: unterminated raw quoted string");
                string raw = text[(_pos + 1)..end];
                _pos = end + 1;
                return new StringOperand(raw);
            }
            if (c == '.')
            {
                _pos++;
                string name = ReadWord();
                if (name.Length == 0) throw new FormatException("template: the dot (.) alone is not supported here");
                return new FieldOperand(name);
            }
            if (char.IsDigit(c) || c == '-')
            {
                string word = ReadWord(allowSign: true);
                if (!long.TryParse(word, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n))
                    throw new FormatException($"template: bad number syntax: \"{word}\"");
                return new NumberOperand(n);
            }
            string ident = ReadWord();
            if (ident.Length == 0) throw new FormatException($"template: unexpected \"{c}\" in command");
            if (!functions.ContainsKey(ident)) throw new FormatException($"template: function \"{ident}\" not defined");
            return new IdentOperand(ident);
        }

        private string ReadQuoted()
        {
            var sb = new StringBuilder();
            _pos++;
            while (_pos < text.Length && text[_pos] != '"')
            {
                char ch = text[_pos++];
                if (ch == '\\' && _pos < text.Length)
                {
                    char e = text[_pos++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '\\' => '\\', '"' => '"', _ => throw new FormatException($"template: unknown escape \\{e}") });
                }
                else sb.Append(ch);
            }
            if (_pos >= text.Length) throw new FormatException("template: unterminated quoted string");
            _pos++;
            return sb.ToString();
        }

        private string ReadWord(bool allowSign = false)
        {
            int start = _pos;
            if (allowSign && Peek() == '-') _pos++;
            while (_pos < text.Length && (char.IsLetterOrDigit(text[_pos]) || text[_pos] == '_')) _pos++;
            return text[start.._pos];
        }

        private char Peek() => _pos < text.Length ? text[_pos] : '\0';

        private void Skip()
        {
            while (_pos < text.Length && char.IsWhiteSpace(text[_pos])) _pos++;
        }
    }
}
