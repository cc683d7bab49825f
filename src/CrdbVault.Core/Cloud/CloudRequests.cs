namespace CrdbVault.Core.Cloud;

// Request bodies exactly as the OpenAPI spec names them (docs/cockroachdb-notes.md); serialized
// with CloudJson's snake_case policy. Internal: callers use the typed methods on CloudApiClient.

/// <summary><c>CMEKClusterSpecification</c> for POST/PUT <c>.../cmek</c>.</summary>
internal sealed record CmekClusterSpecification(IReadOnlyList<CmekRegionSpec> RegionSpecs);

/// <summary><c>UpdateCMEKStatusRequest</c> for PATCH <c>.../cmek</c>.</summary>
internal sealed record UpdateCmekStatusRequest(CmekCustomerAction Action);

/// <summary><c>SetClientCACertRequest</c> / <c>UpdateClientCACertRequest</c>.</summary>
internal sealed record ClientCaCertRequest(string X509PemCert);

/// <summary><c>UpdateClusterSpecification</c> with only the dedicated part the module changes.</summary>
internal sealed record UpdateClusterSpecification(DedicatedClusterUpdateSpecification Dedicated);

/// <summary>
/// <c>DedicatedClusterUpdateSpecification</c>: <c>region_nodes</c> lists every region the
/// cluster should have (existing and new); <c>cmek_region_specs</c> only the new ones — a spec
/// for an existing region makes the request fail (spec text).
/// </summary>
internal sealed record DedicatedClusterUpdateSpecification(
    IReadOnlyDictionary<string, int> RegionNodes,
    IReadOnlyList<CmekRegionSpec>? CmekRegionSpecs);
