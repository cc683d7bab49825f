using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Cloud a cluster runs in (<c>Cluster.cloud_provider</c>). Unknown values are kept (see <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<CloudProvider>))]
public readonly partial struct CloudProvider : IOpenEnum<CloudProvider>, IEquatable<CloudProvider>
{
    public static readonly CloudProvider Gcp = new("GCP");
    public static readonly CloudProvider Aws = new("AWS");
    public static readonly CloudProvider Azure = new("AZURE");

    private readonly string? _value;

    public CloudProvider(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<CloudProvider> Known { get; } = new CloudProvider[] { Gcp, Aws, Azure };

    public static CloudProvider FromValue(string value) => new(value);

    public static implicit operator CloudProvider(string? value) => new(value);

    public bool Equals(CloudProvider other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is CloudProvider other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(CloudProvider a, CloudProvider b) => a.Equals(b);

    public static bool operator !=(CloudProvider a, CloudProvider b) => !a.Equals(b);

    public override string ToString() => Value;
}
