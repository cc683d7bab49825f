using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>
/// CMEK status at cluster, region or key level (the API's <c>CMEKStatus</c>). Unknown values are kept
/// (see <see cref="IOpenEnum{TSelf}"/>). Called a state here: CrdbVault.CmekStatus is the report users see.
/// </summary>
[JsonConverter(typeof(OpenEnumJsonConverter<CmekState>))]
public readonly partial struct CmekState : IOpenEnum<CmekState>, IEquatable<CmekState>
{
    public static readonly CmekState Disabled = new("DISABLED");
    public static readonly CmekState Disabling = new("DISABLING");
    public static readonly CmekState DisableFailed = new("DISABLE_FAILED");
    public static readonly CmekState Enabled = new("ENABLED");
    public static readonly CmekState Enabling = new("ENABLING");
    public static readonly CmekState EnableFailed = new("ENABLE_FAILED");
    public static readonly CmekState Rotating = new("ROTATING");
    public static readonly CmekState RotateFailed = new("ROTATE_FAILED");
    public static readonly CmekState Revoked = new("REVOKED");
    public static readonly CmekState Revoking = new("REVOKING");
    public static readonly CmekState RevokeFailed = new("REVOKE_FAILED");

    private readonly string? _value;

    public CmekState(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<CmekState> Known { get; } = new CmekState[]
    {
        Disabled, Disabling, DisableFailed, Enabled, Enabling, EnableFailed,
        Rotating, RotateFailed, Revoked, Revoking, RevokeFailed,
    };

    public static CmekState FromValue(string value) => new(value);

    public static implicit operator CmekState(string? value) => new(value);

    public bool Equals(CmekState other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is CmekState other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(CmekState a, CmekState b) => a.Equals(b);

    public static bool operator !=(CmekState a, CmekState b) => !a.Equals(b);

    public override string ToString() => Value;
}
