using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Cluster plan (<c>Cluster.plan</c>); docs examples still show legacy <c>DEDICATED</c>/<c>SERVERLESS</c>. Unknown values are kept (see
/// <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<ClusterPlan>))]
public readonly partial struct ClusterPlan : IOpenEnum<ClusterPlan>, IEquatable<ClusterPlan>
{
    public static readonly ClusterPlan Basic = new("BASIC");
    public static readonly ClusterPlan Standard = new("STANDARD");
    public static readonly ClusterPlan Advanced = new("ADVANCED");

    private readonly string? _value;

    public ClusterPlan(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<ClusterPlan> Known { get; } = new ClusterPlan[] { Basic, Standard, Advanced };

    public static ClusterPlan FromValue(string value) => new(value);

    public static implicit operator ClusterPlan(string? value) => new(value);

    public bool Equals(ClusterPlan other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is ClusterPlan other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(ClusterPlan a, ClusterPlan b) => a.Equals(b);

    public static bool operator !=(ClusterPlan a, ClusterPlan b) => !a.Equals(b);

    public override string ToString() => Value;
}
