using System.Text.Json;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Certificates;

/// <summary>What Initialize-CrdbCertificateAuthority is asked for.</summary>
public sealed class CaSetupOptions
{
    public required string CommonName { get; init; }
    public TimeSpan CaTtl { get; init; } = TimeSpan.FromHours(87600);
    public string KeyType { get; init; } = "rsa";
    public int KeyBits { get; init; }
    public bool Client { get; init; } = true;
    public bool Node { get; init; } = true;
    public string ClientRole { get; init; } = "client";
    public string NodeRole { get; init; } = "node";
    public TimeSpan ClientTtl { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan ClientMaxTtl { get; init; } = TimeSpan.FromHours(720);
    public TimeSpan NodeTtl { get; init; } = TimeSpan.FromHours(720);
    public TimeSpan NodeMaxTtl { get; init; } = TimeSpan.FromHours(8760);
    public bool GenerateLease { get; init; }
    public string? PolicyName { get; init; }

    /// <summary>Principals the issuer policy denies as common_name besides root and node (every spelling).</summary>
    public IReadOnlyList<string> ProtectedUsers { get; init; } = [];

    /// <summary>Leaf key size: the type's default (rsa 2048, ec 256), written explicitly so a re-read compares equal.</summary>
    public int LeafKeyBits => KeyType == "ec" ? 256 : 2048;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(CommonName)) throw new ArgumentException("-CommonName is empty. " +
            "Give the CA a name such as 'Cockroach Client CA'.", "CommonName");
        if (KeyType is not ("rsa" or "ec"))
            throw new ArgumentException($"-KeyType '{KeyType}' is not supported. CockroachDB accepts RSA and ECDSA keys: use rsa or ec.", "KeyType");
        bool bitsOk = KeyType == "rsa" ? KeyBits is 0 or 2048 or 3072 or 4096 : KeyBits is 0 or 256 or 384 or 521;
        if (!bitsOk) throw new ArgumentException($"-KeyBits {KeyBits} does not fit -KeyType {KeyType}: " +
            $"use {(KeyType == "rsa" ? "2048, 3072 or 4096" : "256, 384 or 521")}.", "KeyBits");
        if (!Client && !Node) throw new ArgumentException("-Kind names no certificate kind. Use Client, Node or Both.", "Kind");
        InputValidator.PathSegment(ClientRole, "ClientRole");
        InputValidator.PathSegment(NodeRole, "NodeRole");
        if (PolicyName is not null) InputValidator.PathSegment(PolicyName, "IssuerPolicyName");
        CockroachPkiRoles.ProtectedNames(ProtectedUsers);
        if (CaTtl <= TimeSpan.Zero) throw new ArgumentException("-Ttl must be positive, e.g. '87600h' (10 years).", "Ttl");
        if (ClientTtl > ClientMaxTtl || NodeTtl > NodeMaxTtl) throw new ArgumentException("A certificate TTL is longer than its max TTL.", "Ttl");
    }
}

/// <summary>One role to write (or that is already as wanted).</summary>
public sealed record RoleStep(string Name, CertificateKind Kind, IReadOnlyDictionary<string, object> Body, bool Exists, IReadOnlyList<string> Differences)
{
    public bool NeedsWrite => !Exists || Differences.Count > 0;
}

/// <summary>The state found and what has to change; each step runs after its own ShouldProcess in the cmdlet.</summary>
public sealed class CaSetupPlan
{
    public required string MountPath { get; init; }
    public required bool NeedMount { get; init; }
    public required TimeSpan CurrentMaxTtl { get; init; }
    public required bool NeedTune { get; init; }
    public required CaInfo? ExistingCa { get; init; }
    public required IReadOnlyList<RoleStep> Roles { get; init; }
    public required string PolicyName { get; init; }
    public required string? PolicyHcl { get; init; }
    public required bool PolicyNeedsWrite { get; init; }

    public bool NothingToDo => !NeedMount && !NeedTune && ExistingCa is not null && Roles.All(r => !r.NeedsWrite) && !PolicyNeedsWrite;
}

/// <summary>Reads what a PKI mount already has and plans the CockroachDB-safe setup (idempotent: a second plan is empty).</summary>
public static class CertificateAuthoritySetup
{
    public static async Task<CaSetupPlan> PlanAsync(PkiEngine engine, CaSetupOptions o, CancellationToken ct)
    {
        o.Validate();
        string? type = await engine.ReadMountTypeAsync(ct).ConfigureAwait(false);
        if (type is not null && type != "pki")
            throw new InvalidOperationException($"Vault already has a '{type}' engine at '{engine.MountPath}/', not a PKI engine. " +
                $"Choose another -MountPath or disable that mount.");
        bool mounted = type == "pki";
        TimeSpan max = mounted ? await engine.ReadMaxLeaseTtlAsync(ct).ConfigureAwait(false) : TimeSpan.Zero;
        CaInfo? ca = mounted ? await engine.ReadCaAsync(ct).ConfigureAwait(false) : null;

        var roles = new List<RoleStep>();
        if (o.Client)
        {
            var body = CockroachPkiRoles.ClientRole(o.ClientTtl, o.ClientMaxTtl, o.KeyType, o.LeafKeyBits, o.GenerateLease);
            roles.Add(await StepAsync(engine, o.ClientRole, CertificateKind.Client, body, mounted, ct).ConfigureAwait(false));
        }
        if (o.Node)
        {
            var body = CockroachPkiRoles.NodeRole(o.NodeTtl, o.NodeMaxTtl, o.KeyType, o.LeafKeyBits);
            roles.Add(await StepAsync(engine, o.NodeRole, CertificateKind.Node, body, mounted, ct).ConfigureAwait(false));
        }

        string policyName = o.PolicyName ?? CockroachPkiRoles.DefaultPolicyName(engine.MountPath);
        string? hcl = o.Client ? CockroachPkiRoles.IssuerPolicy(engine.MountPath, o.ClientRole, o.ProtectedUsers) : null;
        bool policyWrite = false;
        if (hcl is not null)
        {
            string? existing = await engine.ReadPolicyAsync(policyName, ct).ConfigureAwait(false);
            policyWrite = existing is null || Normalize(existing) != Normalize(hcl);
        }
        return new CaSetupPlan
        {
            MountPath = engine.MountPath,
            NeedMount = !mounted,
            CurrentMaxTtl = max,
            NeedTune = max < o.CaTtl,
            ExistingCa = ca,
            Roles = roles,
            PolicyName = policyName,
            PolicyHcl = hcl,
            PolicyNeedsWrite = policyWrite,
        };
    }

    private static async Task<RoleStep> StepAsync(PkiEngine engine, string name, CertificateKind kind, Dictionary<string, object> body, bool mounted,
        CancellationToken ct)
    {
        if (!mounted) return new RoleStep(name, kind, body, false, []);
        JsonElement? existing = await engine.ReadRoleAsync(name, ct).ConfigureAwait(false);
        return existing is JsonElement e
            ? new RoleStep(name, kind, body, true, CockroachPkiRoles.Differences(body, e))
            : new RoleStep(name, kind, body, false, []);
    }

    private static string Normalize(string hcl) => string.Join('\n', hcl.Replace("\r", "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
}
