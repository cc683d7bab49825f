namespace CrdbVault.Sandbox.Vault.Policies;

/// <summary>Capabilities a policy rule can grant (Vault's names).</summary>
[Flags]
public enum Capability
{
    None = 0,
    Create = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    List = 16,
    Sudo = 32,
    Deny = 64,
    Patch = 128,
}

/// <summary>One <c>path "..." { ... }</c> block.</summary>
public sealed class PathRule
{
    public required string Pattern { get; init; }
    public Capability Capabilities { get; set; }
    /// <summary>Parameter name → allowed values (empty list = any value). Null = no restriction.</summary>
    public Dictionary<string, List<string>>? AllowedParameters { get; set; }
    /// <summary>Parameter name → denied values (empty list = every value). Null = none denied.</summary>
    public Dictionary<string, List<string>>? DeniedParameters { get; set; }
    public List<string>? RequiredParameters { get; set; }
}

/// <summary>A named ACL policy: its source text and parsed rules.</summary>
public sealed class AclPolicy
{
    public required string Name { get; init; }
    public required string Text { get; init; }
    public required IReadOnlyList<PathRule> Rules { get; init; }

    /// <summary>Vault's built-in <c>default</c> policy (the parts that matter here: self-service on the token and leases).</summary>
    public const string DefaultPolicyText = """
        # Allow tokens to look up their own properties
        path "auth/token/lookup-self" {
            capabilities = ["read"]
        }

        # Allow tokens to renew themselves
        path "auth/token/renew-self" {
            capabilities = ["update"]
        }

        # Allow tokens to revoke themselves
        path "auth/token/revoke-self" {
            capabilities = ["update"]
        }

        # Allow a token to look up its own capabilities on a path
        path "sys/capabilities-self" {
            capabilities = ["update"]
        }

        # Allow a token to renew a lease via lease_id in the request body
        path "sys/leases/renew" {
            capabilities = ["update"]
        }

        # Allow looking up lease properties
        path "sys/leases/lookup" {
            capabilities = ["update"]
        }

        # Allow a token to wrap arbitrary values in a response-wrapping token
        path "sys/wrapping/wrap" {
            capabilities = ["update"]
        }

        # Allow general purpose tools
        path "sys/tools/hash" {
            capabilities = ["update"]
        }
        """;
}
