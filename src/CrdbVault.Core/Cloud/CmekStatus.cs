using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>CMEK status at cluster, region or key level (<c>CMEKStatus</c>). Unknown values are kept (see <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<CmekStatus>))]
public readonly partial struct CmekStatus : IOpenEnum<CmekStatus>, IEquatable<CmekStatus>
{
    public static readonly CmekStatus Disabled = new("DISABLED");
    public static readonly CmekStatus Disabling = new("DISABLING");
    public static readonly CmekStatus DisableFailed = new("DISABLE_FAILED");
    public static readonly CmekStatus Enabled = new("ENABLED");
    public static readonly CmekStatus Enabling = new("ENABLING");
    public static readonly CmekStatus EnableFailed = new("ENABLE_FAILED");
    public static readonly CmekStatus Rotating = new("ROTATING");
    public static readonly CmekStatus RotateFailed = new("ROTATE_FAILED");
    public static readonly CmekStatus Revoked = new("REVOKED");
    public static readonly CmekStatus Revoking = new("REVOKING");
    public static readonly CmekStatus RevokeFailed = new("REVOKE_FAILED");

    private readonly string? _value;

    public CmekStatus(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<CmekStatus> Known { get; } = new CmekStatus[] { Disabled, Disabling, DisableFailed, Enabled, Enabling, EnableFailed, Rotating, RotateFailed, Revoked, Revoking, RevokeFailed };

    public static CmekStatus FromValue(string value) => new(value);

    public static implicit operator CmekStatus(string? value) => new(value);

    public bool Equals(CmekStatus other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is CmekStatus other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(CmekStatus a, CmekStatus b) => a.Equals(b);

    public static bool operator !=(CmekStatus a, CmekStatus b) => !a.Equals(b);

    public override string ToString() => Value;
}
