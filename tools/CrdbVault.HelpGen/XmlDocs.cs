using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace CrdbVault.HelpGen;

/// <summary>The compiler's XML documentation file: member id → summary, as plain text.</summary>
internal sealed partial class XmlDocs
{
    private readonly Dictionary<string, XElement> _members = new(StringComparer.Ordinal);

    public XmlDocs(string? path)
    {
        if (path is null) return;
        XDocument doc = XDocument.Load(path);
        foreach (XElement member in doc.Descendants("member"))
            if (member.Attribute("name")?.Value is string name) _members[name] = member;
    }

    /// <summary>The &lt;para type="..."&gt; texts of a type's summary (synopsis, description).</summary>
    public IReadOnlyList<string> TypeParas(Type type, string paraType)
    {
        XElement? summary = Summary("T:" + Id(type));
        if (summary is null) return [];
        return summary.Elements("para").Where(p => (string?)p.Attribute("type") == paraType).Select(Text).Where(t => t.Length > 0).ToList();
    }

    /// <summary>The summary of a type without para markup (used for output types).</summary>
    public string? TypeSummary(Type type) => Summary("T:" + Id(type)) is XElement s ? NullIfEmpty(Text(s)) : null;

    public string? PropertySummary(System.Reflection.PropertyInfo property) =>
        Summary($"P:{Id(property.DeclaringType!)}.{property.Name}") is XElement s ? NullIfEmpty(Text(s)) : null;

    private XElement? Summary(string id) => _members.TryGetValue(id, out XElement? m) ? m.Element("summary") : null;

    private static string Id(Type type) => type.FullName!.Replace('+', '.');

    /// <summary>Element text with cref/langword/paramref turned into words and whitespace collapsed.</summary>
    public static string Text(XElement element)
    {
        var sb = new StringBuilder();
        Append(sb, element);
        return Spaces().Replace(sb.ToString(), " ").Trim();
    }

    private static void Append(StringBuilder sb, XElement element)
    {
        foreach (XNode node in element.Nodes())
        {
            switch (node)
            {
                case XText text:
                    sb.Append(text.Value);
                    break;
                case XElement { Name.LocalName: "see" or "seealso" } see:
                    string? cref = (string?)see.Attribute("cref");
                    string word = see.Value.Length > 0 ? see.Value
                        : cref is not null ? cref[(cref.LastIndexOfAny([':', '.']) + 1)..].Split('(')[0]
                        : (string?)see.Attribute("langword") ?? (string?)see.Attribute("href") ?? "";
                    sb.Append(word);
                    break;
                case XElement { Name.LocalName: "paramref" or "typeparamref" } r:
                    sb.Append((string?)r.Attribute("name"));
                    break;
                case XElement { Name.LocalName: "para" } p:
                    sb.Append(' ');
                    Append(sb, p);
                    sb.Append(' ');
                    break;
                case XElement e:
                    Append(sb, e);
                    break;
            }
        }
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
