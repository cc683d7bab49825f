using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>One <c>database/roles/:name</c>: which connection, the SQL to run, and the TTLs.</summary>
public sealed class DatabaseRole
{
    public required string Name { get; init; }
    public string DbName { get; set; } = "";
    public List<string> CreationStatements { get; set; } = [];
    public List<string> RevocationStatements { get; set; } = [];
    public List<string> RollbackStatements { get; set; } = [];
    public List<string> RenewStatements { get; set; } = [];
    public TimeSpan DefaultTtl { get; set; }
    public TimeSpan MaxTtl { get; set; }
    public string CredentialType { get; set; } = "password";

    /// <summary>Applies a write body; throws <see cref="VaultInputException"/> with Vault's messages.</summary>
    public void Apply(JsonObject body, bool creating)
    {
        if (BodyReader.String(body, "db_name") is string db) DbName = db;
        if (creating && DbName.Length == 0) throw new VaultInputException("empty database name attribute");
        if (BodyReader.Has(body, "creation_statements")) CreationStatements = BodyReader.Statements(body, "creation_statements");
        if (BodyReader.Has(body, "revocation_statements")) RevocationStatements = BodyReader.Statements(body, "revocation_statements");
        if (BodyReader.Has(body, "rollback_statements")) RollbackStatements = BodyReader.Statements(body, "rollback_statements");
        if (BodyReader.Has(body, "renew_statements")) RenewStatements = BodyReader.Statements(body, "renew_statements");
        DefaultTtl = BodyReader.Duration(body, "default_ttl", DefaultTtl);
        MaxTtl = BodyReader.Duration(body, "max_ttl", MaxTtl);
        if (BodyReader.String(body, "credential_type") is string type)
        {
            if (type != "password") throw new VaultInputException($"credential_type \"{type}\" is not supported by the sandbox (only \"password\")");
            CredentialType = type;
        }
        if (CreationStatements.Count == 0) throw new VaultInputException("empty creation statements");
        if (MaxTtl > TimeSpan.Zero && DefaultTtl > MaxTtl) throw new VaultInputException("ttl cannot be greater than max_ttl");
    }

    /// <summary>The read shape: TTLs as integer seconds.</summary>
    public JsonObject ToJson() => new()
    {
        ["creation_statements"] = Array(CreationStatements),
        ["credential_type"] = CredentialType,
        ["db_name"] = DbName,
        ["default_ttl"] = VaultDurations.Seconds(DefaultTtl),
        ["max_ttl"] = VaultDurations.Seconds(MaxTtl),
        ["renew_statements"] = Array(RenewStatements),
        ["revocation_statements"] = Array(RevocationStatements),
        ["rollback_statements"] = Array(RollbackStatements),
    };

    private static JsonArray Array(List<string> items) => new([.. items.Select(s => (JsonNode?)s)]);
}
