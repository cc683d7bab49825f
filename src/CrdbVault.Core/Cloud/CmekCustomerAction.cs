using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Action for <c>PATCH .../cmek</c> (<c>CMEKCustomerAction</c>); the API defines only REVOKE. Unknown values are kept (see
/// <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<CmekCustomerAction>))]
public readonly partial struct CmekCustomerAction : IOpenEnum<CmekCustomerAction>, IEquatable<CmekCustomerAction>
{
    public static readonly CmekCustomerAction Revoke = new("REVOKE");

    private readonly string? _value;

    public CmekCustomerAction(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<CmekCustomerAction> Known { get; } = new CmekCustomerAction[] { Revoke };

    public static CmekCustomerAction FromValue(string value) => new(value);

    public static implicit operator CmekCustomerAction(string? value) => new(value);

    public bool Equals(CmekCustomerAction other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is CmekCustomerAction other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(CmekCustomerAction a, CmekCustomerAction b) => a.Equals(b);

    public static bool operator !=(CmekCustomerAction a, CmekCustomerAction b) => !a.Equals(b);

    public override string ToString() => Value;
}
