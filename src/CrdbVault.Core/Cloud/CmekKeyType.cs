using System.Text.Json.Serialization;

namespace CrdbVault.Core.Cloud;

/// <summary>Kind of customer-managed key (<c>CMEKKeyType</c>); <c>NULL_KMS</c> has no documented meaning. Unknown values are kept (see
/// <see cref="IOpenEnum{TSelf}"/>).</summary>
[JsonConverter(typeof(OpenEnumJsonConverter<CmekKeyType>))]
public readonly partial struct CmekKeyType : IOpenEnum<CmekKeyType>, IEquatable<CmekKeyType>
{
    public static readonly CmekKeyType AwsKms = new("AWS_KMS");
    public static readonly CmekKeyType GcpCloudKms = new("GCP_CLOUD_KMS");
    public static readonly CmekKeyType AzureKeyVault = new("AZURE_KEY_VAULT");
    public static readonly CmekKeyType NullKms = new("NULL_KMS");

    private readonly string? _value;

    public CmekKeyType(string? value) => _value = value;

    public string Value => OpenEnumText.Normalize(_value);

    /// <summary>One of the values this version of the module knows.</summary>
    public bool IsKnown => Known.Contains(this);

    public static IReadOnlyList<CmekKeyType> Known { get; } = new CmekKeyType[] { AwsKms, GcpCloudKms, AzureKeyVault, NullKms };

    public static CmekKeyType FromValue(string value) => new(value);

    public static implicit operator CmekKeyType(string? value) => new(value);

    public bool Equals(CmekKeyType other) => OpenEnumText.Same(_value, other._value);

    public override bool Equals(object? obj) => obj is CmekKeyType other && Equals(other) || obj is string s && OpenEnumText.Same(_value, s);

    public override int GetHashCode() => OpenEnumText.Hash(_value);

    public static bool operator ==(CmekKeyType a, CmekKeyType b) => a.Equals(b);

    public static bool operator !=(CmekKeyType a, CmekKeyType b) => !a.Equals(b);

    public override string ToString() => Value;
}
