using System.Collections;
using System.Management.Automation;
using System.Reflection;

namespace CrdbVault.HelpGen;

/// <summary>Everything the help says about one cmdlet: reflected from the code, then completed from the markdown.</summary>
internal sealed class CmdletModel
{
    public required string Name { get; init; }
    public required string Verb { get; init; }
    public required string Noun { get; init; }
    public required Type Type { get; init; }
    public string Synopsis { get; set; } = "";
    public List<string> Description { get; } = [];
    public required List<ParameterModel> Parameters { get; init; }
    /// <summary>Parameter set name → its parameters in syntax order; the default set first.</summary>
    public required List<(string Name, List<ParameterModel> Parameters)> Syntax { get; init; }
    public List<TypeEntry> Inputs { get; } = [];
    public List<TypeEntry> Outputs { get; } = [];
    public List<HelpExample> Examples { get; } = [];
    public List<string> Notes { get; } = [];
    public List<(string Text, string? Uri)> Links { get; } = [];

    public void Apply(MarkdownHelp md, string path, Diagnostics diagnostics)
    {
        if (md.Synopsis is not null) Synopsis = md.Synopsis;
        Description.AddRange(md.Description);
        Examples.AddRange(md.Examples);
        Notes.AddRange(md.Notes);
        Links.AddRange(md.Links);
        foreach (MdParameter p in md.Parameters.Values)
        {
            ParameterModel? target = Parameters.FirstOrDefault(x => x.Name.Equals(p.Name, StringComparison.OrdinalIgnoreCase));
            if (target is null)
            {
                diagnostics.Warn($"{path}({p.Line})", $"### -{p.Name}: {Name} has no such parameter in this build.");
                continue;
            }
            target.Description.AddRange(p.Description);
            if (p.Globbing is bool g) target.Globbing = g;
        }
        Merge(Inputs, md.Inputs, "INPUTS");
        Merge(Outputs, md.Outputs, "OUTPUTS");

        void Merge(List<TypeEntry> entries, Dictionary<string, List<string>> extra, string section)
        {
            foreach ((string type, List<string> text) in extra)
            {
                TypeEntry? entry = entries.FirstOrDefault(e => e.TypeName.Equals(type, StringComparison.OrdinalIgnoreCase) || e.TypeName.EndsWith("." + type, StringComparison.OrdinalIgnoreCase));
                if (entry is null) diagnostics.Warn(path, $"## {section} ### {type}: {Name} has no such {section.ToLowerInvariant()[..^1]} type; the text is ignored.");
                else entry.Description.AddRange(text);
            }
        }
    }

    public void Check(Diagnostics diagnostics)
    {
        string where = $"docs/cmdlets/{Name}.md";
        if (Synopsis.Length == 0) diagnostics.Warn(where, $"{Name} has no synopsis (<para type=\"synopsis\"> on {Type.Name}, or ## SYNOPSIS).");
        if (Description.Count == 0) diagnostics.Warn(where, $"{Name} has no description (<para type=\"description\"> on {Type.Name}, or ## DESCRIPTION).");
        if (Examples.Count < 2) diagnostics.Warn(where, $"{Name} has {Examples.Count} example(s); write at least 2 under ## EXAMPLES.");
        foreach (ParameterModel p in Parameters.Where(p => p.Description.Count == 0))
            diagnostics.Warn(where, $"-{p.Name} of {Name} has no description: add a <summary> to the property, or ### -{p.Name} under ## PARAMETERS.");
    }
}

internal sealed class ParameterModel
{
    public required string Name { get; init; }
    public required Type Type { get; init; }
    public List<string> Description { get; } = [];
    public string[] Aliases { get; init; } = [];
    public string[] ValidValues { get; init; } = [];
    public string DefaultValue { get; set; } = "None";
    public bool Globbing { get; set; }
    public bool IsSwitch => Type == typeof(SwitchParameter);
    /// <summary>One entry per [Parameter] attribute (one per parameter set).</summary>
    public required List<ParameterAttribute> Sets { get; init; }
    public bool Common { get; init; }
    /// <summary>[Input(PipelineTypes = ...)]: the object types whose <see cref="PipelineProperty"/> binds by value.</summary>
    public string[] PipelineTypes { get; init; } = [];
    public string? PipelineProperty { get; init; }

