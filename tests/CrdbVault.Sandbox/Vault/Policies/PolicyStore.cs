using System.Collections.Concurrent;

namespace CrdbVault.Sandbox.Vault.Policies;

/// <summary>ACL policies by name, with Vault's built-in <c>root</c> and <c>default</c>.</summary>
public sealed class PolicyStore
{
    private readonly ConcurrentDictionary<string, AclPolicy> _policies = new(StringComparer.Ordinal);

    public PolicyStore()
    {
        _policies["default"] = new AclPolicy { Name = "default", Text = AclPolicy.DefaultPolicyText, Rules = PolicyParser.Parse(AclPolicy.DefaultPolicyText) };
        _policies["root"] = new AclPolicy { Name = "root", Text = "", Rules = [] };
    }

    /// <summary>Vault lower-cases policy names.</summary>
    public static string Normalize(string name) => name.Trim().ToLowerInvariant();

    /// <summary>Parses and stores a policy. Throws <see cref="FormatException"/> for bad text, <see cref="InvalidOperationException"/> for root.</summary>
    public AclPolicy Write(string name, string text)
    {
        name = Normalize(name);
        if (name == "root") throw new InvalidOperationException("cannot update \"root\" policy");
        var policy = new AclPolicy { Name = name, Text = text, Rules = PolicyParser.Parse(text) };
        _policies[name] = policy;
        return policy;
    }

    public AclPolicy? Get(string name) => _policies.TryGetValue(Normalize(name), out AclPolicy? p) ? p : null;

    public IReadOnlyList<string> Names() => [.. _policies.Keys.Order(StringComparer.Ordinal)];

    public bool Delete(string name)
    {
        name = Normalize(name);
        if (name is "root" or "default") throw new InvalidOperationException($"cannot delete \"{name}\" policy");
        return _policies.TryRemove(name, out _);
    }

    /// <summary>The merged ACL of a set of policy names; unknown names contribute nothing (as in Vault).</summary>
    public Acl AclFor(IEnumerable<string> names) => new([.. names.Select(Get).Where(p => p is not null)!]);
}
