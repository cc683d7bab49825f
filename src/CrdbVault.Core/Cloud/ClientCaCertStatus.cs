using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Status of the cluster's client CA certificate (<c>ClientCACertStatus</c>). Unknown values are kept (see <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<ClientCaCertStatus>))]
public readonly partial struct ClientCaCertStatus : IOpenEnum<ClientCaCertStatus>, IEquatable<ClientCaCertStatus>
{
    public static readonly ClientCaCertStatus NotSet = new("NOT_SET");
    public static readonly ClientCaCertStatus IsSet = new("IS_SET");
    public static readonly ClientCaCertStatus Pending = new("PENDING");
    public static readonly ClientCaCertStatus Failed = new("FAILED");

    private readonly string? _value;

    public ClientCaCertStatus(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<ClientCaCertStatus> Known { get; } = new ClientCaCertStatus[] { NotSet, IsSet, Pending, Failed };

    public static ClientCaCertStatus FromValue(string value) => new(value);

    public static implicit operator ClientCaCertStatus(string? value) => new(value);

    public bool Equals(ClientCaCertStatus other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is ClientCaCertStatus other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(ClientCaCertStatus a, ClientCaCertStatus b) => a.Equals(b);

    public static bool operator !=(ClientCaCertStatus a, ClientCaCertStatus b) => !a.Equals(b);

    public override string ToString() => Value;
}