    public bool Mandatory => Sets.All(s => s.Mandatory);
    public bool MandatoryIn(string set) => SetAttribute(set)?.Mandatory ?? false;
    public int? Position => Sets.Select(s => s.Position).Where(p => p >= 0).Cast<int?>().FirstOrDefault();
    public bool ByValue => Sets.Any(s => s.ValueFromPipeline);
    public bool ByPropertyName => Sets.Any(s => s.ValueFromPipelineByPropertyName);

    public bool InSet(string set) => Sets.Any(s => s.ParameterSetName == set || s.ParameterSetName == ParameterAttribute.AllParameterSets);

    public ParameterAttribute? SetAttribute(string set) =>
        Sets.FirstOrDefault(s => s.ParameterSetName == set) ?? Sets.FirstOrDefault(s => s.ParameterSetName == ParameterAttribute.AllParameterSets);

    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

internal sealed class TypeEntry(string typeName)
{
    public string TypeName { get; } = typeName;
    public List<string> Description { get; } = [];
}

/// <summary>Reads [Cmdlet] types from the module assembly by reflection.</summary>
internal static class CmdletReader
{
    public static List<CmdletModel> Read(Assembly assembly, XmlDocs docs, Diagnostics diagnostics)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types.Where(t => t is not null).ToArray()!;
        }
        Type[] models = types.Where(t => t.IsPublic && t.Namespace == assembly.GetName().Name && !typeof(Cmdlet).IsAssignableFrom(t)).ToArray();
        var result = new List<CmdletModel>();
        foreach (Type type in types.Where(t => t.IsPublic && !t.IsAbstract && typeof(Cmdlet).IsAssignableFrom(t)))
        {
            CmdletAttribute? attr = type.GetCustomAttribute<CmdletAttribute>();
            if (attr is null) continue;
            result.Add(ReadCmdlet(type, attr, docs, models));
        }
        return result;
    }

    private static CmdletModel ReadCmdlet(Type type, CmdletAttribute attr, XmlDocs docs, Type[] models)
    {
        object? instance = null;
        try { instance = Activator.CreateInstance(type); } catch (Exception) { /* defaults unknown */ }

        var parameters = new List<ParameterModel>();
        foreach (PropertyInfo property in DeclarationOrder(type))
        {
            var sets = property.GetCustomAttributes<ParameterAttribute>(true).ToList();
            if (sets.Count == 0) continue;
            var p = new ParameterModel
            {
                Name = property.Name,
                Type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType,
                Aliases = property.GetCustomAttributes<AliasAttribute>(true).SelectMany(a => a.AliasNames).ToArray(),
                ValidValues = property.GetCustomAttribute<ValidateSetAttribute>(true)?.ValidValues.ToArray() ?? [],
                Globbing = property.GetCustomAttribute<SupportsWildcardsAttribute>(true) is not null,
                Sets = sets,
                PipelineTypes = InputArgument<System.Collections.ObjectModel.ReadOnlyCollection<CustomAttributeTypedArgument>>(property, "PipelineTypes")?.Select(a => (string)a.Value!).ToArray() ?? [],
                PipelineProperty = InputArgument<string>(property, "PipelineProperty"),
            };
            if (docs.PropertySummary(property) is string summary) p.Description.Add(summary);
            p.DefaultValue = Default(instance, property, p);
            parameters.Add(p);
        }

        if (attr.SupportsShouldProcess)
        {
            var all = new ParameterAttribute();
            var whatIf = new ParameterModel { Name = "WhatIf", Type = typeof(SwitchParameter), Aliases = ["wi"], Sets = [all], DefaultValue = "False", Common = true };
            whatIf.Description.Add("Shows what would happen if the cmdlet runs. The cmdlet is not run.");
            var confirm = new ParameterModel { Name = "Confirm", Type = typeof(SwitchParameter), Aliases = ["cf"], Sets = [all], DefaultValue = "False", Common = true };
            confirm.Description.Add("Prompts you for confirmation before running the cmdlet.");
            if (attr.ConfirmImpact == ConfirmImpact.High)
                confirm.Description.Add("This cmdlet's ConfirmImpact is High, so PowerShell asks by default (unless $ConfirmPreference is None). Where nobody can answer (runbooks, CI) the prompt fails and nothing is done; pass -Confirm:$false deliberately to run without it.");
            parameters.Add(whatIf);
            parameters.Add(confirm);
        }

        string name = $"{attr.VerbName}-{attr.NounName}";
        var model = new CmdletModel
        {
            Name = name,
            Verb = attr.VerbName,
            Noun = attr.NounName,
            Type = type,
            Parameters = parameters,
            Syntax = Syntax(attr, parameters),
        };
        model.Synopsis = string.Join(" ", docs.TypeParas(type, "synopsis"));
        model.Description.AddRange(docs.TypeParas(type, "description"));
        Inputs(model, models);
        Outputs(model, type, docs);
        return model;
    }

    /// <summary>Derived type's properties first, each type's in source order (metadata token order).</summary>
    private static IEnumerable<PropertyInfo> DeclarationOrder(Type type)
    {
        var chain = new List<Type>();
        for (Type? t = type; t is not null && t != typeof(object); t = t.BaseType) chain.Add(t);
        return chain.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).OrderBy(p => p.MetadataToken));
    }

    private static string Default(object? instance, PropertyInfo property, ParameterModel p)
    {
        if (p.IsSwitch) return "False";
        if (instance is null) return "None";
        object? value;
        try { value = property.GetValue(instance); } catch (Exception) { return "None"; }
        return value switch
        {
            null => "None",
            string s when s.Length == 0 => "None",
            string s => s,
            IEnumerable e => e.Cast<object?>().Select(x => x?.ToString()).ToList() is { Count: > 0 } items ? string.Join(", ", items) : "None",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "None",
        };
    }

    private static List<(string, List<ParameterModel>)> Syntax(CmdletAttribute attr, List<ParameterModel> parameters)
    {
        var names = parameters.SelectMany(p => p.Sets).Select(s => s.ParameterSetName)
            .Where(n => n != ParameterAttribute.AllParameterSets).Distinct().ToList();
        if (names.Count == 0) names.Add(ParameterAttribute.AllParameterSets);
        string? preferred = attr.DefaultParameterSetName;
        names = [.. names.OrderBy(n => n == preferred ? 0 : 1)];
        return names.Select(set =>
        {
            var members = parameters.Where(p => p.InSet(set)).ToList();
            var ordered = members.Where(p => p.SetAttribute(set)!.Position >= 0).OrderBy(p => p.SetAttribute(set)!.Position)
                .Concat(members.Where(p => p.SetAttribute(set)!.Position < 0 && !p.Common && p.MandatoryIn(set)))
                .Concat(members.Where(p => p.SetAttribute(set)!.Position < 0 && !p.Common && !p.MandatoryIn(set)))
                .Concat(members.Where(p => p.Common))
                .ToList();
            return (set, ordered);
        }).ToList();
    }

    /// <summary>
    /// By-value parameters give their types. When none of them takes any object (object, PSObject),
    /// the module's own types that can drive the cmdlet are listed too: in some parameter set the type
    /// binds at least one pipeline parameter and covers every mandatory one that takes pipeline input
    /// (by property name or alias, or by value of a matching type); mandatory parameters that take no
    /// pipeline input are on the command line anyway. PSObject stands for anything else with those
    /// property names. tests/CrdbVault.Tests/Hostile/PipelineBindingTests.cs checks this against what
    /// PowerShell really binds.
    /// </summary>
    private static void Inputs(CmdletModel model, Type[] models)
    {
        foreach (ParameterModel p in model.Parameters.Where(p => p.ByValue))
        {
            var entry = new TypeEntry(p.Type.FullName!);
            entry.Description.Add($"You can pipe a {Short(p.Type)} to -{p.Name}.");
            model.Inputs.Add(entry);
        }
        // Types a by-value text parameter takes one property of ([Input(PipelineTypes)]), with what else they bind by name.
        foreach (ParameterModel p in model.Parameters.Where(p => p.ByValue && p.PipelineTypes.Length > 0))
        {
            foreach (string typeName in p.PipelineTypes)
            {
                Type? t = models.FirstOrDefault(m => m.FullName == typeName);
                var props = t?.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(x => x.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
                var also = model.Parameters.Where(q => q.ByPropertyName && (props.Contains(q.Name) || q.Aliases.Any(props.Contains))).Select(q => $"{q.Name} to -{q.Name}");
                var entry = new TypeEntry(typeName);
                entry.Description.Add($"Binds {string.Join(", ", new[] { $"{p.PipelineProperty} to -{p.Name}" }.Concat(also))}.");
                model.Inputs.Add(entry);
            }
        }
        // A by-value object parameter binds everything; the cmdlet judges what it got (listing types would promise too much).
        bool takesAnything = model.Parameters.Any(p => p.ByValue && IsCatchAll(p.Type));
        var byName = model.Parameters.Where(p => p.ByPropertyName).ToList();
        if (byName.Count > 0 && !takesAnything)
        {
            foreach (Type t in models)
            {
                var props = t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(x => x.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
                bool Covers(ParameterModel p) => (p.ByPropertyName && (props.Contains(p.Name) || p.Aliases.Any(props.Contains))) || (p.ByValue && p.Type.IsAssignableFrom(t));
                var matched = byName.Where(p => props.Contains(p.Name) || p.Aliases.Any(props.Contains)).ToList();
                bool drives = model.Syntax.Any(set =>
                {
                    var pipeline = set.Parameters.Where(p => p.SetAttribute(set.Name) is { } a && (a.ValueFromPipeline || a.ValueFromPipelineByPropertyName)).ToList();
                    return pipeline.Any(Covers) && pipeline.Where(p => p.MandatoryIn(set.Name)).All(Covers);
                });
                if (!drives || matched.Count == 0 || model.Inputs.Any(i => i.TypeName == t.FullName)) continue;
                var entry = new TypeEntry(t.FullName!);
                entry.Description.Add($"Binds by property name: {string.Join(", ", matched.Select(p => $"{(props.Contains(p.Name) ? p.Name : p.Aliases.First(props.Contains))} to -{p.Name}"))}.");
                model.Inputs.Add(entry);
            }
        }
        if (byName.Count > 0)
        {
            var any = new TypeEntry(typeof(PSObject).FullName!);
            any.Description.Add($"Any object with a property named {string.Join(", ", byName.Select(p => p.Aliases.Length > 0 ? $"{p.Name} (or {string.Join(", ", p.Aliases)})" : p.Name))} binds it to the parameter of that name.");
            model.Inputs.Add(any);
        }
        if (model.Inputs.Count == 0)
        {
            var none = new TypeEntry("None");
            none.Description.Add("You can't pipe objects to this cmdlet.");
            model.Inputs.Add(none);
        }
    }

    /// <summary>A named argument of the cmdlet assembly's [Input] attribute, read without loading its type here.</summary>
    private static T? InputArgument<T>(PropertyInfo property, string name) where T : class =>
        property.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.Name == "InputAttribute")?
            .NamedArguments.FirstOrDefault(n => n.MemberName == name).TypedValue.Value as T;

    private static bool IsCatchAll(Type t) => t == typeof(object) || t == typeof(PSObject) || t == typeof(object[]) || t == typeof(PSObject[]);

    private static void Outputs(CmdletModel model, Type type, XmlDocs docs)
    {
        foreach (OutputTypeAttribute attr in type.GetCustomAttributes<OutputTypeAttribute>(true))
        {
            foreach (PSTypeName name in attr.Type)
            {
                Type? t = name.Type;
                if (t is null || t == typeof(void))
                {
                    var none = new TypeEntry(t is null ? name.Name : "None");
                    if (t == typeof(void)) none.Description.Add("This cmdlet returns no output.");
                    model.Outputs.Add(none);
                    continue;
                }
                var entry = new TypeEntry(t.FullName!);
                if (docs.TypeSummary(t) is string summary) entry.Description.Add(summary);
                model.Outputs.Add(entry);
            }
        }
        if (model.Outputs.Count == 0) model.Outputs.Add(new TypeEntry("None"));
    }

    public static string Short(Type t)
    {
        if (t.IsArray) return Short(t.GetElementType()!) + "[]";
        return t.Name;
    }
}
