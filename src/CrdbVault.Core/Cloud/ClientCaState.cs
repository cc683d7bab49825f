using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// Status of the cluster's client CA certificate (the API's <c>ClientCACertStatus</c>). Unknown values
/// are kept (see <see cref="IOpenEnum{TSelf}"/>). Called a state here: CrdbVault.ClientCaCertStatus is the
/// report users see.
/// </summary>
[JsonConverter(typeof(OpenEnumJsonConverter<ClientCaState>))]
public readonly partial struct ClientCaState : IOpenEnum<ClientCaState>, IEquatable<ClientCaState>
{
    public static readonly ClientCaState NotSet = new("NOT_SET");
    public static readonly ClientCaState IsSet = new("IS_SET");
    public static readonly ClientCaState Pending = new("PENDING");
    public static readonly ClientCaState Failed = new("FAILED");

    private readonly string? _value;

    public ClientCaState(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<ClientCaState> Known { get; } = new ClientCaState[] { NotSet, IsSet, Pending, Failed };

    public static ClientCaState FromValue(string value) => new(value);

    public static implicit operator ClientCaState(string? value) => new(value);

    public bool Equals(ClientCaState other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is ClientCaState other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(ClientCaState a, ClientCaState b) => a.Equals(b);

    public static bool operator !=(ClientCaState a, ClientCaState b) => !a.Equals(b);

    public override string ToString() => Value;
}
