using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Cluster lifecycle state (<c>Cluster.state</c>); <c>LOCKED</c> = an exclusive operation is running. Unknown values are kept (see
/// <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<ClusterState>))]
public readonly partial struct ClusterState : IOpenEnum<ClusterState>, IEquatable<ClusterState>
{
    public static readonly ClusterState Creating = new("CREATING");
    public static readonly ClusterState Created = new("CREATED");
    public static readonly ClusterState CreationFailed = new("CREATION_FAILED");
    public static readonly ClusterState Deleted = new("DELETED");
    public static readonly ClusterState Locked = new("LOCKED");

    private readonly string? _value;

    public ClusterState(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<ClusterState> Known { get; } = new ClusterState[] { Creating, Created, CreationFailed, Deleted, Locked };

    public static ClusterState FromValue(string value) => new(value);

    public static implicit operator ClusterState(string? value) => new(value);

    public bool Equals(ClusterState other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is ClusterState other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(ClusterState a, ClusterState b) => a.Equals(b);

    public static bool operator !=(ClusterState a, ClusterState b) => !a.Equals(b);

    public override string ToString() => Value;
}
